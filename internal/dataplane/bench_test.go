package dataplane_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/valyala/fasthttp"

	"github.com/gantryproject/gantry/internal/dataplane"
	"github.com/gantryproject/gantry/internal/front/fronttest"
	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/lambda/lambdatest"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
)

// newBenchFixture is a fixture whose account-level throttle is off: AWS's
// default of 10,000 requests per second would otherwise throttle the
// benchmarks themselves.
func newBenchFixture(b *testing.B) *fixture {
	return newBenchFixtureWith(b, dataplane.Options{})
}

// newBenchFixtureWith is newBenchFixture with data-plane options.
func newBenchFixtureWith(b *testing.B, opts dataplane.Options) *fixture {
	f := newFixtureWith(b, opts)
	f.changeLimits(func(tx store.Tx) error {
		return tx.PutAccount(model.Account{Throttle: model.ThrottleSettings{BurstLimit: -1, RateLimit: -1}})
	})
	return f
}

// benchServe serves ctx through the data plane handler, without the
// network, b.N times, checking each response's status (and, when check is
// not nil, the response itself).
func benchServe(b *testing.B, f *fixture, ctx *fasthttp.RequestCtx, want int, check func(*fasthttp.Response) bool) {
	b.ReportAllocs()
	for b.Loop() {
		f.dp.Serve(ctx)
		if r := &ctx.Response; r.StatusCode() != want || check != nil && !check(r) {
			b.Fatalf("status %d (want %d): %s", r.StatusCode(), want, r.String())
		}
	}
}

// BenchmarkMockInvoke measures the pipeline alone (address, route, MOCK
// integration with request and response templates) without the network.
func BenchmarkMockInvoke(b *testing.B) {
	f := newBenchFixture(b)
	f.deploy(api{id: "benchapi01", methods: map[string]map[string]model.Method{
		"/pets/{petId}": {"GET": mockMethod("200", `{"id":"$input.params('petId')"}`, nil)},
	}})
	req := fronttest.NewRequestCtx("GET", "/restapis/benchapi01/test/_user_request_/pets/42")
	benchServe(b, f, req, 200, nil)
}

// BenchmarkMockContext is BenchmarkMockInvoke with a response template
// that also reads $context, as bench/run.sh's MOCK target does, so that the
// $context map is built.
func BenchmarkMockContext(b *testing.B) {
	f := newBenchFixture(b)
	f.deploy(api{id: "benchapi06", methods: map[string]map[string]model.Method{
		"/pets/{petId}": {"GET": mockMethod("200", `{"id":"$input.params('petId')","stage":"$context.stage"}`, nil)},
	}})
	req := fronttest.NewRequestCtx("GET", "/restapis/benchapi06/test/_user_request_/pets/42")
	benchServe(b, f, req, 200, nil)
}

// BenchmarkRoutingMiss measures a MISSING_AUTHENTICATION_TOKEN answer.
func BenchmarkRoutingMiss(b *testing.B) {
	f := newBenchFixture(b)
	f.deploy(api{id: "benchapi02", methods: map[string]map[string]model.Method{"/pets": {"GET": mockMethod("200", "ok", nil)}}})
	req := fronttest.NewRequestCtx("GET", "/restapis/benchapi02/test/_user_request_/nothing")
	benchServe(b, f, req, 403, nil)
}

// BenchmarkLoopback compares, over real connections, a bare net/http
// handler answering a fixed 404 (the floor for any Go server) with the
// data plane answering a customized gateway response and a MOCK method
// whose template reads $context, as bench/run.sh's targets do. Run it with
// -cpu 1 for the one-core figures bench/run.sh measures.
func BenchmarkLoopback(b *testing.B) {
	f := newBenchFixture(b)
	m := mockMethod("200", `{"mock":"ok","stage":"$context.stage"}`, nil)
	f.deploy(api{id: "benchapi07",
		methods: map[string]map[string]model.Method{"/mock": {"GET": m}},
		gatewayResponses: map[string]model.GatewayResponse{"MISSING_AUTHENTICATION_TOKEN": {
			Type:               "MISSING_AUTHENTICATION_TOKEN",
			StatusCode:         "404",
			ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
			ResponseTemplates:  map[string]string{"application/json": `{"message":"Not Found"}`},
		}}})
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Type"] = []string{"application/json"}
		h["Content-Length"] = []string{"23"}
		w.WriteHeader(404)
		io.WriteString(w, `{"message":"Not Found"}`)
	}))
	defer bare.Close()
	benchGet(b, []benchTarget{
		{"bare-404", bare.URL + "/nothing/here", 404},
		{"gateway-response", f.url("benchapi07", "test", "/nothing/here"), 404},
		{"mock", f.url("benchapi07", "test", "/mock"), 200},
	})
}

// benchTarget is a URL loaded by benchGet and the status it must answer.
type benchTarget struct {
	name, url string
	want      int
}

// benchGet loads each target with parallel GETs over pooled keep-alive
// connections, one sub-benchmark per target.
func benchGet(b *testing.B, targets []benchTarget) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()
	for _, tc := range targets {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					resp, err := client.Get(tc.url)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != tc.want {
						b.Error(fmt.Sprint("status ", resp.StatusCode))
						return
					}
				}
			})
		})
	}
}

// BenchmarkProxy compares calling a loopback back end directly with calling
// it through an HTTP_PROXY integration, over real connections; the ratio of
// the two ns/op figures is the gateway's overhead.
func BenchmarkProxy(b *testing.B) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"pet":"ok","id":42,"name":"Rex"}`)
	}))
	defer backend.Close()
	f := newBenchFixture(b)
	f.deploy(api{id: "benchapi03", methods: map[string]map[string]model.Method{"/{proxy+}": {"ANY": proxyMethod(backend.URL+"/{proxy}", 0)}}})
	benchGet(b, []benchTarget{
		{"direct", backend.URL + "/pets/42", 200},
		{"gantry", f.url("benchapi03", "test", "/pets/42"), 200},
	})
}

// BenchmarkParameterMapping measures a MOCK method whose integration maps
// request parameters from every kind of source (path, query string, header,
// multi-value header, stage variable, $context, literal) and whose
// integration response maps three method response headers; the templates
// are static, so the difference from BenchmarkMockInvoke is mostly the
// mappings.
func BenchmarkParameterMapping(b *testing.B) {
	f := newBenchFixture(b)
	m := mockMethod("200", `{"ok":true}`, map[string]string{
		"X-Stage":    "context.stage",
		"X-Static":   "'yes'",
		"X-Variable": "stageVariables.color",
	})
	m.RequestParameters = map[string]bool{
		"method.request.path.petId": true, "method.request.querystring.q": false, "method.request.header.X-Trace": false,
	}
	m.Integration.RequestParameters = map[string]string{
		"integration.request.path.id":                    "method.request.path.petId",
		"integration.request.querystring.q":              "method.request.querystring.q",
		"integration.request.header.X-Trace":             "method.request.header.X-Trace",
		"integration.request.multivalueheader.X-All":     "method.request.multivalueheader.Accept",
		"integration.request.header.X-Color":             "stageVariables.color",
		"integration.request.header.X-Request-Id":        "context.requestId",
		"integration.request.querystring.source":         "'gantry'",
		"integration.request.multivaluequerystring.tags": "method.request.multivaluequerystring.tag",
	}
	f.deploy(api{id: "benchapi04", variables: map[string]string{"color": "blue"},
		methods: map[string]map[string]model.Method{"/pets/{petId}": {"GET": m}}})
	req := fronttest.NewRequestCtx("GET", "/restapis/benchapi04/test/_user_request_/pets/42?q=x&tag=a&tag=b")
	req.Request.Header.Set("X-Trace", "abc")
	req.Request.Header.Add("Accept", "application/json")
	benchServe(b, f, req, 200, func(r *fasthttp.Response) bool { return string(r.Header.Peek("X-Variable")) == "blue" })
}

// BenchmarkGatewayResponseCustomized measures an unknown path answered with
// a customized MISSING_AUTHENTICATION_TOKEN (status, a mapped header and a
// template), as bench/run.sh's "Gantry gateway response" target does.
func BenchmarkGatewayResponseCustomized(b *testing.B) {
	f := newBenchFixture(b)
	f.deploy(api{id: "benchapi05",
		methods: map[string]map[string]model.Method{"/pets": {"GET": mockMethod("200", "ok", nil)}},
		gatewayResponses: map[string]model.GatewayResponse{"MISSING_AUTHENTICATION_TOKEN": {
			Type:               "MISSING_AUTHENTICATION_TOKEN",
			StatusCode:         "404",
			ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
			ResponseTemplates:  map[string]string{"application/json": `{"message":"Not Found"}`},
		}}})
	req := fronttest.NewRequestCtx("GET", "/restapis/benchapi05/test/_user_request_/nothing/here")
	benchServe(b, f, req, 404, nil)
}

// BenchmarkLambdaProxyInvoke measures an AWS_PROXY invocation end to end
// through the pipeline: event building, a real Invoke call over loopback to
// a lambdatest endpoint (SigV4-signed by the SDK), and response parsing.
func BenchmarkLambdaProxyInvoke(b *testing.B) {
	srv := lambdatest.NewServer(b, func(context.Context, lambdatest.Invocation) lambdatest.Response {
		return lambdatest.Response{Payload: []byte(`{"statusCode":200,"headers":{"Content-Type":"application/json"},"body":"{\"ok\":true}"}`)}
	})
	c, err := lambda.New(lambda.Config{Endpoint: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	f := newBenchFixtureWith(b, dataplane.Options{Lambda: c})
	f.deploy(api{id: "benchlmb01", methods: map[string]map[string]model.Method{
		"/pets/{petId}": {"GET": lambdaProxyMethod("pets", 0)},
	}})
	req := fronttest.NewRequestCtx("GET", "/restapis/benchlmb01/test/_user_request_/pets/42?q=1")
	req.Request.Header.Set("User-Agent", "bench")
	benchServe(b, f, req, 200, nil)
}
