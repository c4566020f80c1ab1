package dataplane_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gantryproject/gantry/internal/dataplane"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/sigv4"
	"github.com/gantryproject/gantry/internal/sigv4/sigv4test"
)

var (
	// iamAlice is an IAM user of the APIs' account (a caller of another
	// account would need a resource policy's Allow).
	iamAlice = sigv4.Identity{AccessKeyID: "AKIAALICE", SecretAccessKey: "alice-secret", AccountID: "000000000000",
		UserARN: "arn:aws:iam::000000000000:user/alice", UserID: "AIDAALICE"}
	iamSession = sigv4.Identity{AccessKeyID: "ASIASESSION", SecretAccessKey: "session-secret", SessionToken: "session-token",
		Expiration: time.Now().Add(time.Hour), UserARN: "arn:aws:sts::000000000000:assumed-role/r/s", UserID: "AROAR:s"}
	iamStale = sigv4.Identity{AccessKeyID: "ASIASTALE", SecretAccessKey: "stale-secret", SessionToken: "stale-token",
		Expiration: time.Now().Add(-time.Minute)}
)

// identityTemplate echoes the caller identity IAM authorization fills.
const identityTemplate = `{"accessKey":"$context.identity.accessKey","accountId":"$context.identity.accountId","caller":"$context.identity.caller","user":"$context.identity.user","userArn":"$context.identity.userArn"}`

// newIAMFixture deploys iamapi0001 with an AWS_IAM GET and POST on
// /pets/{id} and an open GET on /open, with the given gateway responses.
func newIAMFixture(t *testing.T, grs map[string]model.GatewayResponse) *fixture {
	t.Helper()
	keys, err := sigv4.NewCredentials(iamAlice, iamSession, iamStale)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, dataplane.Options{Credentials: keys})
	iam := mockMethod("200", identityTemplate, nil)
	iam.AuthorizationType = "AWS_IAM"
	f.deploy(api{id: "iamapi0001", gatewayResponses: grs, methods: map[string]map[string]model.Method{
		"/pets/{id}": {"GET": iam, "POST": iam},
		"/open":      {"GET": mockMethod("200", identityTemplate, nil)},
	}})
	return f
}

func payloadHash(body string) string {
	s := sha256.Sum256([]byte(body))
	return hex.EncodeToString(s[:])
}

func signRequest(t *testing.T, req *http.Request, body string, id sigv4.Identity, service, region string, at time.Time) *http.Request {
	t.Helper()
	creds := aws.Credentials{AccessKeyID: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey, SessionToken: id.SessionToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash(body), service, region, at); err != nil {
		t.Fatal(err)
	}
	return req
}

func TestIAMSignedCallsAreServed(t *testing.T) {
	f := newIAMFixture(t, nil)
	want := `{"accessKey":"AKIAALICE","accountId":"000000000000","caller":"AIDAALICE","user":"AIDAALICE","userArn":"arn:aws:iam::000000000000:user/alice"}`
	t.Run("aws-sdk-go-v2 header", func(t *testing.T) {
		req := mustRequest(t, "GET", f.url("iamapi0001", "test", "/pets/a%20b?q=x%20y&q=%C3%A9&z="), nil)
		r := f.do(signRequest(t, req, "", iamAlice, "execute-api", "us-east-1", time.Now()))
		if r.status != 200 || r.body != want {
			t.Errorf("got %d %s", r.status, r.body)
		}
	})
	t.Run("aws-sdk-go-v2 body and session token", func(t *testing.T) {
		req := mustRequest(t, "POST", f.url("iamapi0001", "test", "/pets/1"), strings.NewReader(`{"a":1}`))
		req.Header.Set("Content-Type", "application/json")
		r := f.do(signRequest(t, req, `{"a":1}`, iamSession, "execute-api", "us-east-1", time.Now()))
		if want := `{"accessKey":"ASIASESSION","accountId":"000000000000","caller":"AROAR:s","user":"AROAR:s","userArn":"arn:aws:sts::000000000000:assumed-role/r/s"}`; r.status != 200 || r.body != want {
			t.Errorf("got %d %s", r.status, r.body)
		}
	})
	t.Run("aws-sdk-go-v2 presigned", func(t *testing.T) {
		req := mustRequest(t, "GET", f.url("iamapi0001", "test", "/pets/7?X-Amz-Expires=60"), nil)
		creds := aws.Credentials{AccessKeyID: iamAlice.AccessKeyID, SecretAccessKey: iamAlice.SecretAccessKey}
		u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payloadHash(""), "execute-api", "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r := f.do(mustRequest(t, "GET", u, nil)); r.status != 200 || r.body != want {
			t.Errorf("got %d %s", r.status, r.body)
		}
	})
	t.Run("botocore", func(t *testing.T) {
		base := f.srv.URL + "/restapis/iamapi0001/test/_user_request_"
		cases := []sigv4test.Case{
			{Name: "header", Method: "GET", Path: "/pets/%C3%A9?q=a%20b&q=c&z="},
			{Name: "post", Method: "POST", Path: "/pets/1", Body: `{"n":1}`, Headers: map[string]string{"Content-Type": "application/json"}},
			{Name: "presigned", Method: "GET", Path: "/pets/a%20b?q=a%20b", Presign: true},
			{Name: "session", Method: "GET", Path: "/pets/1", Key: iamSession.AccessKeyID, Secret: iamSession.SecretAccessKey, Token: iamSession.SessionToken},
		}
		for i := range cases {
			if cases[i].Key == "" {
				cases[i].Key, cases[i].Secret = iamAlice.AccessKeyID, iamAlice.SecretAccessKey
			}
		}
		for name, r := range sigv4test.Botocore(t, base, cases) {
			if r.Status != 200 || !strings.Contains(r.Body, `"accessKey":"A`) {
				t.Errorf("%s: got %d %s", name, r.Status, r.Body)
			}
		}
	})
	t.Run("open method has no identity", func(t *testing.T) {
		if r := f.get("iamapi0001", "test", "/open"); r.status != 200 || r.body != `{"accessKey":"","accountId":"","caller":"","user":"","userArn":""}` {
			t.Errorf("got %d %s", r.status, r.body)
		}
	})
}

// iamFailure is a call to an AWS_IAM method that API Gateway rejects.
type iamFailure struct {
	name, typ, errorType string
	message              string // $context.error.message, or its prefix when prefix
	prefix               bool
	req                  func(f *fixture) *http.Request
}

func iamFailures(t *testing.T) []iamFailure {
	get := func(f *fixture) *http.Request {
		req := mustRequest(t, "GET", f.url("iamapi0001", "test", "/pets/1?q=1"), nil)
		req.Header.Set("Origin", "https://example.com")
		return req
	}
	signed := func(id sigv4.Identity, service, region string, at time.Time) func(f *fixture) *http.Request {
		return func(f *fixture) *http.Request { return signRequest(t, get(f), "", id, service, region, at) }
	}
	return []iamFailure{
		{"unsigned", "MISSING_AUTHENTICATION_TOKEN", "MissingAuthenticationTokenException", "Missing Authentication Token", false, get},
		{"bearer token", "MISSING_AUTHENTICATION_TOKEN", "IncompleteSignatureException",
			"'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'.", false,
			func(f *fixture) *http.Request {
				req := get(f)
				req.Header.Set("Authorization", "Bearer abc")
				return req
			}},
		{"wrong secret", "INVALID_SIGNATURE", "InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'GET\n/restapis/iamapi0001/test/_user_request_/pets/1\nq=1\n", true,
			signed(sigv4.Identity{AccessKeyID: iamAlice.AccessKeyID, SecretAccessKey: "wrong"}, "execute-api", "us-east-1", time.Now())},
		{"signed too long ago", "INVALID_SIGNATURE", "InvalidSignatureException", "Signature expired: ", true,
			signed(iamAlice, "execute-api", "us-east-1", time.Now().Add(-6*time.Minute))},
		{"signed in the future", "INVALID_SIGNATURE", "InvalidSignatureException", "Signature not yet current: ", true,
			signed(iamAlice, "execute-api", "us-east-1", time.Now().Add(6*time.Minute))},
		{"signed for another service", "INVALID_SIGNATURE", "InvalidSignatureException",
			"Credential should be scoped to correct service: 'execute-api'. ", false, signed(iamAlice, "apigateway", "us-east-1", time.Now())},
		{"signed for another region", "INVALID_SIGNATURE", "InvalidSignatureException",
			"Credential should be scoped to a valid region, not 'eu-west-1'. ", false, signed(iamAlice, "execute-api", "eu-west-1", time.Now())},
		{"expired session", "EXPIRED_TOKEN", "ExpiredTokenException", "The security token included in the request is expired", false,
			signed(iamStale, "execute-api", "us-east-1", time.Now())},
		{"unknown access key", "ACCESS_DENIED", "AccessDeniedException", "The security token included in the request is invalid.", false,
			signed(sigv4.Identity{AccessKeyID: "AKIANOBODY", SecretAccessKey: "x"}, "execute-api", "us-east-1", time.Now())},
	}
}

func TestIAMFailuresBuiltIn(t *testing.T) {
	f := newIAMFixture(t, nil)
	for _, c := range iamFailures(t) {
		t.Run(c.name, func(t *testing.T) {
			r := f.do(c.req(f))
			key := "message"
			if c.typ == "ACCESS_DENIED" {
				key = "Message" // the built-in ACCESS_DENIED body's capital M
			}
			if r.status != 403 || r.header.Get("x-amzn-ErrorType") != c.errorType {
				t.Errorf("got %d %s, want 403 %s", r.status, r.header.Get("x-amzn-ErrorType"), c.errorType)
			}
			msg := jsonString(c.message)
			if c.prefix {
				msg = strings.TrimSuffix(msg, `"`)
			}
			if !strings.HasPrefix(r.body, `{"`+key+`":`+msg) || !strings.HasSuffix(r.body, "}") {
				t.Errorf("body: got %s\nwant %s", r.body, msg)
			}
			if r.header.Get("Access-Control-Allow-Origin") != "" || r.header.Get("Content-Length") != strconv.Itoa(len(r.body)) {
				t.Errorf("headers: %v", r.header)
			}
		})
	}
}

func TestIAMFailuresCustomized(t *testing.T) {
	grs := map[string]model.GatewayResponse{}
	for _, typ := range []string{"MISSING_AUTHENTICATION_TOKEN", "INVALID_SIGNATURE", "EXPIRED_TOKEN", "ACCESS_DENIED"} {
		grs[typ] = customization(typ, "401")
	}
	f := newIAMFixture(t, grs)
	for _, c := range iamFailures(t) {
		t.Run(c.name, func(t *testing.T) {
			r := f.do(c.req(f))
			if r.status != 401 || r.header.Get("x-amzn-ErrorType") != c.errorType ||
				r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("X-Origin") != "https://example.com" || r.header.Get("X-Query") != "1" {
				t.Errorf("got %d %v", r.status, r.header)
			}
			msg := jsonString(c.message)
			if c.prefix {
				msg = strings.TrimSuffix(msg, `"`)
			}
			if !strings.HasPrefix(r.body, `{"custom":`+msg) ||
				!strings.HasSuffix(r.body, `,"type":"`+c.typ+`","stage":"test","resource":"/pets/{id}","v":"","by":"`+c.typ+`"}`) {
				t.Errorf("body: got %s", r.body)
			}
		})
	}
	// Only the family customized: DEFAULT_4XX governs every IAM failure.
	f = newIAMFixture(t, map[string]model.GatewayResponse{"DEFAULT_4XX": customization("DEFAULT_4XX", "")})
	for _, c := range iamFailures(t) {
		r := f.do(c.req(f))
		if r.status != 403 || !strings.Contains(r.body, `"type":"`+c.typ+`"`) || !strings.Contains(r.body, `"by":"DEFAULT_4XX"`) {
			t.Errorf("%s with DEFAULT_4XX: got %d %s", c.name, r.status, r.body)
		}
	}
}

// jsonString is s as a JSON string literal, escaped as gateway responses
// escape $context.error.messageString.
func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// TestIAMBeforeAPIKey: API Gateway authenticates the caller before it looks
// at the API key, so an unsigned call to a keyed AWS_IAM method is
// MISSING_AUTHENTICATION_TOKEN, and a signed one without a key
// INVALID_API_KEY.
func TestIAMBeforeAPIKey(t *testing.T) {
	keys, _ := sigv4.NewCredentials(iamAlice)
	f := newFixtureWith(t, dataplane.Options{Credentials: keys})
	const key = "iam-and-key-value-0123456789"
	f.changeLimits(func(tx storeTx) error {
		p := plan("iamplan001", "iamkeyed01", "test", nil, nil)
		if err := tx.CreateUsagePlan(p); err != nil {
			return err
		}
		return addKeys(tx, p.ID, model.APIKey{ID: "iamkey0001", Value: key, Enabled: true})
	})
	m := mockMethod("200", `{"key":"$context.identity.apiKeyId","arn":"$context.identity.userArn"}`, nil)
	m.AuthorizationType, m.APIKeyRequired = "AWS_IAM", true
	f.deploy(api{id: "iamkeyed01", methods: map[string]map[string]model.Method{"/r": {"GET": m}}})
	call := func(sign bool, apiKey string) response {
		req := mustRequest(t, "GET", f.url("iamkeyed01", "test", "/r"), nil)
		if apiKey != "" {
			req.Header.Set("x-api-key", apiKey)
		}
		if sign {
			signRequest(t, req, "", iamAlice, "execute-api", "us-east-1", time.Now())
		}
		return f.do(req)
	}
	wantError(t, call(false, ""), 403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`)
	wantError(t, call(false, key), 403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`)
	wantError(t, call(true, ""), 403, "ForbiddenException", `{"message":"Forbidden"}`)
	if r := call(true, key); r.status != 200 || r.body != `{"key":"iamkey0001","arn":"arn:aws:iam::000000000000:user/alice"}` {
		t.Errorf("signed with a key: %d %s", r.status, r.body)
	}
}

// TestIAMAddressForms: the signature covers the host and path the client
// used, whichever of the invocation address forms it is.
func TestIAMAddressForms(t *testing.T) {
	f := newIAMFixture(t, nil)
	port := f.srv.URL[strings.LastIndex(f.srv.URL, ":")+1:]
	for _, tc := range []struct{ name, host, path string }{
		{"host name", "iamapi0001.execute-api.localhost:" + port, "/test/pets/1"},
		{"_aws path", "", "/_aws/execute-api/iamapi0001/test/pets/1"},
		{"_user_request_ path", "", "/restapis/iamapi0001/test/_user_request_/pets/1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := mustRequest(t, "GET", f.srv.URL+tc.path, nil)
			if tc.host != "" {
				req.Host = tc.host
			}
			if r := f.do(signRequest(t, req, "", iamAlice, "execute-api", "us-east-1", time.Now())); r.status != 200 {
				t.Errorf("got %d %s", r.status, r.body)
			}
		})
	}
	// A signed call to a path no method serves is still a routing miss.
	req := mustRequest(t, "GET", f.url("iamapi0001", "test", "/nothing"), nil)
	wantError(t, f.do(signRequest(t, req, "", iamAlice, "execute-api", "us-east-1", time.Now())),
		403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`)
}

// TestIAMPresignedLimits: a presigned URL expires after X-Amz-Expires
// seconds (at most a week), and carries the session token in its query.
func TestIAMPresignedLimits(t *testing.T) {
	f := newIAMFixture(t, nil)
	presign := func(id sigv4.Identity, expires string, at time.Time) string {
		req := mustRequest(t, "GET", f.url("iamapi0001", "test", "/pets/1?X-Amz-Expires="+expires), nil)
		creds := aws.Credentials{AccessKeyID: id.AccessKeyID, SecretAccessKey: id.SecretAccessKey, SessionToken: id.SessionToken}
		u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, payloadHash(""), "execute-api", "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	if r := f.do(mustRequest(t, "GET", presign(iamSession, "3600", time.Now().Add(-30*time.Minute)), nil)); r.status != 200 || !strings.Contains(r.body, `"accessKey":"ASIASESSION"`) {
		t.Errorf("session, within expiry: %d %s", r.status, r.body)
	}
	r := f.do(mustRequest(t, "GET", presign(iamAlice, "60", time.Now().Add(-2*time.Minute)), nil))
	if r.status != 403 || r.header.Get("x-amzn-ErrorType") != "InvalidSignatureException" || !strings.HasPrefix(r.body, `{"message":"Signature expired: `) {
		t.Errorf("expired: %d %s", r.status, r.body)
	}
	r = f.do(mustRequest(t, "GET", presign(iamAlice, "604801", time.Now()), nil))
	wantError(t, r, 403, "IncompleteSignatureException", `{"message":"X-Amz-Expires must be less than a week (in seconds) that is 604800"}`)
}
