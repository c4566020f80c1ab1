package dataplane_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/dataplane"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/ratelimit"
	"github.com/gantryproject/gantry/internal/store"
)

// epoch is where moved clocks start: a Wednesday, mid-day UTC.
var epoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// changeLimits writes keys, plans or account settings to the store and
// recompiles the scope's limits, as the control plane's UsageChanged hook
// does.
func (f *fixture) changeLimits(fn func(tx store.Tx) error) {
	f.t.Helper()
	ctx := context.Background()
	if err := f.st.Update(ctx, testScope, fn); err != nil {
		f.t.Fatal(err)
	}
	if err := f.dp.ReloadLimits(ctx, testScope); err != nil {
		f.t.Fatal(err)
	}
}

// keyedAPI deploys an API whose GET /pets requires an API key and echoes the
// caller's key id, and GET /open that does not.
func keyedAPI(f *fixture, id string, settings map[string]model.MethodSetting) {
	keyed := mockMethod("200", `{"keyId":"$context.identity.apiKeyId","key":"$context.identity.apiKey"}`, nil)
	keyed.APIKeyRequired = true
	f.deploy(api{id: id, methods: map[string]map[string]model.Method{
		"/pets": {"GET": keyed},
		"/open": {"GET": mockMethod("200", "open", nil)},
	}, methodSettings: settings})
}

// plan builds a usage plan over one stage.
func plan(id, apiID, stage string, throttle *model.ThrottleSettings, quota *model.QuotaSettings) model.UsagePlan {
	return model.UsagePlan{ID: id, Name: id, APIStages: []model.APIStage{{APIID: apiID, Stage: stage}},
		Throttle: throttle, Quota: quota, CreatedDate: epoch.Add(-48 * time.Hour)}
}

func addKeys(tx store.Tx, planID string, keys ...model.APIKey) error {
	for _, k := range keys {
		if err := tx.CreateAPIKey(k); err != nil {
			return err
		}
		if planID != "" {
			if err := tx.AddUsagePlanKey(planID, k.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

const (
	forbidden       = `{"message":"Forbidden"}`
	tooManyRequests = `{"message":"Too Many Requests"}`
	limitExceeded   = `{"message":"Limit Exceeded"}`
)

func TestAPIKeyRequired(t *testing.T) {
	f := newFixture(t)
	keyedAPI(f, "keyapi0001", nil)
	f.deploy(api{id: "keyapi0002", methods: map[string]map[string]model.Method{"/pets": {"GET": mockMethod("200", "other", nil)}}})
	good := model.APIKey{ID: "goodkey001", Value: "good-key-value-0123456789", Enabled: true}
	f.changeLimits(func(tx store.Tx) error {
		if err := tx.CreateUsagePlan(plan("plan000001", "keyapi0001", "test", nil, nil)); err != nil {
			return err
		}
		if err := tx.CreateUsagePlan(plan("plan000002", "keyapi0002", "test", nil, nil)); err != nil {
			return err
		}
		if err := addKeys(tx, "plan000001", good,
			model.APIKey{ID: "disabled01", Value: "disabled-key-value-0123456789"}); err != nil {
			return err
		}
		return addKeys(tx, "plan000002", model.APIKey{ID: "otherkey01", Value: "other-plan-key-0123456789", Enabled: true})
	})
	f.changeLimits(func(tx store.Tx) error {
		return addKeys(tx, "", model.APIKey{ID: "nokeyplan1", Value: "no-plan-key-value-0123456789", Enabled: true})
	})

	for _, tc := range []struct {
		name, key string
	}{
		{"no key", ""},
		{"unknown key", "not-a-key-value-0123456789"},
		{"disabled key", "disabled-key-value-0123456789"},
		{"key in no plan", "no-plan-key-value-0123456789"},
		{"key in a plan of another API", "other-plan-key-0123456789"},
		{"key id instead of value", "goodkey001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.key != "" {
				hdr = []string{"x-api-key", tc.key}
			}
			wantError(t, f.get("keyapi0001", "test", "/pets", hdr...), 403, "ForbiddenException", forbidden)
		})
	}
	r := f.get("keyapi0001", "test", "/pets", "x-api-key", good.Value)
	if r.status != 200 || r.body != `{"keyId":"goodkey001","key":"good-key-value-0123456789"}` {
		t.Errorf("good key: %d %s", r.status, r.body)
	}
	if r := f.get("keyapi0001", "test", "/open"); r.status != 200 || r.body != "open" {
		t.Errorf("method without apiKeyRequired: %d %s", r.status, r.body)
	}

	// Disabling the key takes effect without a redeployment.
	good.Enabled = false
	f.changeLimits(func(tx store.Tx) error { return tx.PutAPIKey(good) })
	wantError(t, f.get("keyapi0001", "test", "/pets", "x-api-key", good.Value), 403, "ForbiddenException", forbidden)
}

// TestAPIKeySourceAuthorizer: with apiKeySource AUTHORIZER the key must come
// from an authorizer, so an x-api-key header alone is refused.
func TestAPIKeySourceAuthorizer(t *testing.T) {
	f := newFixture(t)
	keyed := mockMethod("200", "ok", nil)
	keyed.APIKeyRequired = true
	f.deploy(api{id: "authsrc001", apiKeySource: "AUTHORIZER", methods: map[string]map[string]model.Method{"/pets": {"GET": keyed}}})
	f.changeLimits(func(tx store.Tx) error {
		if err := tx.CreateUsagePlan(plan("plan000001", "authsrc001", "test", nil, nil)); err != nil {
			return err
		}
		return addKeys(tx, "plan000001", model.APIKey{ID: "key0000001", Value: "a-key-value-0123456789012", Enabled: true})
	})
	wantError(t, f.get("authsrc001", "test", "/pets", "x-api-key", "a-key-value-0123456789012"), 403, "ForbiddenException", forbidden)
}

// TestThrottlePrecision is the acceptance figure: rate 100/s, burst
// 50, 1,000 requests per second offered for 5 s of moved clock lets 550
// through, within 2%.
func TestThrottlePrecision(t *testing.T) {
	clock := ratelimit.NewManualClock(epoch)
	f := newFixtureWith(t, dataplane.Options{Now: clock.Now})
	keyedAPI(f, "throttle01", map[string]model.MethodSetting{"*/*": {ThrottlingRateLimit: 100, ThrottlingBurstLimit: 50}})
	ok, throttled := 0, 0
	for i := 0; i < 5000; i++ {
		r := f.get("throttle01", "test", "/open")
		switch r.status {
		case 200:
			ok++
		case 429:
			throttled++
			if i == 60 {
				wantError(t, r, 429, "TooManyRequestsException", tooManyRequests)
			}
		default:
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
		clock.Advance(time.Millisecond)
	}
	if want := 550; ok < want*98/100 || ok > want*102/100 {
		t.Errorf("let through %d of 5000, want %d ±2%%", ok, want)
	}
	t.Logf("let through %d, throttled %d", ok, throttled)
}

// TestThrottleLevels checks each level of throttling on its own: the usage
// plan's per-method limit, the plan's per-key limit, the stage's method
// settings (a method's own entry over "*/*"), and the account.
func TestThrottleLevels(t *testing.T) {
	clock := ratelimit.NewManualClock(epoch)
	f := newFixtureWith(t, dataplane.Options{Now: clock.Now})
	keyedAPI(f, "levels0001", map[string]model.MethodSetting{
		"*/*":        {ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 1000},
		"~1open/GET": {ThrottlingRateLimit: 1, ThrottlingBurstLimit: 2},
	})
	perMethod := plan("plan000001", "levels0001", "test", nil, nil)
	perMethod.APIStages[0].Throttle = map[string]model.ThrottleSettings{"/pets/GET": {BurstLimit: 3, RateLimit: 1}}
	f.changeLimits(func(tx store.Tx) error {
		if err := tx.CreateUsagePlan(perMethod); err != nil {
			return err
		}
		if err := tx.CreateUsagePlan(plan("plan000002", "levels0001", "test", &model.ThrottleSettings{BurstLimit: 4, RateLimit: 1}, nil)); err != nil {
			return err
		}
		if err := addKeys(tx, "plan000001", model.APIKey{ID: "methodkey1", Value: "method-key-value-0123456789", Enabled: true}); err != nil {
			return err
		}
		return addKeys(tx, "plan000002",
			model.APIKey{ID: "plankey001", Value: "plan-key-value-0123456789", Enabled: true},
			model.APIKey{ID: "plankey002", Value: "plan-key-value-9876543210", Enabled: true})
	})
	burst := func(path, key string) int {
		n := 0
		for range 10 {
			var hdr []string
			if key != "" {
				hdr = []string{"x-api-key", key}
			}
			r := f.get("levels0001", "test", path, hdr...)
			if r.status == 429 {
				wantError(t, r, 429, "TooManyRequestsException", tooManyRequests)
				break
			}
			if r.status != 200 {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			n++
		}
		return n
	}
	if n := burst("/pets", "method-key-value-0123456789"); n != 3 {
		t.Errorf("plan per-method burst 3: let through %d", n)
	}
	if n := burst("/pets", "plan-key-value-0123456789"); n != 4 {
		t.Errorf("plan burst 4: let through %d", n)
	}
	// The plan's limit is per key: another key of the plan has its own.
	if n := burst("/pets", "plan-key-value-9876543210"); n != 4 {
		t.Errorf("plan burst 4, second key: let through %d", n)
	}
	if n := burst("/open", ""); n != 2 {
		t.Errorf("stage method burst 2: let through %d", n)
	}
	// A second later one token is back at each level.
	clock.Advance(time.Second)
	if n := burst("/open", ""); n != 1 {
		t.Errorf("after 1 s at 1 request/s: let through %d", n)
	}

	// The account-level bucket covers every API of the account; changing
	// it takes effect at once, and rate 0 burst 0 throttles everything.
	f.changeLimits(func(tx store.Tx) error {
		return tx.PutAccount(model.Account{Throttle: model.ThrottleSettings{BurstLimit: 0, RateLimit: 0}})
	})
	clock.Advance(time.Hour)
	wantError(t, f.get("levels0001", "test", "/open"), 429, "TooManyRequestsException", tooManyRequests)
	f.changeLimits(func(tx store.Tx) error {
		return tx.PutAccount(model.DefaultAccountSettings())
	})
	if r := f.get("levels0001", "test", "/open"); r.status != 200 {
		t.Errorf("default account throttle: %d %s", r.status, r.body)
	}
}

// TestQuota: a DAY quota of 3 lets three requests through, refuses the
// fourth with QUOTA_EXCEEDED (not counted), and starts again the next UTC
// day; usage reaches the store exactly.
func TestQuota(t *testing.T) {
	clock := ratelimit.NewManualClock(epoch)
	f := newFixtureWith(t, dataplane.Options{Now: clock.Now})
	keyedAPI(f, "quotaapi01", nil)
	f.changeLimits(func(tx store.Tx) error {
		if err := tx.CreateUsagePlan(plan("plan000001", "quotaapi01", "test", nil, &model.QuotaSettings{Limit: 3, Period: model.QuotaDay})); err != nil {
			return err
		}
		return addKeys(tx, "plan000001", model.APIKey{ID: "quotakey01", Value: "quota-key-value-0123456789", Enabled: true})
	})
	get := func() response {
		return f.get("quotaapi01", "test", "/pets", "x-api-key", "quota-key-value-0123456789")
	}
	for i := range 3 {
		if r := get(); r.status != 200 {
			t.Fatalf("request %d: %d %s", i, r.status, r.body)
		}
	}
	for range 2 {
		wantError(t, get(), 429, "LimitExceededException", limitExceeded)
	}
	clock.Set(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	if r := get(); r.status != 200 {
		t.Errorf("next day: %d %s", r.status, r.body)
	}
	ctx := context.Background()
	if err := f.dp.FlushUsage(ctx); err != nil {
		t.Fatal(err)
	}
	var days []model.DailyUsage
	f.st.View(ctx, testScope, func(tx store.ReadTx) error {
		var err error
		days, err = tx.Usage("plan000001", "quotakey01", "2026-11-01", "2026-11-30")
		return err
	})
	want := []model.DailyUsage{{KeyID: "quotakey01", Day: "2026-11-25", Used: 3}, {KeyID: "quotakey01", Day: "2026-11-26", Used: 1}}
	if len(days) != len(want) || days[0] != want[0] || days[1] != want[1] {
		t.Errorf("usage in the store: %+v, want %+v", days, want)
	}

	// UpdateUsage's grant raises what is left today.
	if err := f.dp.GrantUsage(ctx, testScope, "plan000001", "quotakey01", 5); err != nil {
		t.Fatal(err)
	}
	n := 0
	for get().status == 200 {
		n++
	}
	if n != 2+5 {
		t.Errorf("after granting 5 with 2 left: let through %d, want 7", n)
	}
}

// TestLimitsBeforeIntegration: a refused request never reaches the back end.
func TestLimitsBeforeIntegration(t *testing.T) {
	f := newFixture(t)
	calls := 0
	backend := httptestServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls++ }))
	m := proxyMethod(backend, 0)
	m.APIKeyRequired = true
	f.deploy(api{id: "beforeint1", methods: map[string]map[string]model.Method{"/p": {"GET": m}}})
	wantError(t, f.get("beforeint1", "test", "/p"), 403, "ForbiddenException", forbidden)
	if calls != 0 {
		t.Errorf("back end called %d times for a refused request", calls)
	}
}
