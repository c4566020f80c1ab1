// Package authorizertest provides what tests of authorizers need at their
// network boundaries: a Lambda authorizer function whose answer is chosen
// by the token it receives (served by lambdatest's Invoke endpoint), and a
// Cognito-like token issuer that signs RS256 JWTs and serves its keys as a
// JWKS document over HTTP on loopback.
package authorizertest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gantryproject/gantry/internal/lambda/lambdatest"
)

// Policy returns a policy document with one statement of effect over
// execute-api:Invoke on resources.
func Policy(effect string, resources ...string) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resources},
	}}
}

// Function is a Lambda authorizer for tests. For a TOKEN event it answers
// by token (for a REQUEST event, by the "token" query string parameter,
// else the X-Token header):
//
//   - "allow:<resource>": Allow on that resource (e.g. "allow:*"), with
//     principalId "user-1", context {"user":"alice","n":3,"admin":true}
//     and usageIdentifierKey set to the Function's UsageKey;
//   - "deny:<resource>": an explicit Deny on it, with context
//     {"reason":"account suspended"};
//   - "unauthorized": the error "Unauthorized";
//   - "boom": another error;
//   - "malformed": output without principalId or policy;
//   - "badcontext": an Allow with an object in its context;
//   - anything else: not found by the test, so it fails.
type Function struct {
	UsageKey string

	mu     sync.Mutex
	events []map[string]any
}

// Handler is f as a lambdatest handler.
func (f *Function) Handler(t testing.TB) lambdatest.Handler {
	return func(_ context.Context, inv lambdatest.Invocation) lambdatest.Response {
		var ev map[string]any
		if err := json.Unmarshal(inv.Payload, &ev); err != nil {
			t.Errorf("authorizer event: %v", err)
		}
		f.mu.Lock()
		f.events = append(f.events, ev)
		f.mu.Unlock()
		token, _ := ev["authorizationToken"].(string)
		if ev["type"] == "REQUEST" {
			if q, ok := ev["queryStringParameters"].(map[string]any); ok {
				token, _ = q["token"].(string)
			}
			if h, ok := ev["headers"].(map[string]any); ok && token == "" {
				token, _ = h["X-Token"].(string)
			}
		}
		verb, arg, _ := strings.Cut(token, ":")
		ctx := map[string]any{"user": "alice", "n": 3, "admin": true}
		switch verb {
		case "allow":
			return lambdatest.Result(map[string]any{"principalId": "user-1", "policyDocument": Policy("Allow", arg),
				"context": ctx, "usageIdentifierKey": f.UsageKey})
		case "deny":
			return lambdatest.Result(map[string]any{"principalId": "user-1", "policyDocument": Policy("Deny", arg),
				"context": map[string]any{"reason": "account suspended"}})
		case "unauthorized":
			return lambdatest.Error("Error", "Unauthorized")
		case "boom":
			return lambdatest.Error("Error", "something broke")
		case "malformed":
			return lambdatest.Result(map[string]any{"hello": "world"})
		case "badcontext":
			return lambdatest.Result(map[string]any{"principalId": "user-1", "policyDocument": Policy("Allow", "*"),
				"context": map[string]any{"nested": map[string]any{"a": 1}}})
		}
		t.Errorf("authorizer called with unexpected token %q", token)
		return lambdatest.Error("Error", "unexpected token")
	}
}

// Events returns the events the function received, oldest first.
func (f *Function) Events() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.events...)
}

// Issuer signs tokens for user pools and serves their keys at
// {URL}/{poolId}/.well-known/jwks.json, as Cognito does under
// https://cognito-idp.{region}.amazonaws.com.
type Issuer struct {
	*httptest.Server
	key *rsa.PrivateKey
	// Kid names the signing key.
	Kid string
}

// NewIssuer starts an issuer on 127.0.0.1, closed when the test ends.
func NewIssuer(t testing.TB) *Issuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	iss := &Issuer{key: key, Kid: "test-key-1"}
	iss.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/.well-known/jwks.json") {
			http.NotFound(w, r)
			return
		}
		pub := key.PublicKey
		doc := map[string]any{"keys": []any{map[string]any{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": iss.Kid,
			"n": base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		}}}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(iss.Close)
	return iss
}

// IssuerOf is the iss claim of tokens of poolID.
func (i *Issuer) IssuerOf(poolID string) string { return i.URL + "/" + poolID }

// Sign returns an RS256 JWT of claims signed with the issuer's key.
func (i *Issuer) Sign(t testing.TB, claims map[string]any) string {
	t.Helper()
	return i.SignWith(t, i.key, i.Kid, claims)
}

// SignWith signs claims with another key under kid (to forge a token).
func (i *Issuer) SignWith(t testing.TB, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signing := enc(map[string]any{"alg": "RS256", "kid": kid, "typ": "JWT"}) + "." + enc(claims)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}
