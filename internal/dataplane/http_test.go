package dataplane_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gantryproject/gantry/internal/dataplane"
	"github.com/gantryproject/gantry/internal/model"
)

// httpMethod is a non-proxy HTTP method with request and response mapping.
func httpMethod(uri string) model.Method {
	return model.Method{
		AuthorizationType: "NONE",
		RequestParameters: map[string]bool{"method.request.path.petId": true, "method.request.header.X-Trace": false},
		Integration: &model.Integration{
			Type: model.IntegrationHTTP, HTTPMethod: "POST", URI: uri,
			RequestParameters: map[string]string{
				"integration.request.path.id":         "method.request.path.petId",
				"integration.request.querystring.src": "'gantry'",
				"integration.request.header.X-Trace":  "method.request.header.X-Trace",
			},
			RequestTemplates: map[string]string{"application/json": `{"pet":"$input.params('petId')","name":$input.json('$.name')}`},
			Responses: map[string]model.IntegrationResponse{
				"200": {StatusCode: "200",
					ResponseParameters: map[string]string{"method.response.header.X-Backend": "integration.response.header.X-Backend",
						"method.response.header.X-Method": "integration.response.body.method"},
					ResponseTemplates: map[string]string{"application/json": `{"sawPath":"$input.path('$.path')","sawBody":$input.json('$.body')}`}},
				"404": {StatusCode: "404", SelectionPattern: "4\\d{2}",
					ResponseTemplates: map[string]string{"application/json": `{"error":"not found"}`}},
			},
		},
	}
}

func TestHTTPIntegration(t *testing.T) {
	f := newFixture(t)
	be := echoBackend(t)
	m := httpMethod(be.URL + "/pets/{id}")
	f.deploy(api{id: "httpapi001", methods: map[string]map[string]model.Method{"/pets/{petId}": {"POST": m}}})

	req := mustRequest(t, "POST", f.url("httpapi001", "test", "/pets/7?ignored=1"), strings.NewReader(`{"name":"Rex"}`))
	req.Header.Set("X-Trace", "abc")
	req.Header.Set("X-Not-Mapped", "zzz")
	r := f.do(req)
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if want := `{"sawPath":"/pets/7","sawBody":"{\"pet\":\"7\",\"name\":\"Rex\"}"}`; r.body != want {
		t.Errorf("body:\n got %s\nwant %s", r.body, want)
	}
	if r.header.Get("X-Backend") != "echo" || r.header.Get("X-Method") != "POST" {
		t.Errorf("mapped headers: %v", r.header)
	}

	// The back end's status selects the integration response.
	m.Integration.RequestParameters["integration.request.querystring.status"] = "'404'"
	f.deploy(api{id: "httpapi001", methods: map[string]map[string]model.Method{"/pets/{petId}": {"POST": m}}})
	r = f.do(mustRequest(t, "POST", f.url("httpapi001", "test", "/pets/7"), strings.NewReader(`{}`)))
	if r.status != 404 || r.body != `{"error":"not found"}` {
		t.Errorf("got %d %s", r.status, r.body)
	}
}

func TestHTTPIntegrationSendsOnlyMappedParameters(t *testing.T) {
	f := newFixture(t)
	be := echoBackend(t)
	m := httpMethod(be.URL + "/pets/{id}")
	m.Integration.RequestTemplates = nil
	m.Integration.Responses["200"] = model.IntegrationResponse{StatusCode: "200"} // passthrough
	f.deploy(api{id: "httpapi002", methods: map[string]map[string]model.Method{"/pets/{petId}": {"POST": m}}})

	req := mustRequest(t, "POST", f.url("httpapi002", "test", "/pets/9?ignored=1"), strings.NewReader(`raw body`))
	req.Header.Set("X-Trace", "t1")
	req.Header.Set("X-Not-Mapped", "zzz")
	r := f.do(req)
	e := decodeEcho(t, r)
	if e.Path != "/pets/9" || e.Query != "src=gantry" || e.Body != "raw body" {
		t.Errorf("back end saw %+v", e)
	}
	if e.Header.Get("X-Trace") != "t1" || e.Header.Get("X-Not-Mapped") != "" || e.Header.Get("User-Agent") != "AmazonAPIGateway_httpapi002" {
		t.Errorf("back end headers: %v", e.Header)
	}
}

func TestPassthroughBehavior(t *testing.T) {
	f := newFixture(t)
	mk := func(behavior string, templates map[string]string) model.Method {
		m := mockMethod("200", `ok`, nil)
		m.Integration.PassthroughBehavior = behavior
		m.Integration.RequestTemplates = templates
		return m
	}
	xml := map[string]string{"application/xml": `{"statusCode": 200}`}
	f.deploy(api{id: "passapi001", methods: map[string]map[string]model.Method{
		"/never":       {"POST": mk(model.PassthroughNever, nil)},
		"/notemplates": {"POST": mk(model.PassthroughWhenNoTemplates, xml)},
		"/nomatch":     {"POST": mk(model.PassthroughWhenNoMatch, xml)},
		"/matched":     {"POST": mk(model.PassthroughNever, xml)},
	}})
	unsupported := `{"message":"Unsupported Media Type"}`
	for _, tc := range []struct {
		path, contentType, body string
		status                  int
		want                    string
	}{
		{"/never", "application/json", `{"statusCode": 200}`, 415, unsupported},
		{"/notemplates", "application/json", `{"statusCode": 200}`, 415, unsupported},
		{"/nomatch", "application/json", `{"statusCode": 200}`, 200, "ok"},
		{"/matched", "application/xml; charset=utf-8", `<x/>`, 200, "ok"},
		{"/matched", "", `{}`, 415, unsupported}, // no Content-Type means application/json
	} {
		t.Run(tc.path+" "+tc.contentType, func(t *testing.T) {
			req := mustRequest(t, "POST", f.url("passapi001", "test", tc.path), strings.NewReader(tc.body))
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			r := f.do(req)
			if r.status != tc.status || r.body != tc.want {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, tc.status, tc.want)
			}
			if tc.status == 415 {
				wantError(t, r, 415, "BadRequestException", unsupported)
			}
		})
	}
}

// TestProxyDotSegments: an HTTP_PROXY caller sending encoded dot segments
// in a greedy path cannot reach back-end paths above the integration URI.
func TestProxyDotSegments(t *testing.T) {
	var got string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.RequestURI
	}))
	defer backend.Close()
	f := newFixture(t)
	f.deploy(api{id: "dotseg0001", methods: map[string]map[string]model.Method{
		"/files/{proxy+}": {"ANY": proxyMethod(backend.URL+"/public/{proxy}", 0)}}})
	resp, err := http.Get(f.url("dotseg0001", "test", "/files/%2e%2e/%2e%2e/etc/passwd"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got != "/public/%2E%2E/%2E%2E/etc/passwd" {
		t.Errorf("back end got %q", got)
	}
}

// TestNoIntegrationResponseMatches: a back-end status that no integration
// response selects, with none the default, is a configuration error (500,
// logged with the status), not an empty answer.
func TestNoIntegrationResponseMatches(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	f := newFixtureWith(t, dataplane.Options{Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil))})
	be := echoBackend(t)
	m := httpMethod(be.URL + "/pets/{id}")
	m.Integration.Responses = map[string]model.IntegrationResponse{
		"404": {StatusCode: "404", SelectionPattern: "4\\d{2}"},
	}
	f.deploy(api{id: "httpapi009", methods: map[string]map[string]model.Method{"/pets/{petId}": {"POST": m}}})
	r := f.do(mustRequest(t, "POST", f.url("httpapi009", "test", "/pets/7"), strings.NewReader(`{}`)))
	wantError(t, r, 500, "InternalServerErrorException", `{"message":"Internal server error"}`)
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logs.String(), "no integration response matches status 200") {
		t.Errorf("logs: %s", logs.String())
	}
}
