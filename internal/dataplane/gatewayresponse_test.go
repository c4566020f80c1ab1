package dataplane_test

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
)

var update = flag.Bool("update", false, "rewrite golden files")

// errorCondition is a request that the data plane rejects with a gateway
// response of the given type.
type errorCondition struct {
	name string
	typ  string
	req  func(f *fixture, apiID string) *http.Request
}

func errorConditions(slowURL, closedURL string) ([]errorCondition, map[string]map[string]model.Method) {
	never := mockMethod("200", "ok", nil)
	never.Integration.PassthroughBehavior = model.PassthroughNever
	never.Integration.RequestTemplates = map[string]string{"application/xml": `{"statusCode": 200}`}
	keyed := mockMethod("200", "ok", nil)
	keyed.APIKeyRequired = true
	methods := map[string]map[string]model.Method{
		"/pets/{id}":     {"GET": mockMethod("200", "ok", nil)},
		"/keyed":         {"GET": keyed},
		"/throttled":     {"GET": mockMethod("200", "ok", nil)},
		"/slow":          {"GET": proxyMethod(slowURL, 50)},
		"/refused":       {"GET": proxyMethod(closedURL, 0)},
		"/misconfigured": {"GET": proxyMethod("http://${stageVariables.undefined}/", 0)},
		"/upload":        {"POST": never},
	}
	get := func(path string) func(f *fixture, apiID string) *http.Request {
		return func(f *fixture, apiID string) *http.Request {
			req, _ := http.NewRequest("GET", f.url(apiID, "test", path), nil)
			req.Header.Set("Origin", "https://example.com")
			return req
		}
	}
	return []errorCondition{
		{"unknown path", "MISSING_AUTHENTICATION_TOKEN", get("/nothing/here?q=1")},
		{"undefined method", "MISSING_AUTHENTICATION_TOKEN", func(f *fixture, apiID string) *http.Request {
			req, _ := http.NewRequest("DELETE", f.url(apiID, "test", "/pets/5?q=1"), nil)
			return req
		}},
		{"timeout", "INTEGRATION_TIMEOUT", get("/slow")},
		{"refused", "INTEGRATION_FAILURE", get("/refused")},
		{"invalid endpoint", "API_CONFIGURATION_ERROR", get("/misconfigured")},
		{"unsupported media type", "UNSUPPORTED_MEDIA_TYPE", func(f *fixture, apiID string) *http.Request {
			req, _ := http.NewRequest("POST", f.url(apiID, "test", "/upload"), strings.NewReader(`{}`))
			req.Header.Set("Content-Type", "application/json")
			return req
		}},
		{"no API key", "INVALID_API_KEY", get("/keyed?q=1")},
		{"throttled", "THROTTLED", get("/throttled?q=1")},
		{"quota exceeded", "QUOTA_EXCEEDED", func(f *fixture, apiID string) *http.Request {
			req := get("/keyed?q=1")(f, apiID)
			req.Header.Set("x-api-key", exhaustedKey)
			return req
		}},
		{"too large", "REQUEST_TOO_LARGE", func(f *fixture, apiID string) *http.Request {
			req, _ := http.NewRequest("POST", f.url(apiID, "test", "/upload"), bytes.NewReader(make([]byte, 10<<20+1)))
			return req
		}},
	}, methods
}

// exhaustedKey is an API key whose usage plan has a quota of zero.
const exhaustedKey = "exhausted-key-value-0123456789"

// conditionLimits sets up what the INVALID_API_KEY, THROTTLED and
// QUOTA_EXCEEDED conditions need: /throttled is switched off by its stage
// method settings (rate 0, burst 0), and exhaustedKey's plan allows nothing.
func conditionLimits(f *fixture, apiID string) map[string]model.MethodSetting {
	f.changeLimits(func(tx store.Tx) error {
		p := plan("exhausted1", apiID, "test", nil, &model.QuotaSettings{Limit: 0, Period: model.QuotaMonth})
		if err := tx.CreateUsagePlan(p); err != nil {
			return err
		}
		return addKeys(tx, p.ID, model.APIKey{ID: "exhausted1", Value: exhaustedKey, Enabled: true})
	})
	return map[string]model.MethodSetting{"~1throttled/GET": {}}
}

func family(typ string) string {
	switch typ {
	case "INTEGRATION_TIMEOUT", "INTEGRATION_FAILURE", "API_CONFIGURATION_ERROR":
		return "DEFAULT_5XX"
	}
	return "DEFAULT_4XX"
}

// customization is what the tests customize a type (or family) with.
func customization(typ, status string) model.GatewayResponse {
	return model.GatewayResponse{
		Type:       typ,
		StatusCode: status,
		ResponseParameters: map[string]string{
			"gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
			"gatewayresponse.header.X-Origin":                    "method.request.header.Origin",
			"gatewayresponse.header.X-Query":                     "method.request.querystring.q",
			"gatewayresponse.header.X-Stage-Var":                 "stageVariables.v",
		},
		ResponseTemplates: map[string]string{"application/json": `{"custom":$context.error.messageString,"type":"$context.error.responseType","stage":"$context.stage","resource":"$context.resourcePath","v":"$stageVariables.v","by":"` + typ + `"}`},
	}
}

var volatile = regexp.MustCompile(`(?m)^(X-Amzn-Requestid|X-Amz-Apigw-Id|Date): .*$`)

// dump renders a response for a golden file, with random ids masked.
func dump(r response) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", r.status)
	keys := make([]string, 0, len(r.header))
	for k := range r.header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(r.header[k], ", "))
	}
	fmt.Fprintf(&b, "\n%s\n", r.body)
	return volatile.ReplaceAllString(b.String(), "$1: <masked>")
}

// TestGatewayResponsesOnLiveTraffic drives every error condition of the
// data plane in three states (built-in, the type customized, only its
// DEFAULT_4XX/5XX family customized) and compares the wire output with
// testdata/gateway-responses.golden.
func TestGatewayResponsesOnLiveTraffic(t *testing.T) {
	f := newFixture(t)
	slow := newSlowBackend(t)
	closed := closedURL(t)
	conds, methods := errorConditions(slow, closed)
	settings := conditionLimits(f, "grapi00001")

	var out strings.Builder
	for _, state := range []string{"built-in", "customized", "family"} {
		for _, c := range conds {
			grs := map[string]model.GatewayResponse{}
			switch state {
			case "customized":
				grs[c.typ] = customization(c.typ, "418")
				// The family is customized too: the type's own
				// customization must win, with nothing merged.
				grs[family(c.typ)] = customization(family(c.typ), "599")
			case "family":
				grs[family(c.typ)] = customization(family(c.typ), "")
			}
			f.deploy(api{id: "grapi00001", methods: methods, gatewayResponses: grs, variables: map[string]string{"v": "sv"}, methodSettings: settings})
			r := f.do(c.req(f, "grapi00001"))
			fmt.Fprintf(&out, "=== %s / %s (%s)\n%s\n", c.name, state, c.typ, dump(r))
		}
	}
	compareGolden(t, "gateway-responses.golden", out.String())
}

func newSlowBackend(t testing.TB) string {
	srv := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	return srv
}

// TestWorkedExample is reference §4.6: a customized
// MISSING_AUTHENTICATION_TOKEN on a resource that exists but lacks the
// method.
func TestWorkedExample(t *testing.T) {
	f := newFixture(t)
	f.deploy(api{id: "custerrapi", stage: "custErr", variables: map[string]string{"a": "a"},
		methods: map[string]map[string]model.Method{"/pets/{petId}": {"GET": mockMethod("200", "ok", nil)}},
		gatewayResponses: map[string]model.GatewayResponse{"MISSING_AUTHENTICATION_TOKEN": {
			Type: "MISSING_AUTHENTICATION_TOKEN", StatusCode: "404",
			ResponseParameters: map[string]string{
				"gatewayresponse.header.Access-Control-Allow-Origin": "'a.b.c'",
				"gatewayresponse.header.x-request-path":              "method.request.path.petId",
				"gatewayresponse.header.x-request-query":             "method.request.querystring.q",
				"gatewayresponse.header.x-request-header":            "method.request.header.Accept",
			},
			ResponseTemplates: map[string]string{"application/json": "{\n     \"message\": $context.error.messageString,\n     \"type\":  \"$context.error.responseType\",\n     \"stage\":  \"$context.stage\",\n     \"resourcePath\":  \"$context.resourcePath\",\n     \"stageVariables.a\":  \"$stageVariables.a\",\n     \"statusCode\": \"'404'\"\n}"},
		}}})
	req := mustRequest(t, "POST", f.url("custerrapi", "custErr", "/pets/5?q=1"), nil)
	req.Header.Set("Accept", "application/json")
	r := f.do(req)
	if r.status != 404 {
		t.Errorf("status %d", r.status)
	}
	for k, v := range map[string]string{
		"Access-Control-Allow-Origin": "a.b.c", "x-request-path": "5", "x-request-query": "1",
		"x-request-header": "application/json", "x-amzn-ErrorType": "MissingAuthenticationTokenException",
		"Content-Type": "application/json",
	} {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s: got %q, want %q", k, got, v)
		}
	}
	want := "{\n     \"message\": \"Missing Authentication Token\",\n     \"type\":  \"MISSING_AUTHENTICATION_TOKEN\",\n     \"stage\":  \"custErr\",\n     \"resourcePath\":  \"/pets/{petId}\",\n     \"stageVariables.a\":  \"a\",\n     \"statusCode\": \"'404'\"\n}"
	if r.body != want {
		t.Errorf("body:\n got %s\nwant %s", r.body, want)
	}
}

// TestRedeploySemantics: a gateway-response change reaches live traffic only
// through a new deployment.
func TestRedeploySemantics(t *testing.T) {
	f := newFixture(t)
	methods := map[string]map[string]model.Method{"/": {"GET": mockMethod("200", "ok", nil)}}
	f.deploy(api{id: "redeploy01", methods: methods})
	if r := f.get("redeploy01", "test", "/missing"); r.status != 403 {
		t.Fatalf("before: %d", r.status)
	}
	// Customize without deploying, then make the data plane reload (as a
	// stage update would): the stage still serves its deployment.
	custom := model.GatewayResponse{Type: "MISSING_AUTHENTICATION_TOKEN", StatusCode: "404"}
	if err := f.st.Update(t.Context(), testScope, func(tx storeTx) error { return tx.PutGatewayResponse("redeploy01", custom) }); err != nil {
		t.Fatal(err)
	}
	if err := f.dp.Reload(t.Context(), testScope, "redeploy01"); err != nil {
		t.Fatal(err)
	}
	if r := f.get("redeploy01", "test", "/missing"); r.status != 403 {
		t.Fatalf("undeployed change is live: %d", r.status)
	}
	f.deploy(api{id: "redeploy01", methods: methods, gatewayResponses: map[string]model.GatewayResponse{custom.Type: custom}})
	if r := f.get("redeploy01", "test", "/missing"); r.status != 404 {
		t.Fatalf("after deployment: %d", r.status)
	}
}

// TestRedeployUnderLoad: 100 redeployments while clients call the stage;
// not one request may fail.
func TestRedeployUnderLoad(t *testing.T) {
	f := newFixture(t)
	deployVersion := func(v int) {
		f.deploy(api{id: "loadapi001", methods: map[string]map[string]model.Method{
			"/v": {"GET": mockMethod("200", fmt.Sprintf(`{"v":%d}`, v), nil)},
		}})
	}
	deployVersion(0)
	var (
		stop     atomic.Bool
		served   atomic.Int64
		failures atomic.Int64
		wg       sync.WaitGroup
		firstErr atomic.Value
	)
	client := f.srv.Client()
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				resp, err := client.Get(f.url("loadapi001", "test", "/v"))
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.HasPrefix(string(body), `{"v":`) {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s", resp.StatusCode, body))
				}
				served.Add(1)
			}
		}()
	}
	for v := 1; v <= 100; v++ {
		deployVersion(v)
	}
	stop.Store(true)
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d of %d requests failed during redeployments; first: %v", failures.Load(), served.Load(), firstErr.Load())
	}
	if r := f.get("loadapi001", "test", "/v"); r.body != `{"v":100}` {
		t.Errorf("final deployment not live: %s", r.body)
	}
	t.Logf("%d requests served across 100 redeployments", served.Load())
}
