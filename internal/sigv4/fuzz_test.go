package sigv4_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gantryproject/gantry/internal/sigv4"
)

// FuzzVerify feeds the parser and verifier arbitrary Authorization headers,
// dates and presigned queries (it must answer an *Error, never panic), and
// checks that whatever path, query and header value the SDK's signer signs
// verifies.
func FuzzVerify(f *testing.F) {
	f.Add("/dev/pets", "q=a%20b&x=", "v", "AWS4-HMAC-SHA256 Credential=test/20261125/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=00", "20261125T130007Z")
	f.Add("/a%2Fb/%C3%A9", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=test%2F20261125%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Date=20261125T130007Z&X-Amz-SignedHeaders=host&X-Amz-Signature=zz&X-Amz-Expires=99999999", "  a  b ", "", "")
	f.Add("/./x//y/..", "a=1&a=0&b", "", "Bearer x", "junk")
	f.Add("/", "X-Amz-Credential=////", "", "AWS4-HMAC-SHA256 Credential=test/2/3/4/aws4_request,SignedHeaders=Host,Signature=", "2026")
	keys, _ := sigv4.NewCredentials(sigv4.Identity{AccessKeyID: "test", SecretAccessKey: "test"})
	ver := &sigv4.Verifier{Keys: keys, Service: "execute-api", Now: func() time.Time { return now }}
	f.Fuzz(func(t *testing.T, path, query, value, auth, date string) {
		u, err := url.Parse("http://api.example.com" + path + "?" + query)
		if err != nil || !strings.HasPrefix(path, "/") || u.Host != "api.example.com" {
			return
		}
		// Arbitrary signatures.
		r := &http.Request{Method: "GET", URL: u, Host: u.Host, Header: http.Header{}}
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		r.Header.Set("X-Amz-Date", date)
		if _, err := ver.Verify(r, nil, "us-east-1"); err != nil {
			if _, ok := err.(*sigv4.Error); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
		}
		// What the SDK signs must verify.
		if !validHeaderValue(value) || strings.Contains(query, "X-Amz-") {
			return
		}
		r = &http.Request{Method: "POST", URL: u, Host: u.Host, Header: http.Header{}}
		r.Header.Set("X-Test", value)
		err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, r, hashOf("body"), "execute-api", "us-east-1", now)
		if err != nil {
			return
		}
		if _, err := ver.Verify(r, []byte("body"), "us-east-1"); err != nil {
			t.Fatalf("SDK-signed %s?%s (X-Test %q) does not verify: %v", path, query, value, err)
		}
	})
}

// validHeaderValue reports whether v can arrive in an HTTP header: no
// control character but tab.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}
