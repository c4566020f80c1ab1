package sigv4

import (
	"net/http/httptest"
	"testing"
)

func TestParseCredential(t *testing.T) {
	for _, tc := range []struct {
		name, auth, url string
		want            Credential
		ok              bool
	}{
		{"header", "AWS4-HMAC-SHA256 Credential=AKID/20261125/eu-west-1/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", "/",
			Credential{"AKID", "20261125", "eu-west-1", "apigateway"}, true},
		{"no spaces", "AWS4-HMAC-SHA256 Credential=123456789012/20261125/us-west-2/apigateway/aws4_request,SignedHeaders=host,Signature=abc", "/",
			Credential{"123456789012", "20261125", "us-west-2", "apigateway"}, true},
		{"presigned", "", "/?X-Amz-Credential=AKID%2F20261125%2Fap-south-1%2Fexecute-api%2Faws4_request",
			Credential{"AKID", "20261125", "ap-south-1", "execute-api"}, true},
		{"bearer", "Bearer token", "/", Credential{}, false},
		{"truncated scope", "AWS4-HMAC-SHA256 Credential=AKID/20261125/us-east-1", "/", Credential{}, false},
		{"none", "", "/", Credential{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tc.url, nil)
			if tc.auth != "" {
				r.Header.Set("Authorization", tc.auth)
			}
			got, ok := ParseCredential(r)
			if ok != tc.ok || got != tc.want {
				t.Errorf("got %+v %v, want %+v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
