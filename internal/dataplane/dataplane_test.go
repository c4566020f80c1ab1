package dataplane_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
)

const missingToken = `{"message":"Missing Authentication Token"}`

func TestMockIntegration(t *testing.T) {
	f := newFixture(t)
	f.deploy(api{id: "mockapi001", variables: map[string]string{"color": "blue"}, methods: map[string]map[string]model.Method{
		"/pets": {"GET": mockMethod("200", `{"stage":"$context.stage","color":"$stageVariables.color","q":"$input.params('q')"}`,
			map[string]string{"X-Static": "'yes'", "X-Req": "context.requestId"})},
	}})
	r := f.get("mockapi001", "test", "/pets?q=cat")
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if want := `{"stage":"test","color":"blue","q":"cat"}`; r.body != want {
		t.Errorf("body: got %s, want %s", r.body, want)
	}
	if r.header.Get("Content-Type") != "application/json" || r.header.Get("X-Static") != "yes" {
		t.Errorf("headers: %v", r.header)
	}
	if r.header.Get("X-Req") != r.header.Get("x-amzn-RequestId") || r.header.Get("X-Req") == "" {
		t.Errorf("X-Req %q, request id %q", r.header.Get("X-Req"), r.header.Get("x-amzn-RequestId"))
	}
}

func TestMockSelectionPattern(t *testing.T) {
	f := newFixture(t)
	m := mockMethod("200", `{"ok":true}`, nil)
	m.Integration.RequestTemplates["application/json"] = `#if($input.params('fail') == 'yes'){"statusCode": 503}#else{"statusCode": 200}#end`
	m.Integration.Responses["500"] = model.IntegrationResponse{StatusCode: "500", SelectionPattern: `5\d{2}`,
		ResponseTemplates: map[string]string{"application/json": `{"failed":true}`}}
	f.deploy(api{id: "mockapi002", methods: map[string]map[string]model.Method{"/": {"GET": m}}})

	for _, tc := range []struct {
		query      string
		wantStatus int
		wantBody   string
	}{
		{"", 200, `{"ok":true}`},
		{"?fail=yes", 500, `{"failed":true}`},
	} {
		r := f.get("mockapi002", "test", "/"+tc.query)
		if r.status != tc.wantStatus || r.body != tc.wantBody {
			t.Errorf("%q: got %d %s, want %d %s", tc.query, r.status, r.body, tc.wantStatus, tc.wantBody)
		}
	}
}

func TestRoutingMisses(t *testing.T) {
	f := newFixture(t)
	f.deploy(api{id: "routeapi01", methods: map[string]map[string]model.Method{
		"/pets":         {"GET": mockMethod("200", `list`, nil)},
		"/pets/{petId}": {"GET": mockMethod("200", `one $input.params('petId')`, nil)},
		"/any":          {"ANY": mockMethod("200", `any $context.httpMethod`, nil)},
	}})
	for _, tc := range []struct {
		name, method, path string
		status             int
		body               string
	}{
		{"literal", "GET", "/pets", 200, "list"},
		{"param", "GET", "/pets/7", 200, "one 7"},
		{"trailing slash", "GET", "/pets/", 200, "list"},
		{"ANY", "DELETE", "/any", 200, "any DELETE"},
		{"unknown path", "GET", "/cats", 403, missingToken},
		{"too deep", "GET", "/pets/7/toys", 403, missingToken},
		{"method not defined", "POST", "/pets", 403, missingToken},
		{"root without method", "GET", "/", 403, missingToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, f.url("routeapi01", "test", tc.path), nil)
			r := f.do(req)
			if r.status != tc.status || r.body != tc.body {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, tc.status, tc.body)
			}
			if tc.status == 403 {
				wantError(t, r, 403, "MissingAuthenticationTokenException", missingToken)
				if r.header.Get("Content-Length") != "42" {
					t.Errorf("Content-Length %q, want 42", r.header.Get("Content-Length"))
				}
			}
		})
	}
}

func TestRoutingMissWithBearerToken(t *testing.T) {
	f := newFixture(t)
	f.deploy(api{id: "bearerapi1", methods: map[string]map[string]model.Method{"/": {"GET": mockMethod("200", "ok", nil)}}})
	r := f.get("bearerapi1", "test", "/nothing", "Authorization", "Bearer sometoken")
	wantError(t, r, 403, "IncompleteSignatureException",
		`{"message":"'sometoken' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer sometoken'."}`)
	if r := f.get("bearerapi1", "test", "/", "Authorization", "Bearer sometoken"); r.status != 200 {
		t.Errorf("a matched method ignores the header (NONE authorization): %d", r.status)
	}
}

func TestUnknownAPIAndStage(t *testing.T) {
	f := newFixture(t)
	f.deploy(api{id: "knownapi01", methods: map[string]map[string]model.Method{"/": {"GET": mockMethod("200", "ok", nil)}}})
	for _, u := range []string{f.url("knownapi01", "nostage", "/"), f.url("nosuchapi1", "test", "/")} {
		r := f.do(mustRequest(t, "GET", u, nil))
		wantError(t, r, 403, "ForbiddenException", `{"message":"Forbidden"}`)
	}
}

func TestAddressForms(t *testing.T) {
	f := newFixture(t)
	f.deploy(api{id: "formsapi01", stage: "prod", methods: map[string]map[string]model.Method{
		"/pets/{id}": {"GET": mockMethod("200", `$context.path $context.domainName $input.params('id')`, nil)},
	}})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(f.srv.URL, "http://"))
	for _, tc := range []struct {
		name, host, path, want string
	}{
		{"host", "formsapi01.execute-api.localhost:" + port, "/prod/pets/5", "/prod/pets/5 formsapi01.execute-api.localhost 5"},
		{"localstack host", "formsapi01.execute-api.localhost.localstack.cloud", "/prod/pets/5", "/prod/pets/5 formsapi01.execute-api.localhost.localstack.cloud 5"},
		{"_user_request_", "", "/restapis/formsapi01/prod/_user_request_/pets/5", "/prod/pets/5 formsapi01.execute-api.localhost 5"},
		{"_aws", "", "/_aws/execute-api/formsapi01/prod/pets/5", "/prod/pets/5 formsapi01.execute-api.localhost 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := mustRequest(t, "GET", f.srv.URL+tc.path, nil)
			if tc.host != "" {
				req.Host = tc.host
			}
			r := f.do(req)
			if r.status != 200 || r.body != tc.want {
				t.Fatalf("got %d %q, want 200 %q", r.status, r.body, tc.want)
			}
		})
	}
}

func mustRequest(t testing.TB, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// echoBackend answers with what it received, as JSON.
func echoBackend(t testing.TB) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Backend", "echo")
		w.Header().Set("Server", "echo/1.0")
		status := http.StatusOK
		if s := r.URL.Query().Get("status"); s != "" {
			fmt.Sscanf(s, "%d", &status)
		}
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.EscapedPath(), "query": r.URL.RawQuery,
			"header": r.Header, "body": string(body), "host": r.Host,
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

type echoed struct {
	Method, Path, Query, Body, Host string
	Header                          http.Header
}

func decodeEcho(t *testing.T, r response) echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal([]byte(r.body), &e); err != nil {
		t.Fatalf("status %d, body %q: %v", r.status, r.body, err)
	}
	return e
}

func TestHTTPProxy(t *testing.T) {
	f := newFixture(t)
	be := echoBackend(t)
	m := proxyMethod(be.URL+"/api/{proxy}", 0)
	m.Integration.RequestParameters = map[string]string{
		"integration.request.header.X-Stage": "context.stage",
		"integration.request.header.X-Fixed": "'fixed'",
	}
	f.deploy(api{id: "proxyapi01", methods: map[string]map[string]model.Method{
		"/{proxy+}":     {"ANY": m},
		"/pets/{petId}": {"GET": proxyMethod(be.URL+"/pets/{petId}?src=uri", 0)},
	}})

	req := mustRequest(t, "POST", f.url("proxyapi01", "test", "/a/b%20c/d?x=1&x=2&y=z"), strings.NewReader(`{"hello":"world"}`))
	req.Header.Set("X-Custom", "v1")
	req.Header.Set("Content-Type", "application/json")
	r := f.do(req)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	e := decodeEcho(t, r)
	if e.Method != "POST" || e.Path != "/api/a/b%20c/d" || e.Query != "x=1&x=2&y=z" || e.Body != `{"hello":"world"}` {
		t.Errorf("back end saw %+v", e)
	}
	if e.Header.Get("X-Custom") != "v1" || e.Header.Get("X-Stage") != "test" || e.Header.Get("X-Fixed") != "fixed" {
		t.Errorf("back end headers %v", e.Header)
	}
	if r.header.Get("X-Backend") != "echo" || r.header.Get("X-Amzn-Remapped-Server") != "echo/1.0" || r.header.Get("Server") != "" {
		t.Errorf("response headers %v", r.header)
	}

	r = f.get("proxyapi01", "test", "/pets/42?status=404")
	if r.status != 404 {
		t.Errorf("back-end status not passed through: %d", r.status)
	}
	e = decodeEcho(t, r)
	if e.Path != "/pets/42" || e.Query != "src=uri&status=404" {
		t.Errorf("back end saw %+v", e)
	}
}

func TestHTTPProxyStreamsLargeBodies(t *testing.T) {
	f := newFixture(t)
	be := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprintf(w, "%d", n)
	}))
	defer be.Close()
	f.deploy(api{id: "bigbody001", methods: map[string]map[string]model.Method{"/up": {"PUT": proxyMethod(be.URL, 0)}}})

	body := bytes.Repeat([]byte("x"), 10<<20) // exactly the limit
	r := f.do(mustRequest(t, "PUT", f.url("bigbody001", "test", "/up"), bytes.NewReader(body)))
	if r.status != 200 || r.body != fmt.Sprint(10<<20) {
		t.Fatalf("at the limit: %d %s", r.status, r.body)
	}
	for _, name := range []string{"known length", "chunked"} {
		var rd io.Reader = bytes.NewReader(append(body, 'y'))
		if name == "chunked" {
			rd = io.MultiReader(rd) // hides the length
		}
		r = f.do(mustRequest(t, "PUT", f.url("bigbody001", "test", "/up"), rd))
		if r.status != 413 || r.body != "HTTP content length exceeded 10485760 bytes." {
			t.Errorf("%s: got %d %q", name, r.status, r.body)
		}
	}
}

func TestIntegrationErrors(t *testing.T) {
	f := newFixture(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	f.deploy(api{id: "errapi0001", variables: map[string]string{"host": strings.TrimPrefix(slow.URL, "http://")}, methods: map[string]map[string]model.Method{
		"/slow":     {"GET": proxyMethod(slow.URL, 50)},
		"/refused":  {"GET": proxyMethod(closedURL, 0)},
		"/stagevar": {"GET": proxyMethod("http://${stageVariables.nope}/x", 0)},
		"/mock-no-template": {"GET": {AuthorizationType: "NONE", Integration: &model.Integration{Type: model.IntegrationMock,
			Responses: map[string]model.IntegrationResponse{"200": {StatusCode: "200"}}}}},
	}})
	for _, tc := range []struct {
		path, errorType, body string
		status                int
	}{
		{"/slow", "InternalServerErrorException", `{"message":"Endpoint request timed out"}`, 504},
		{"/refused", "InternalServerErrorException", `{"message":"Internal server error"}`, 500},
		{"/stagevar", "InternalServerErrorException", `{"message":"Internal server error"}`, 500},
		{"/mock-no-template", "InternalServerErrorException", `{"message":"Internal server error"}`, 500},
	} {
		t.Run(tc.path, func(t *testing.T) {
			wantError(t, f.get("errapi0001", "test", tc.path), tc.status, tc.errorType, tc.body)
		})
	}
}
