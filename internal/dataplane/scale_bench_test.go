package dataplane_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/gantryproject/gantry/internal/dataplane"
	"github.com/gantryproject/gantry/internal/front/fronttest"
	"github.com/gantryproject/gantry/internal/model"
)

// Scale benchmarks: how the data plane's per-request cost, compile time and
// memory grow with the size and number of deployed APIs.

// scaleAPI is an API of n resources below the root, in the shape of a REST
// API: n/2 collections /c{i} each with one /c{i}/{id} child, every resource
// with a GET MOCK method (the child's template reads the path parameter).
// The collections are siblings, so the root's literal children number n/2:
// the widest level a router has to search.
func scaleAPI(id string, n int) api {
	methods := make(map[string]map[string]model.Method, n)
	for i := range n {
		if i%2 == 0 {
			methods[fmt.Sprintf("/c%d", i/2)] = map[string]model.Method{"GET": mockMethod("200", `{"items":[]}`, nil)}
		} else {
			methods[fmt.Sprintf("/c%d/{id}", i/2)] = map[string]model.Method{"GET": mockMethod("200", `{"id":"$input.params('id')"}`, nil)}
		}
	}
	return api{id: id, methods: methods}
}

// lastItemPath is the path of an item below scaleAPI(n)'s last collection.
func lastItemPath(n int) string { return fmt.Sprintf("/c%d/42", (n-1)/2) }

// benchInvoke invokes path on the "test" stage of apiID through the data
// plane handler, without the network: "mock" is the whole pipeline (route,
// MOCK integration, request and response templates); "wrong-method" routes
// to the same resource with a method it lacks, so only addressing, routing
// and the MISSING_AUTHENTICATION_TOKEN gateway response run, and a
// difference in routing cost stands out.
func benchInvoke(b *testing.B, f *fixture, apiID, path string) {
	url := "/restapis/" + apiID + "/test/_user_request_" + path
	for _, tc := range []struct {
		name, method string
		want         int
	}{
		{"mock", "GET", 200},
		{"wrong-method", "POST", 403},
	} {
		b.Run(tc.name, func(b *testing.B) {
			benchServe(b, f, fronttest.NewRequestCtx(tc.method, url), tc.want, nil)
		})
	}
}

// benchRoute deploys scaleAPI(n) alone and invokes its last resource.
func benchRoute(b *testing.B, n int) {
	f := newBenchFixture(b)
	f.deploy(scaleAPI("scaleapi01", n))
	benchInvoke(b, f, "scaleapi01", lastItemPath(n))
}

// BenchmarkRoute10Resources is the baseline for
// BenchmarkRoute10000Resources and BenchmarkRoute1000APIs: the same request
// to the only API, of 10 resources.
func BenchmarkRoute10Resources(b *testing.B) { benchRoute(b, 10) }

// BenchmarkRoute10000Resources is a request to one resource of an API of
// 10,000 (5,000 sibling collections). The router looks literal segments up in
// a map, so it should cost about what BenchmarkRoute10Resources does.
func BenchmarkRoute10000Resources(b *testing.B) { benchRoute(b, 10000) }

// BenchmarkRoute1000APIs is a request to the last of 1,000 deployed APIs of
// 10 resources each. Deployed APIs are kept in a map by id, so it should
// cost about what BenchmarkRoute10Resources does.
func BenchmarkRoute1000APIs(b *testing.B) {
	const apis, n = 1000, 10
	f := newBenchFixture(b)
	for i := range apis {
		f.deploy(scaleAPI(fmt.Sprintf("many%05d", i), n))
	}
	runtime.GC() // the deployments' garbage, not the requests'
	benchInvoke(b, f, fmt.Sprintf("many%05d", apis-1), lastItemPath(n))
}

// BenchmarkCompile1000Resources measures what a CreateDeployment costs the
// data plane for an API of 1,000 resources: Reload reads the stage and its
// deployment snapshot from the store and compiles them (routes, templates,
// mappings, gateway responses). ns/resource is ns/op over 1,000.
func BenchmarkCompile1000Resources(b *testing.B) {
	const n = 1000
	f := newBenchFixture(b)
	f.deploy(scaleAPI("scaleapi02", n))
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := f.dp.Reload(ctx, testScope, "scaleapi02"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/resource")
}

// BenchmarkMemoryPerAPI measures the memory a deployed API holds in the
// data plane. The store holds 100 deployed APIs of 20 resources each; every
// iteration starts a new data plane over it and loads them all (ns/op is
// that load, as at start-up), and the live Go heap after a full GC, before
// and after, gives B/API and objects/API. deploy-B/API is the live-heap
// growth of deploying the 100 APIs in the first place (store writes through
// the data plane's reloads), measured once. Neither counts the SQLite
// store's own copy of the configuration, which lives outside the Go heap.
func BenchmarkMemoryPerAPI(b *testing.B) {
	const apis, resources = 100, 20
	f := newBenchFixture(b)
	ctx := context.Background()

	before := liveHeap()
	for i := range apis {
		f.deploy(scaleAPI(fmt.Sprintf("memapi%04d", i), resources))
	}
	after := liveHeap()
	deployed := float64(after.HeapAlloc) - float64(before.HeapAlloc)

	var bytes, objects float64
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		before := liveHeap()
		b.StartTimer()
		dp := dataplane.New(f.st, dataplane.Options{})
		if err := dp.Load(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		after := liveHeap()
		bytes += float64(after.HeapAlloc) - float64(before.HeapAlloc)
		objects += float64(after.HeapObjects) - float64(before.HeapObjects)
		// A request proves the APIs were loaded, and keeps dp alive
		// until after the measurement.
		ctx := fronttest.NewRequestCtx("GET", "/restapis/memapi0099/test/_user_request_"+lastItemPath(resources))
		dp.Serve(ctx)
		if ctx.Response.StatusCode() != 200 {
			b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
		}
		if err := dp.Close(ctx); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(bytes/float64(b.N)/apis, "B/API")
	b.ReportMetric(objects/float64(b.N)/apis, "objects/API")
	b.ReportMetric(deployed/apis, "deploy-B/API")
}

// liveHeap runs a full garbage collection and returns the memory statistics
// after it, so that HeapAlloc is the live heap.
func liveHeap() runtime.MemStats {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms
}
