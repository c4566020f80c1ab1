package controlplane

import (
	"bytes"
	"errors"
	"io"
	"net/http"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/sigv4"
)

// SigningName is the service name in the credential scope of control-plane
// requests: the API Gateway service model's signing name.
const SigningName = "apigateway"

// verify checks the SigV4 signature of a control-plane request in strict
// mode (Options.Credentials set) and places the call in the signer's
// account. The body is read (bounded by MaxBodyBytes) and put back for the
// operation. Failures answer as AWS services do, 403 with the error code
// naming the problem: MissingAuthenticationTokenException ("Missing
// Authentication Token"), IncompleteSignatureException (the parse
// message), InvalidSignatureException (the mismatch message with the
// canonical request and string to sign, or "Signature expired: ..."),
// UnrecognizedClientException ("The security token included in the request
// is invalid.") and ExpiredTokenException ("The security token included in
// the request is expired"). The codes and texts are those botocore reports
// from API Gateway's control plane; the status of IncompleteSignatureException
// there is not recorded (other JSON services send 400), and 403 is assumed
// like the others.
func (c *call) verify() error {
	if c.h.opts.Credentials == nil {
		return nil
	}
	body, err := c.body()
	if err != nil {
		return err
	}
	c.r.Body = io.NopCloser(bytes.NewReader(body))
	v := sigv4.Verifier{Keys: c.h.opts.Credentials, Service: SigningName, Now: c.h.opts.Now}
	signed, err := v.Verify(c.r, body, "")
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &authFailure{err: &awserr.Error{Code: se.Kind.Code(), Status: http.StatusForbidden, Message: se.Message}}
	}
	if err != nil {
		return err
	}
	c.scope.Account = signed.Identity.AccountID
	return nil
}

// authFailure is a rejected signature. Its message can hold the canonical
// request, session token included (AWS sends it back to the caller), so
// logs show only its code.
type authFailure struct{ err *awserr.Error }

func (e *authFailure) Error() string { return e.err.Code }
func (e *authFailure) Unwrap() error { return e.err }

// logText is what the request log says of err.
func logText(err error) string {
	var af *authFailure
	if errors.As(err, &af) {
		return af.err.Code
	}
	return err.Error()
}
