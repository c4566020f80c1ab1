package dataplane

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/ratelimit"
	"github.com/gantryproject/gantry/internal/store"
)

// scopeLimits is what one account and region enforces beyond a stage's own
// configuration: the account-level token bucket, and the API keys with the
// usage plans they belong to. It is compiled from the store whenever keys,
// plans or account settings change, never read from it per request, and
// replaced as a whole.
type scopeLimits struct {
	account *ratelimit.Bucket
	// keys maps an API key's value to the key.
	keys map[string]*apiKey
	// buckets holds the buckets above, so that a recompilation keeps the
	// state of those whose settings did not change.
	buckets *ratelimit.Buckets
}

// apiKey is a compiled API key.
type apiKey struct {
	id      string
	value   string
	enabled bool
	// plans maps each API stage the key may call to the usage plan that
	// grants it. AWS lets a key reach a given stage through one plan only.
	plans map[stageRef]*planKey
}

// stageRef names one stage of one API.
type stageRef struct{ apiID, stage string }

// planKey is one API key's limits under one usage plan.
type planKey struct {
	planID   string
	throttle *ratelimit.Bucket
	// methods are the plan's per-method throttles for this key on one
	// stage, keyed "{resourcePath}/{httpMethod}" as usage plans key them.
	methods map[string]*ratelimit.Bucket
	quota   ratelimit.Counter
}

// limitsFor returns the limits of scope; never nil.
func (h *Handler) limitsFor(scope model.Scope) *scopeLimits {
	if l := (*h.limits.Load())[scope]; l != nil {
		return l
	}
	return h.noLimits
}

// ReloadLimits recompiles scope's API keys, usage plans and account settings
// after a change. Requests in flight finish with the limits they started
// with; token buckets and quota counters whose settings did not change keep
// their state.
func (h *Handler) ReloadLimits(ctx context.Context, scope model.Scope) error {
	h.limitsMu.Lock()
	defer h.limitsMu.Unlock()
	var prev *ratelimit.Buckets
	if old := (*h.limits.Load())[scope]; old != nil {
		prev = old.buckets
	}
	l, err := h.compileLimits(ctx, scope, prev)
	if err != nil {
		return err
	}
	cur := *h.limits.Load()
	next := make(map[model.Scope]*scopeLimits, len(cur)+1)
	for k, v := range cur {
		next[k] = v
	}
	next[scope] = l
	h.limits.Store(&next)
	return nil
}

// limitsConfig is what compileLimits reads from the store.
type limitsConfig struct {
	account model.Account
	keys    []model.APIKey
	plans   []model.UsagePlan
	members map[string][]string // plan id -> key ids
}

func readLimits(ctx context.Context, st store.Store, scope model.Scope) (limitsConfig, error) {
	cfg := limitsConfig{members: map[string][]string{}}
	err := st.View(ctx, scope, func(tx store.ReadTx) error {
		var err error
		cfg.account, err = tx.Account()
		if errors.Is(err, store.ErrNotFound) {
			cfg.account, err = model.DefaultAccountSettings(), nil
		}
		if err != nil {
			return err
		}
		if cfg.keys, err = tx.APIKeys(); err != nil {
			return err
		}
		if cfg.plans, err = tx.UsagePlans(); err != nil {
			return err
		}
		for _, p := range cfg.plans {
			if cfg.members[p.ID], err = tx.UsagePlanKeys(p.ID); err != nil {
				return err
			}
		}
		return nil
	})
	return cfg, err
}

// compileLimits reads scope's configuration and compiles it, reusing the
// buckets of prev (which may be nil). Quota counters come from the meter,
// which keeps their counts across recompilations and restarts.
func (h *Handler) compileLimits(ctx context.Context, scope model.Scope, prev *ratelimit.Buckets) (*scopeLimits, error) {
	// Read everything first: the meter may read the store too, and must not
	// do so inside this transaction.
	cfg, err := readLimits(ctx, h.store, scope)
	if err != nil {
		return nil, err
	}
	buckets := ratelimit.NewBuckets()
	if prev != nil {
		buckets = prev.Next()
	}
	l := &scopeLimits{
		account: buckets.Get("account", cfg.account.Throttle),
		keys:    make(map[string]*apiKey, len(cfg.keys)),
		buckets: buckets,
	}
	byID := make(map[string]*apiKey, len(cfg.keys))
	for _, k := range cfg.keys {
		ck := &apiKey{id: k.ID, value: k.Value, enabled: k.Enabled, plans: map[stageRef]*planKey{}}
		l.keys[k.Value] = ck
		byID[k.ID] = ck
	}
	for _, p := range cfg.plans {
		q := planQuota(p)
		for _, keyID := range cfg.members[p.ID] {
			k := byID[keyID]
			if k == nil {
				continue
			}
			counter, err := h.meter.Counter(ratelimit.CounterID{Account: scope.Account, Region: scope.Region, PlanID: p.ID, KeyID: keyID}, q)
			if err != nil {
				return nil, fmt.Errorf("usage plan %s, key %s: %w", p.ID, keyID, err)
			}
			prefix := "plan/" + p.ID + "/" + keyID
			var throttle *ratelimit.Bucket
			if p.Throttle != nil {
				throttle = buckets.Get(prefix, *p.Throttle)
			}
			for _, as := range p.APIStages {
				pk := &planKey{planID: p.ID, throttle: throttle, quota: counter}
				for m, s := range as.Throttle {
					if pk.methods == nil {
						pk.methods = make(map[string]*ratelimit.Bucket, len(as.Throttle))
					}
					pk.methods[m] = buckets.Get(prefix+"/"+as.APIID+"/"+as.Stage+m, s)
				}
				ref := stageRef{as.APIID, as.Stage}
				if _, taken := k.plans[ref]; !taken {
					k.plans[ref] = pk
				}
			}
		}
	}
	return l, nil
}

// planQuota is the quota of a usage plan, counted from its creation.
func planQuota(p model.UsagePlan) ratelimit.Quota { return ratelimit.NewQuota(p.Quota, p.CreatedDate) }

// methodSettingKey is the key of a method's entry in a stage's method
// settings: the resource path with "/" escaped as "~1", then the method,
// e.g. "~1pets~1{id}/GET".
func methodSettingKey(path, verb string) string {
	return strings.ReplaceAll(path, "/", "~1") + "/" + verb
}

// stageThrottle returns the stage-level bucket of one method: its own
// method settings, else the stage's "*/*" defaults, else none.
func stageThrottle(st model.Stage, buckets *ratelimit.Buckets, path, verb string) *ratelimit.Bucket {
	key := methodSettingKey(path, verb)
	ms, ok := st.MethodSettings[key]
	if !ok {
		if ms, ok = st.MethodSettings["*/*"]; !ok {
			return nil
		}
	}
	return buckets.Get("stage/"+st.Name+"/"+key, model.ThrottleSettings{BurstLimit: ms.ThrottlingBurstLimit, RateLimit: ms.ThrottlingRateLimit})
}

// checkLimits runs the API key, throttling and quota checks of a matched
// method, in the order AWS documents for throttles ("How throttling limit
// settings are applied in API Gateway": per-client per-method limits of a
// usage plan, per-client limits of the plan, the stage's per-method limits,
// then the account-level limit); the quota is counted last, so that GetUsage
// reports exactly the requests that were let through.
func (q *request) checkLimits(m *method) error {
	limits := q.h.limitsFor(q.stage.scope)
	var pk *planKey
	if m.apiKeyRequired {
		k := q.apiKeyFor(limits)
		if k == nil || !k.enabled {
			return gatewayresponse.NewError(gatewayresponse.InvalidAPIKey)
		}
		if pk = k.plans[stageRef{q.stage.apiID, q.stage.name}]; pk == nil {
			return gatewayresponse.NewError(gatewayresponse.InvalidAPIKey)
		}
		q.apiKey = k
		if !pk.methods[m.planKey].Allow(q.start) || !pk.throttle.Allow(q.start) {
			return gatewayresponse.NewError(gatewayresponse.Throttled)
		}
	}
	if !m.throttle.Allow(q.start) || !limits.account.Allow(q.start) {
		return gatewayresponse.NewError(gatewayresponse.Throttled)
	}
	if pk != nil && !pk.quota.Take(q.start) {
		return gatewayresponse.NewError(gatewayresponse.QuotaExceeded)
	}
	return nil
}

// apiKeyFor finds the API key the request presents. With apiKeySource
// HEADER (the default) it is the x-api-key header; with AUTHORIZER it is
// the usageIdentifierKey the method's Lambda authorizer returned (none
// without one).
func (q *request) apiKeyFor(limits *scopeLimits) *apiKey {
	var v string
	if q.stage.apiKeySource == "AUTHORIZER" {
		if q.auth != nil {
			v = q.auth.usageKey
		}
	} else {
		v = q.headerValue("X-Api-Key")
	}
	if v == "" {
		return nil
	}
	return limits.keys[v]
}

// FlushUsage writes the usage counted in memory to the store, so that
// GetUsage reports every request let through so far.
func (h *Handler) FlushUsage(ctx context.Context) error { return h.meter.Flush(ctx) }

// GrantUsage adds n (possibly negative) to what is left of keyID's quota
// under planID in the current period: UpdateUsage. The grant goes through
// the meter, which owns the counts, and is flushed at once.
func (h *Handler) GrantUsage(ctx context.Context, scope model.Scope, planID, keyID string, n int64) error {
	var plan model.UsagePlan
	err := h.store.View(ctx, scope, func(tx store.ReadTx) error {
		var err error
		plan, err = tx.UsagePlan(planID)
		return err
	})
	if err != nil {
		return err
	}
	c, err := h.meter.Counter(ratelimit.CounterID{Account: scope.Account, Region: scope.Region, PlanID: planID, KeyID: keyID}, planQuota(plan))
	if err != nil {
		return err
	}
	c.Grant(h.opts.Now(), n)
	return h.meter.Flush(ctx)
}

// Close closes the idle connections to back ends and stops the usage
// meter after writing what it counted.
func (h *Handler) Close(ctx context.Context) error {
	if c, ok := h.transport.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
	return h.meter.Close(ctx)
}

// clockFunc adapts Options.Now to ratelimit.Clock.
type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

// usageStore keeps the meter's daily usage records in the store.
type usageStore struct{ st store.Store }

func (u usageStore) LoadUsage(ctx context.Context, id ratelimit.CounterID, from, to string) ([]model.DailyUsage, error) {
	var out []model.DailyUsage
	err := u.st.View(ctx, model.Scope{Account: id.Account, Region: id.Region}, func(tx store.ReadTx) error {
		var err error
		out, err = tx.Usage(id.PlanID, id.KeyID, from, to)
		return err
	})
	return out, err
}

func (u usageStore) AddUsage(ctx context.Context, id ratelimit.CounterID, days []model.DailyUsage) error {
	return u.st.Update(ctx, model.Scope{Account: id.Account, Region: id.Region}, func(tx store.Tx) error {
		return tx.AddUsage(id.PlanID, days)
	})
}
