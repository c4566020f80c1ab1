package sigv4_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gantryproject/gantry/internal/sigv4"
)

var (
	now   = time.Date(2026, 11, 25, 13, 0, 7, 0, time.UTC)
	alice = sigv4.Identity{AccessKeyID: "AKIDALICE", SecretAccessKey: "alice-secret", AccountID: "123456789012",
		UserARN: "arn:aws:iam::123456789012:user/alice", UserID: "AIDAALICE"}
	temp = sigv4.Identity{AccessKeyID: "ASIATEMP", SecretAccessKey: "temp-secret", SessionToken: "tok/en+==",
		Expiration: now.Add(time.Hour)}
	stale = sigv4.Identity{AccessKeyID: "ASIASTALE", SecretAccessKey: "stale-secret", SessionToken: "old",
		Expiration: now.Add(-time.Minute)}
)

// verifier is a server that verifies every request it receives and keeps
// the outcome.
type verifier struct {
	srv    *httptest.Server
	signed *sigv4.Signed
	err    error
}

func newVerifier(t *testing.T) *verifier {
	t.Helper()
	keys, err := sigv4.NewCredentials(alice, temp, stale, sigv4.Identity{AccessKeyID: "test", SecretAccessKey: "test"})
	if err != nil {
		t.Fatal(err)
	}
	v := &verifier{}
	ver := &sigv4.Verifier{Keys: keys, Service: "execute-api", Now: func() time.Time { return now }}
	v.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v.signed, v.err = ver.Verify(r, body, "us-east-1")
	}))
	t.Cleanup(v.srv.Close)
	return v
}

// send sends req and returns the verification outcome.
func (v *verifier) send(t *testing.T, req *http.Request) (*sigv4.Signed, error) {
	t.Helper()
	resp, err := v.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return v.signed, v.err
}

func hashOf(body string) string {
	s := sha256.Sum256([]byte(body))
	return hex.EncodeToString(s[:])
}

// sdkSign signs req as aws-sdk-go-v2 does.
func sdkSign(t *testing.T, req *http.Request, body string, id sigv4.Identity, service string, at time.Time) {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey, SessionToken: id.SessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hashOf(body), service, "us-east-1", at); err != nil {
		t.Fatal(err)
	}
}

// sdkPresign presigns req as aws-sdk-go-v2 does, for expires.
func sdkPresign(t *testing.T, req *http.Request, id sigv4.Identity, at time.Time, expires time.Duration) *http.Request {
	t.Helper()
	q := req.URL.Query()
	q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
	req.URL.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey, SessionToken: id.SessionToken}
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, hashOf(""), "execute-api", "us-east-1", at)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := http.NewRequest(req.Method, u, nil)
	for k, vs := range hdr {
		if k != "Host" {
			out.Header[k] = vs
		}
	}
	return out
}

func TestVerifySDKSigned(t *testing.T) {
	v := newVerifier(t)
	for _, tc := range []struct {
		name, method, path, body string
		header                   map[string]string
		id                       sigv4.Identity
	}{
		{"plain get", "GET", "/restapis/abc/dev/_user_request_/pets", "", nil, alice},
		{"query with spaces, unicode and repeated keys", "GET",
			"/dev/pets?q=a%20b&name=%C3%A9t%C3%A9&tag=2&tag=1&empty=&star=*&tilde=~x", "", nil, alice},
		{"path with special characters", "GET", "/dev/pets/a%20b/%C3%A9/x%2Fy/%24%26%2B%2C%3A%3B%3D%40", "", nil, alice},
		{"post with body and headers", "POST", "/dev/pets", `{"name":"rex"}`,
			map[string]string{"Content-Type": "application/json", "X-Custom": "  a   b  "}, alice},
		{"session token", "PUT", "/dev/pets/1", "x", nil, temp},
		{"default test credentials", "DELETE", "/dev/pets/1", "", nil, sigv4.Identity{AccessKeyID: "test", SecretAccessKey: "test"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, v.srv.URL+tc.path, strings.NewReader(tc.body))
			for k, val := range tc.header {
				req.Header.Set(k, val)
			}
			sdkSign(t, req, tc.body, tc.id, "execute-api", now.Add(-2*time.Minute))
			signed, err := v.send(t, req)
			if err != nil {
				t.Fatalf("header form: %v", err)
			}
			if signed.Identity.AccessKeyID != tc.id.AccessKeyID || signed.Presigned {
				t.Errorf("got %+v", signed)
			}
			if tc.body != "" {
				return
			}
			req, _ = http.NewRequest(tc.method, v.srv.URL+tc.path, nil)
			signed, err = v.send(t, sdkPresign(t, req, tc.id, now.Add(-10*time.Minute), 15*time.Minute))
			if err != nil {
				t.Fatalf("presigned form: %v", err)
			}
			if !signed.Presigned {
				t.Errorf("presigned: got %+v", signed)
			}
		})
	}
	if signed, _ := v.send(t, func() *http.Request {
		req, _ := http.NewRequest("GET", v.srv.URL+"/x", nil)
		sdkSign(t, req, "", alice, "execute-api", now)
		return req
	}()); signed.Identity.UserARN != alice.UserARN || signed.Identity.AccountID != "123456789012" || signed.Credential.Region != "us-east-1" {
		t.Errorf("identity: got %+v", signed)
	}
}

func TestVerifyFailures(t *testing.T) {
	v := newVerifier(t)
	get := func(path string) *http.Request {
		req, _ := http.NewRequest("GET", v.srv.URL+path, nil)
		return req
	}
	signed := func(id sigv4.Identity, service string, at time.Time) *http.Request {
		req := get("/dev/pets?a=1")
		sdkSign(t, req, "", id, service, at)
		return req
	}
	for _, tc := range []struct {
		name string
		req  func() *http.Request
		kind sigv4.Kind
		msg  string // prefix
	}{
		{"unsigned", func() *http.Request { return get("/dev/pets") }, sigv4.Missing, "Missing Authentication Token"},
		{"bearer token", func() *http.Request {
			r := get("/dev/pets")
			r.Header.Set("Authorization", "Bearer abc")
			return r
		}, sigv4.Incomplete, "'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'."},
		{"wrong secret", func() *http.Request {
			return signed(sigv4.Identity{AccessKeyID: alice.AccessKeyID, SecretAccessKey: "wrong"}, "execute-api", now)
		}, sigv4.InvalidSignature, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'GET\n/dev/pets\na=1\nhost:127.0.0.1:"},
		{"tampered query", func() *http.Request {
			r := signed(alice, "execute-api", now)
			r.URL.RawQuery = "a=2"
			return r
		}, sigv4.InvalidSignature, "The request signature we calculated does not match"},
		{"unknown key", func() *http.Request {
			return signed(sigv4.Identity{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "x"}, "execute-api", now)
		}, sigv4.UnknownKey, "The security token included in the request is invalid."},
		{"temporary key without its token", func() *http.Request {
			return signed(sigv4.Identity{AccessKeyID: temp.AccessKeyID, SecretAccessKey: temp.SecretAccessKey}, "execute-api", now)
		}, sigv4.UnknownKey, "The security token included in the request is invalid."},
		{"wrong token", func() *http.Request {
			id := temp
			id.SessionToken = "other"
			return signed(id, "execute-api", now)
		}, sigv4.UnknownKey, "The security token included in the request is invalid."},
		{"expired session", func() *http.Request { return signed(stale, "execute-api", now) },
			sigv4.ExpiredToken, "The security token included in the request is expired"},
		{"too old", func() *http.Request { return signed(alice, "execute-api", now.Add(-5*time.Minute-time.Second)) },
			sigv4.InvalidSignature, "Signature expired: 20261125T125506Z is now earlier than 20261125T125507Z (20261125T130007Z - 5 min.)"},
		{"too new", func() *http.Request { return signed(alice, "execute-api", now.Add(5*time.Minute+time.Second)) },
			sigv4.InvalidSignature, "Signature not yet current: 20261125T130508Z is still later than 20261125T130507Z (20261125T130007Z + 5 min.)"},
		{"other service", func() *http.Request { return signed(alice, "apigateway", now) },
			sigv4.InvalidSignature, "Credential should be scoped to correct service: 'execute-api'. "},
		{"presigned expired", func() *http.Request {
			return sdkPresign(t, get("/dev/pets"), alice, now.Add(-time.Hour), 30*time.Minute)
		}, sigv4.InvalidSignature, "Signature expired: 20261125T120007Z is now earlier than 20261125T123007Z (20261125T130007Z - 1800 sec.)"},
		{"presigned incomplete", func() *http.Request { return get("/dev/pets?X-Amz-Algorithm=AWS4-HMAC-SHA256") },
			sigv4.Incomplete, "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'."},
		{"bad credential", func() *http.Request {
			r := get("/dev/pets")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=00")
			r.Header.Set("X-Amz-Date", "20261125T130007Z")
			return r
		}, sigv4.Incomplete, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b'"},
		{"scope date differs", func() *http.Request {
			r := get("/dev/pets")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDALICE/20261124/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00")
			r.Header.Set("X-Amz-Date", "20261125T130007Z")
			return r
		}, sigv4.InvalidSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20261124' != '20261125', from '20261125T130007Z'."},
		{"body hash mismatch", func() *http.Request {
			req, _ := http.NewRequest("POST", v.srv.URL+"/dev/pets", strings.NewReader("changed"))
			req.Header.Set("X-Amz-Content-Sha256", hashOf("original"))
			sdkSign(t, req, "original", alice, "execute-api", now)
			return req
		}, sigv4.InvalidSignature, "The provided 'x-amz-content-sha256' header does not match what was computed."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.send(t, tc.req())
			var e *sigv4.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *sigv4.Error", err)
			}
			if e.Kind != tc.kind || !strings.HasPrefix(e.Message, tc.msg) {
				t.Errorf("got %s %q\nwant %s %q", e.Kind.Code(), e.Message, tc.kind.Code(), tc.msg)
			}
			if strings.Contains(e.Message, "secret") {
				t.Errorf("message leaks a secret: %q", e.Message)
			}
		})
	}
}

func TestVerifyUnsignedPayloadHeader(t *testing.T) {
	v := newVerifier(t)
	req, _ := http.NewRequest("POST", v.srv.URL+"/dev/pets", strings.NewReader("anything"))
	req.Header.Set("X-Amz-Content-Sha256", sigv4.UnsignedPayload)
	creds := aws.Credentials{AccessKeyID: alice.AccessKeyID, SecretAccessKey: alice.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sigv4.UnsignedPayload, "execute-api", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	if _, err := v.send(t, req); err != nil {
		t.Fatal(err)
	}
}

func TestCredentialsDefaults(t *testing.T) {
	c, err := sigv4.LoadCredentials("", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	id, ok := c.Lookup("test")
	if !ok || id.SecretAccessKey != "test" || id.AccountID != "000000000000" || id.UserARN != "arn:aws:iam::000000000000:root" || id.UserID != "000000000000" {
		t.Errorf("default: got %+v %v", id, ok)
	}
	env := map[string]string{"AWS_ACCESS_KEY_ID": "123456789012", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t"}
	c, err = sigv4.LoadCredentials("", func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Lookup("test"); !ok || c.Len() != 2 {
		t.Errorf("env credentials and the default: %d", c.Len())
	}
	file := filepath.Join(t.TempDir(), "creds.json")
	if err := os.WriteFile(file, []byte(`{"credentials":[{"accessKeyId":"F","secretAccessKey":"f"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = sigv4.LoadCredentials(file, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Lookup("test"); ok || c.Len() != 2 {
		t.Errorf("a file replaces the default: %d", c.Len())
	}
	if _, err := sigv4.LoadCredentials(file+".missing", nil); err == nil {
		t.Error("a missing file was accepted")
	}
	if id, _ := c.Lookup("123456789012"); id.AccountID != "123456789012" || id.SessionToken != "t" {
		t.Errorf("env: got %+v", id)
	}
	if s := (sigv4.Identity{AccessKeyID: "A", SecretAccessKey: "hidden", SessionToken: "tok"}); strings.Contains(s.String(), "hidden") {
		t.Error("String prints the secret")
	}
}

func TestParseCredentialsFile(t *testing.T) {
	ids, err := sigv4.ParseCredentialsFile([]byte(`{"credentials":[{"accessKeyId":"A","secretAccessKey":"s","expiration":"2026-12-31T23:59:59Z","userArn":"arn:aws:iam::111122223333:user/bob"}]}`))
	if err != nil || len(ids) != 1 || ids[0].Expiration.Year() != 2026 {
		t.Fatalf("got %+v, %v", ids, err)
	}
	for _, bad := range []string{`{"credentials":[{"accessKeyId":"A","secretAccesKey":"s"}]}`, `{`, `{"credentials":{}}`} {
		if _, err := sigv4.ParseCredentialsFile([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
	if _, err := sigv4.NewCredentials(sigv4.Identity{AccessKeyID: "A"}); err == nil {
		t.Error("an entry without a secret was accepted")
	}
}
