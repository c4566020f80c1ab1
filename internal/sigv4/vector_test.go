package sigv4_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/sigv4"
)

// TestAWSTestSuiteVectors checks cases of AWS's published SigV4 test suite
// (credentials AKIDEXAMPLE, 2015-08-30, service "service"), an oracle
// independent of any SDK.
func TestAWSTestSuiteVectors(t *testing.T) {
	keys, _ := sigv4.NewCredentials(sigv4.Identity{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"})
	v := &sigv4.Verifier{Keys: keys, Service: "service", Now: func() time.Time { return time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC) }}
	for _, tc := range []struct{ name, method, target, sig string }{
		{"get-vanilla", "GET", "/", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{"get-vanilla-query-order-key-case", "GET", "/?Param2=value2&Param1=value1", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
		{"post-vanilla", "POST", "/", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u, _ := url.Parse("http://example.amazonaws.com" + tc.target)
			r := &http.Request{Method: tc.method, URL: u, Host: "example.amazonaws.com", Header: http.Header{
				"X-Amz-Date":    {"20150830T123600Z"},
				"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + tc.sig},
			}}
			if _, err := v.Verify(r, nil, "us-east-1"); err != nil {
				t.Fatal(err)
			}
		})
	}
}
