package dataplane

import (
	"errors"
	"sync"

	"github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/sigv4"
)

// defaultKeys is the credential store of a data plane given none: the
// default test/test.
var defaultKeys = sync.OnceValue(func() *sigv4.Credentials {
	c, _ := sigv4.NewCredentials(sigv4.Identity{AccessKeyID: sigv4.DefaultAccessKeyID, SecretAccessKey: sigv4.DefaultSecretAccessKey})
	return c
})

// checkIAM verifies the SigV4 signature of a call to a method whose
// authorization type is AWS_IAM, against the credential store, as API
// Gateway does before anything else about the method (API keys, throttling,
// validation, integration). Methods of other authorization types pass.
//
// The outcomes (reference §3.2; AWS's "How do I troubleshoot HTTP 403
// errors from API Gateway?" and "Troubleshoot SigV4 signature mismatch
// errors" knowledge-center articles):
//
//   - no signature: MISSING_AUTHENTICATION_TOKEN, "Missing Authentication
//     Token";
//   - an Authorization header or X-Amz-* query that is not a complete
//     signature: AWS's parse message, 403 with x-amzn-ErrorType
//     IncompleteSignatureException, rendered through a gateway response (a
//     capture on an IAM-authorized REST API shows DEFAULT_4XX's CORS
//     headers on it: github.com/aws-amplify/amplify-flutter/issues/1539).
//     Which type governs it is not recorded; Gantry uses
//     MISSING_AUTHENTICATION_TOKEN, as for an unmatched route with such a
//     header;
//   - a signature that does not match: INVALID_SIGNATURE with AWS's message,
//     the canonical request and the string to sign appended as execute-api
//     does; a date more than 5 minutes off, an expired presigned URL, a
//     credential scoped to another service or region: INVALID_SIGNATURE with
//     AWS's "Signature expired: ..." (etc.) text;
//   - temporary credentials past their expiration: EXPIRED_TOKEN, "The
//     security token included in the request is expired";
//   - an access key id (or session token) the store does not know: "The
//     security token included in the request is invalid." AWS's 403
//     troubleshooting article lists this answer with x-amzn-ErrorType
//     AccessDeniedException, the error type of ACCESS_DENIED, so Gantry
//     renders it as ACCESS_DENIED (its customization governs, and the
//     built-in body has ACCESS_DENIED's capital-M "Message" key); no raw
//     capture of the body's key is recorded.
//
// A caller whose signature verifies is allowed: Gantry has no IAM
// identity policies to evaluate, so every known credential may invoke.
func (q *request) checkIAM(m *method) error {
	if !m.iam {
		return nil
	}
	body, err := q.readBody()
	if err != nil {
		return err
	}
	keys := q.h.opts.Credentials
	if keys == nil {
		keys = defaultKeys()
	}
	v := sigv4.Verifier{Keys: keys, Service: "execute-api", Now: q.h.opts.Now}
	signed, err := v.Verify(q.httpRequest(), body, q.stage.scope.Region)
	if err == nil {
		q.caller = signed
		return nil
	}
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Kind {
	case sigv4.Missing:
		return gatewayresponse.NewError(gatewayresponse.MissingAuthenticationToken)
	case sigv4.Incomplete:
		e := gatewayresponse.NewError(gatewayresponse.MissingAuthenticationToken).WithMessage(se.Message)
		e.ErrorType = sigv4.Incomplete.Code()
		return e
	case sigv4.ExpiredToken:
		return gatewayresponse.NewError(gatewayresponse.ExpiredToken).WithMessage(se.Message)
	case sigv4.UnknownKey:
		return gatewayresponse.NewError(gatewayresponse.AccessDenied).WithMessage(se.Message)
	}
	return gatewayresponse.NewError(gatewayresponse.InvalidSignature).WithMessage(se.Message)
}

// identityValue resolves the $context.identity.* variables that IAM
// authorization fills: accessKey, accountId, caller, user and userArn. They
// are undefined (null in templates) when the method is not AWS_IAM.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference
func (q *request) identityValue(name string) (string, bool) {
	if q.caller == nil {
		return "", false
	}
	id := q.caller.Identity
	switch name {
	case "identity.accessKey":
		return id.AccessKeyID, true
	case "identity.accountId":
		return id.AccountID, true
	case "identity.caller", "identity.user":
		return id.UserID, true
	case "identity.userArn":
		return id.UserARN, true
	}
	return "", false
}

// isIAM reports whether a method's authorization type is AWS_IAM.
func isIAM(m model.Method) bool { return m.AuthorizationType == "AWS_IAM" }
