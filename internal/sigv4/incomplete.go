package sigv4

import (
	"net/http"
	"strings"
)

// IncompleteSignature checks an Authorization header the way API Gateway
// does when it answers a request that matched no method: it tries to read
// the header as a SigV4 signature and, when that fails, reports why with
// AWS's own text (sent with x-amzn-ErrorType IncompleteSignatureException
// instead of "Missing Authentication Token"). ok is false when the request
// has no Authorization header or the header has every SigV4 part.
//
// The texts are those real API Gateway sends, for example for
// "Authorization: Bearer abc":
//
//	'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'.
//
// and for a bare token such as a JWT:
//
//	Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. ... Authorization=<token>
func IncompleteSignature(h http.Header) (message string, ok bool) {
	auth := h.Get("Authorization")
	if auth == "" {
		return "", false
	}
	params := map[string]bool{}
	if _, rest, found := strings.Cut(strings.TrimSpace(auth), " "); found {
		// Parameters are separated by commas and/or white space (so a
		// stray space inside a credential splits it in two, as AWS
		// reports).
		for _, pair := range strings.FieldsFunc(rest, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			k, _, hasEq := strings.Cut(pair, "=")
			if !hasEq {
				return "'" + pair + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + auth + "'.", true
			}
			params[k] = true
		}
	}
	var b strings.Builder
	for _, p := range []string{"Credential", "Signature", "SignedHeaders"} {
		if !params[p] {
			b.WriteString("Authorization header requires '" + p + "' parameter. ")
		}
	}
	if h.Get("X-Amz-Date") == "" && h.Get("Date") == "" {
		b.WriteString("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ")
	}
	if b.Len() == 0 {
		return "", false
	}
	b.WriteString("Authorization=" + auth)
	return b.String(), true
}
