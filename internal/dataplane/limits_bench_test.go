package dataplane

import (
	"context"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/front/fronttest"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/ratelimit"
	"github.com/gantryproject/gantry/internal/store/sqlite"
)

// BenchmarkCheckLimits measures what API keys, throttling and quotas add to
// a request: the key lookup, four token buckets (plan per-method, plan,
// stage method, account) and the quota counter, on the request path.
func BenchmarkCheckLimits(b *testing.B) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	h := New(st, Options{})
	defer h.Close(context.Background())
	scope := model.Scope{Account: "000000000000", Region: "us-east-1"}
	unlimited := model.ThrottleSettings{BurstLimit: 1 << 40, RateLimit: 1e9}
	buckets := ratelimit.NewBuckets()
	counter, err := h.meter.Counter(ratelimit.CounterID{Account: scope.Account, Region: scope.Region, PlanID: "p", KeyID: "k"},
		ratelimit.Quota{Limit: 1 << 40, Period: model.QuotaMonth, Start: time.Now()})
	if err != nil {
		b.Fatal(err)
	}
	key := &apiKey{id: "k", value: "bench-key-value-0123456789", enabled: true, plans: map[stageRef]*planKey{
		{"api", "prod"}: {planID: "p", throttle: buckets.Get("plan", unlimited), quota: counter,
			methods: map[string]*ratelimit.Bucket{"/pets/GET": buckets.Get("method", unlimited)}},
	}}
	limits := map[model.Scope]*scopeLimits{scope: {account: buckets.Get("account", unlimited), keys: map[string]*apiKey{key.value: key}}}
	h.limits.Store(&limits)
	m := &method{httpMethod: "GET", apiKeyRequired: true, throttle: buckets.Get("stage", unlimited), planKey: "/pets/GET"}
	q := &request{h: h, stage: &stage{scope: scope, apiID: "api", name: "prod"}}
	q.init(fronttest.NewRequestCtx("GET", "/pets", "X-Api-Key", key.value))
	b.ReportAllocs()
	for b.Loop() {
		q.start = time.Now()
		q.apiKey = nil
		if err := q.checkLimits(m); err != nil {
			b.Fatal(err)
		}
	}
}
