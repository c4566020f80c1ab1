package dataplane_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gantryproject/gantry/internal/dataplane"
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

// BenchmarkMockInvoke measures the pipeline alone (address, route, MOCK
// integration with request and response templates) without the network.
func BenchmarkMockInvoke(b *testing.B) {
	f := newBenchFixture(b)
	f.deploy(api{id: "benchapi01", methods: map[string]map[string]model.Method{
		"/pets/{petId}": {"GET": mockMethod("200", `{"id":"$input.params('petId')"}`, nil)},
	}})
	benchOK(b, f, httptest.NewRequest("GET", "/restapis/benchapi01/test/_user_request_/pets/42", nil))
}

// benchOK serves req in a benchmark loop, failing on any status but 200.
func benchOK(b *testing.B, f *fixture, req *http.Request) {
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		f.dp.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// BenchmarkRoutingMiss measures a MISSING_AUTHENTICATION_TOKEN answer.
func BenchmarkRoutingMiss(b *testing.B) {
	f := newBenchFixture(b)
	f.deploy(api{id: "benchapi02", methods: map[string]map[string]model.Method{"/pets": {"GET": mockMethod("200", "ok", nil)}}})
	req := httptest.NewRequest("GET", "/restapis/benchapi02/test/_user_request_/nothing", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		f.dp.ServeHTTP(w, req)
		if w.Code != 403 {
			b.Fatalf("status %d", w.Code)
		}
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
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for _, tc := range []struct{ name, url string }{
		{"direct", backend.URL + "/pets/42"},
		{"gantry", f.url("benchapi03", "test", "/pets/42")},
	} {
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
					if resp.StatusCode != 200 {
						b.Error(fmt.Sprint("status ", resp.StatusCode))
						return
					}
				}
			})
		})
	}
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
	req := httptest.NewRequest("GET", "/restapis/benchlmb01/test/_user_request_/pets/42?q=1", nil)
	req.Header.Set("User-Agent", "bench")
	benchOK(b, f, req)
}
