package dataplane_test

import (
	"context"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/authorizer/authorizertest"
	"github.com/gantryproject/gantry/internal/dataplane"
	"github.com/gantryproject/gantry/internal/front/fronttest"
	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/lambda/lambdatest"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/ratelimit"
	"github.com/gantryproject/gantry/internal/store"
)

const authURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"

// authFixture is a data plane with a moved clock whose Lambda authorizers
// are served by an authorizertest.Function.
type authFixture struct {
	*fixture
	clock *ratelimit.ManualClock
	fn    *authorizertest.Function
	inv   *lambdatest.Server
}

func newAuthFixture(t *testing.T, opts dataplane.Options) *authFixture {
	t.Helper()
	fn := &authorizertest.Function{UsageKey: "a-key-value-0123456789012"}
	inv := lambdatest.NewServer(t, fn.Handler(t))
	lc, err := lambda.New(lambda.Config{Endpoint: inv.URL})
	if err != nil {
		t.Fatal(err)
	}
	clock := ratelimit.NewManualClock(epoch)
	opts.Now, opts.Lambda = clock.Now, lc
	return &authFixture{fixture: newFixtureWith(t, opts), clock: clock, fn: fn, inv: inv}
}

// guarded is a MOCK method behind authorizer id, echoing the principal in
// its body and the context's user in a mapped header.
func guarded(id string) model.Method {
	m := mockMethod("200", `$context.authorizer.principalId $context.authorizer.user`, map[string]string{"X-User": "context.authorizer.user"})
	m.AuthorizationType, m.AuthorizerID = "CUSTOM", id
	return m
}

func (f *authFixture) calls() int { return len(f.inv.Invocations()) }

func tokenAuthorizer(ttl int64) model.Authorizer {
	return model.Authorizer{ID: "tok001", Name: "tok", Type: model.AuthorizerToken, AuthorizerURI: authURI,
		IdentitySource: "method.request.header.Authorization", ResultTTLInSeconds: ttl}
}

// TestAuthorizerCache: a TOKEN result is cached for the TTL (moved clock),
// keyed by the token; the cached policy is evaluated for each method, so a
// cached Allow of GET /pets does not admit GET /admin; a redeployment and
// FlushStageAuthorizersCache empty the cache.
func TestAuthorizerCache(t *testing.T) {
	f := newAuthFixture(t, dataplane.Options{})
	deploy := func() {
		f.deploy(api{id: "cache00001", authorizers: []model.Authorizer{tokenAuthorizer(300)},
			methods: map[string]map[string]model.Method{"/pets": {"GET": guarded("tok001")}, "/admin": {"GET": guarded("tok001")}}})
	}
	deploy()
	allowPets := "allow:arn:aws:execute-api:us-east-1:000000000000:cache00001/test/GET/pets"
	ok := func(label, path, token string, wantStatus, wantCalls int) {
		t.Helper()
		r := f.get("cache00001", "test", path, "Authorization", token)
		if r.status != wantStatus || f.calls() != wantCalls {
			t.Errorf("%s: status %d (want %d), %d calls (want %d), body %s", label, r.status, wantStatus, f.calls(), wantCalls, r.body)
		}
	}
	ok("first call", "/pets", allowPets, 200, 1)
	ok("cached", "/pets", allowPets, 200, 1)
	ok("cached policy, other method", "/admin", allowPets, 403, 1)
	ok("other token", "/pets", "allow:*", 200, 2)
	f.clock.Advance(299 * time.Second)
	ok("just before the TTL", "/pets", allowPets, 200, 2)
	f.clock.Advance(time.Second)
	ok("TTL over", "/pets", allowPets, 200, 3)
	f.dp.FlushAuthorizerCache(testScope, "cache00001", "test")
	ok("after a flush", "/pets", allowPets, 200, 4)
	// Another stage's creation recompiles this one on the same deployment:
	// the cache stays.
	err := f.st.Update(context.Background(), testScope, func(tx store.Tx) error {
		st, err := tx.Stage("cache00001", "test")
		if err != nil {
			return err
		}
		return tx.CreateStage("cache00001", model.Stage{Name: "other", DeploymentID: st.DeploymentID})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.dp.Reload(context.Background(), testScope, "cache00001"); err != nil {
		t.Fatal(err)
	}
	ok("after another stage's change", "/pets", allowPets, 200, 4)
	deploy()
	ok("after a redeployment", "/pets", allowPets, 200, 5)
	// Failures are not cached.
	ok("unauthorized", "/pets", "unauthorized", 401, 6)
	ok("unauthorized again", "/pets", "unauthorized", 401, 7)

	// TTL 0: no caching.
	f.deploy(api{id: "cache00002", authorizers: []model.Authorizer{tokenAuthorizer(0)},
		methods: map[string]map[string]model.Method{"/pets": {"GET": guarded("tok001")}}})
	for i := 0; i < 2; i++ {
		if r := f.get("cache00002", "test", "/pets", "Authorization", "allow:*"); r.status != 200 {
			t.Errorf("uncached: %d %s", r.status, r.body)
		}
	}
	if f.calls() != 9 {
		t.Errorf("TTL 0: %d calls, want 9", f.calls())
	}
}

// TestRequestAuthorizer reads identity from headers, query strings, stage
// variables and context, answers 401 without calling the function when one
// is missing, sends AWS's REQUEST event, and caches by all identity values.
func TestRequestAuthorizer(t *testing.T) {
	f := newAuthFixture(t, dataplane.Options{})
	req := model.Authorizer{ID: "req001", Name: "req", Type: model.AuthorizerRequest, AuthorizerURI: authURI, ResultTTLInSeconds: 60,
		IdentitySource: "method.request.querystring.token, method.request.header.X-Tenant, stageVariables.env, context.httpMethod"}
	f.deploy(api{id: "request001", authorizers: []model.Authorizer{req}, variables: map[string]string{"env": "dev"},
		methods: map[string]map[string]model.Method{"/pets/{id}": {"GET": guarded("req001")}}})
	get := func(query string, header ...string) response {
		t.Helper()
		return f.get("request001", "test", "/pets/7"+query, header...)
	}
	wantError(t, get("?token=allow:*"), 401, "UnauthorizedException", `{"message":"Unauthorized"}`)
	wantError(t, get("", "X-Tenant", "t1"), 401, "UnauthorizedException", `{"message":"Unauthorized"}`)
	if f.calls() != 0 {
		t.Fatalf("called %d times without the identity", f.calls())
	}
	if r := get("?token=allow:*", "X-Tenant", "t1"); r.status != 200 || r.body != "user-1 alice" || r.header.Get("X-User") != "alice" {
		t.Errorf("allowed: %d %s", r.status, r.body)
	}
	ev := f.fn.Events()[0]
	rc, _ := ev["requestContext"].(map[string]any)
	if ev["type"] != "REQUEST" || ev["resource"] != "/pets/{id}" || ev["path"] != "/pets/7" || ev["httpMethod"] != "GET" ||
		ev["methodArn"] != "arn:aws:execute-api:us-east-1:000000000000:request001/test/GET/pets/7" ||
		ev["pathParameters"].(map[string]any)["id"] != "7" || ev["stageVariables"].(map[string]any)["env"] != "dev" ||
		ev["headers"].(map[string]any)["X-Tenant"] != "t1" || rc["stage"] != "test" || rc["resourcePath"] != "/pets/{id}" {
		t.Errorf("REQUEST event: %v", ev)
	}
	get("?token=allow:*", "X-Tenant", "t1")
	if f.calls() != 1 {
		t.Errorf("same identity: %d calls, want 1 (cached)", f.calls())
	}
	get("?token=allow:*", "X-Tenant", "t2")
	if f.calls() != 2 {
		t.Errorf("another tenant: %d calls, want 2", f.calls())
	}
}

// TestAuthorizerUsageIdentifierKey: with apiKeySource AUTHORIZER, the key
// is the authorizer's usageIdentifierKey, not the x-api-key header.
func TestAuthorizerUsageIdentifierKey(t *testing.T) {
	f := newAuthFixture(t, dataplane.Options{})
	m := guarded("tok001")
	m.APIKeyRequired = true
	f.deploy(api{id: "usagekey01", apiKeySource: "AUTHORIZER", authorizers: []model.Authorizer{tokenAuthorizer(0)},
		methods: map[string]map[string]model.Method{"/pets": {"GET": m}}})
	err := f.st.Update(context.Background(), testScope, func(tx store.Tx) error {
		if err := tx.CreateUsagePlan(plan("plan000001", "usagekey01", "test", nil, nil)); err != nil {
			return err
		}
		return addKeys(tx, "plan000001", model.APIKey{ID: "key0000001", Value: "a-key-value-0123456789012", Enabled: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.dp.ReloadLimits(context.Background(), testScope); err != nil {
		t.Fatal(err)
	}
	if r := f.get("usagekey01", "test", "/pets", "Authorization", "allow:*"); r.status != 200 {
		t.Errorf("key from the authorizer: %d %s", r.status, r.body)
	}
	f.fn.UsageKey = "not-a-key"
	wantError(t, f.get("usagekey01", "test", "/pets", "Authorization", "allow:*", "x-api-key", "a-key-value-0123456789012"),
		403, "ForbiddenException", forbidden)
}

// TestAuthorizerTimeout: an authorizer that does not answer in time is an
// AUTHORIZER_CONFIGURATION_ERROR.
func TestAuthorizerTimeout(t *testing.T) {
	slow := lambdatest.NewServer(t, func(ctx context.Context, _ lambdatest.Invocation) lambdatest.Response {
		<-ctx.Done()
		return lambdatest.Result(map[string]any{})
	})
	lc, err := lambda.New(lambda.Config{Endpoint: slow.URL})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, dataplane.Options{Lambda: lc, AuthorizerTimeout: 50 * time.Millisecond})
	f.deploy(api{id: "timeout001", authorizers: []model.Authorizer{tokenAuthorizer(0)},
		methods: map[string]map[string]model.Method{"/pets": {"GET": guarded("tok001")}}})
	start := time.Now()
	wantError(t, f.get("timeout001", "test", "/pets", "Authorization", "x"), 500, "AuthorizerConfigurationException", `{"message":null}`)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

// TestCognitoCacheStopsAtExpiry: a cached Cognito result is not used past
// the token's exp, however long the TTL.
func TestCognitoCacheStopsAtExpiry(t *testing.T) {
	iss := authorizertest.NewIssuer(t)
	f := newAuthFixture(t, dataplane.Options{CognitoURL: iss.URL})
	a := model.Authorizer{ID: "pool01", Type: model.AuthorizerCognito, ProviderARNs: []string{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/${stageVariables.pool}"},
		IdentitySource: "method.request.header.Authorization", ResultTTLInSeconds: 3600}
	m := mockMethod("200", `$context.authorizer.claims.sub`, nil)
	m.AuthorizationType, m.AuthorizerID = "COGNITO_USER_POOLS", "pool01"
	f.deploy(api{id: "cognito001", authorizers: []model.Authorizer{a}, variables: map[string]string{"pool": "us-east-1_P"}, methods: map[string]map[string]model.Method{"/me": {"GET": m}}})
	tok := iss.Sign(t, map[string]any{"sub": "u-9", "iss": iss.IssuerOf("us-east-1_P"), "token_use": "id", "exp": epoch.Unix() + 60})
	if r := f.get("cognito001", "test", "/me", "Authorization", tok); r.status != 200 || r.body != "u-9" {
		t.Errorf("valid: %d %s", r.status, r.body)
	}
	f.clock.Advance(61 * time.Second)
	wantError(t, f.get("cognito001", "test", "/me", "Authorization", tok), 401, "UnauthorizedException", `{"message":"Unauthorized"}`)
	// Keys out of reach are the authorizer's failure, not the caller's.
	gone := closedURL(t)
	g := newAuthFixture(t, dataplane.Options{CognitoURL: gone})
	g.deploy(api{id: "cognito002", authorizers: []model.Authorizer{a}, variables: map[string]string{"pool": "us-east-1_P"}, methods: map[string]map[string]model.Method{"/me": {"GET": m}}})
	orphan := iss.Sign(t, map[string]any{"sub": "u-9", "iss": gone + "/us-east-1_P", "token_use": "id", "exp": epoch.Unix() + 600})
	wantError(t, g.get("cognito002", "test", "/me", "Authorization", orphan), 500, "AuthorizerFailureException", `{"message":null}`)
}

// BenchmarkAuthorizerCached measures a MOCK call behind a TOKEN authorizer
// whose result is cached: the cache lookup and the policy evaluated for the
// method ARN, against BenchmarkMockInvoke's bare pipeline.
func BenchmarkAuthorizerCached(b *testing.B) {
	fn := &authorizertest.Function{}
	inv := lambdatest.NewServer(b, fn.Handler(b))
	lc, err := lambda.New(lambda.Config{Endpoint: inv.URL})
	if err != nil {
		b.Fatal(err)
	}
	f := newFixtureWith(b, dataplane.Options{Lambda: lc})
	f.changeLimits(func(tx store.Tx) error {
		return tx.PutAccount(model.Account{Throttle: model.ThrottleSettings{BurstLimit: -1, RateLimit: -1}})
	})
	f.deploy(api{id: "benchauth1", authorizers: []model.Authorizer{tokenAuthorizer(3600)},
		methods: map[string]map[string]model.Method{"/pets/{petId}": {"GET": guarded("tok001")}}})
	req := fronttest.NewRequestCtx("GET", "/restapis/benchauth1/test/_user_request_/pets/42")
	req.Request.Header.Set("Authorization", "allow:arn:aws:execute-api:*:*:benchauth1/*/GET/pets/*")
	benchServe(b, f, req, 200, nil)
	if n := len(inv.Invocations()); n != 1 {
		b.Errorf("the authorizer ran %d times, want 1", n)
	}
}
