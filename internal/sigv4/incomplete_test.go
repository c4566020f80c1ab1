package sigv4

import (
	"net/http"
	"testing"
)

func TestIncompleteSignature(t *testing.T) {
	const missingAll = "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
		"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   string
		ok     bool
	}{
		{"none", nil, "", false},
		{"bearer", map[string]string{"Authorization": "Bearer sometoken"},
			"'sometoken' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer sometoken'.", true},
		{"bare jwt", map[string]string{"Authorization": "eyJ0eXAi.eyJzdWIi.4f1Jh"}, missingAll + "Authorization=eyJ0eXAi.eyJzdWIi.4f1Jh", true},
		{"space in credential", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKID /20150620/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=ab"},
			"'/20150620/us-east-1/execute-api/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKID /20150620/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=ab'.", true},
		{"partial with date", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=a/b", "X-Amz-Date": "20260101T000000Z"},
			"Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=a/b", true},
		{"complete", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=ab", "X-Amz-Date": "20260101T000000Z"}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.header {
				h.Set(k, v)
			}
			got, ok := IncompleteSignature(h)
			if got != tc.want || ok != tc.ok {
				t.Errorf("got %q, %v\nwant %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
