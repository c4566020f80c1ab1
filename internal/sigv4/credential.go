// Package sigv4 reads and verifies AWS Signature Version 4 signatures on the
// server side, and keeps the credential store they are verified against.
//
// The control plane uses the credential scope to place a request in an
// account and region; it verifies signatures only in strict mode (by
// default any secret works, as with LocalStack). The data plane verifies
// them on methods whose authorization type is AWS_IAM.
package sigv4

import (
	"net/http"
	"strings"
)

// Credential is the credential scope of a SigV4-signed request:
// AKID/date/region/service/aws4_request.
type Credential struct {
	AccessKeyID string
	Date        string
	Region      string
	Service     string
}

// ParseCredential extracts the credential scope from the Authorization header
// ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...") or,
// for presigned requests, from the X-Amz-Credential query parameter.
func ParseCredential(r *http.Request) (Credential, bool) {
	var scope string
	if auth := r.Header.Get("Authorization"); auth != "" {
		rest, ok := strings.CutPrefix(auth, "AWS4-HMAC-SHA256")
		if !ok {
			return Credential{}, false
		}
		for _, part := range strings.Split(rest, ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok {
				scope = v
				break
			}
		}
	} else {
		scope = r.URL.Query().Get("X-Amz-Credential")
	}
	f := strings.Split(scope, "/")
	if len(f) != 5 || f[4] != "aws4_request" || f[0] == "" {
		return Credential{}, false
	}
	return Credential{AccessKeyID: f[0], Date: f[1], Region: f[2], Service: f[3]}, true
}
