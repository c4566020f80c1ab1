package dataplane

import (
	"net/http"
	"testing"
)

// FuzzParseProxyResponse feeds arbitrary function outputs to the proxy
// response parser: it must never panic, and what it accepts must be a
// writable response.
func FuzzParseProxyResponse(f *testing.F) {
	for _, s := range []string{
		`{"statusCode":200,"headers":{"a":"b"},"multiValueHeaders":{"c":["d","e"]},"body":"x","isBase64Encoded":false}`,
		`{"statusCode":"404"}`, `{"statusCode":200,"body":null}`, `{"statusCode":200,"headers":{"n":1.5,"t":true}}`,
		`{"statusCode":200,"cookies":[]}`, `null`, `[]`, `"x"`, `{"statusCode":1e3}`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := parseProxyResponse(payload)
		if err != nil {
			return
		}
		if out.status < 100 || out.status > 599 {
			t.Fatalf("accepted status %d", out.status)
		}
		for k := range out.headers {
			if k == "" {
				continue
			}
			_ = http.CanonicalHeaderKey(k)
		}
	})
}
