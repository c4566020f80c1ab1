package storetest

// Tests of what belongs to a scope rather than to one API: API keys, usage
// plans and their keys, account settings and daily usage.

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
)

// scoped drives the tests shared by API keys and usage plans. Values are
// passed as any; build makes the value stored under an id: a minimal one for
// variant "", else one with every field set, variant among its contents (map
// keys included, so that a replacement that merged instead of replacing
// shows).
type scoped struct {
	name   string
	build  func(id, variant string) any
	create func(tx store.Tx, v any) error
	put    func(tx store.Tx, v any) error
	get    func(tx store.ReadTx, id string) (any, error)
	list   func(tx store.ReadTx) ([]any, error)
	del    func(tx store.Tx, id string) error
}

var scopedKinds = []scoped{
	{
		name:   "APIKey",
		build:  func(id, variant string) any { return apiKey(id, variant) },
		create: func(tx store.Tx, v any) error { return tx.CreateAPIKey(v.(model.APIKey)) },
		put:    func(tx store.Tx, v any) error { return tx.PutAPIKey(v.(model.APIKey)) },
		get:    func(tx store.ReadTx, id string) (any, error) { return anyOf(tx.APIKey(id)) },
		list:   func(tx store.ReadTx) ([]any, error) { return anys(tx.APIKeys()) },
		del:    func(tx store.Tx, id string) error { return tx.DeleteAPIKey(id) },
	},
	{
		name:   "UsagePlan",
		build:  func(id, variant string) any { return usagePlan(id, variant) },
		create: func(tx store.Tx, v any) error { return tx.CreateUsagePlan(v.(model.UsagePlan)) },
		put:    func(tx store.Tx, v any) error { return tx.PutUsagePlan(v.(model.UsagePlan)) },
		get:    func(tx store.ReadTx, id string) (any, error) { return anyOf(tx.UsagePlan(id)) },
		list:   func(tx store.ReadTx) ([]any, error) { return anys(tx.UsagePlans()) },
		del:    func(tx store.Tx, id string) error { return tx.DeleteUsagePlan(id) },
	},
}

// apiKey builds a key whose value is derived from its id, so that keys of
// different ids never clash on their values.
func apiKey(id, variant string) model.APIKey {
	k := model.APIKey{ID: id, Value: "value-of-" + id}
	if variant == "" {
		return k
	}
	k.Name = "key " + variant
	k.CustomerID = "customer-" + variant
	k.Description = "description " + variant
	k.Enabled = true
	k.CreatedDate = time.Unix(1700000700, 0).UTC()
	k.LastUpdatedDate = time.Unix(1700000800, 0).UTC()
	k.StageKeys = []string{"api1/prod", "api2/" + variant}
	return k
}

func usagePlan(id, variant string) model.UsagePlan {
	p := model.UsagePlan{ID: id}
	if variant == "" {
		return p
	}
	p.Name = "plan " + variant
	p.Description = "description " + variant
	p.ProductCode = "product-" + variant
	p.APIStages = []model.APIStage{
		{APIID: "api1", Stage: "prod", Throttle: map[string]model.ThrottleSettings{
			"/pets/GET":             {BurstLimit: 10, RateLimit: 2.5},
			"/" + variant + "/POST": {},
		}},
		{APIID: "api2", Stage: variant},
	}
	p.Throttle = &model.ThrottleSettings{BurstLimit: 100, RateLimit: 50.5}
	p.Quota = &model.QuotaSettings{Limit: 1000, Offset: 10, Period: model.QuotaMonth}
	p.CreatedDate = time.Unix(1700000900, 0).UTC()
	return p
}

// forScoped runs fn once per scoped kind, each on a fresh store.
func forScoped(t *testing.T, open Opener, fn func(*testing.T, store.Store, scoped)) {
	for _, k := range scopedKinds {
		t.Run(k.name, func(t *testing.T) { fn(t, open(t), k) })
	}
}

// wantRead checks that read, run in scope, gives want (deep-equal, so an
// empty want slice also asks for a non-nil one).
func wantRead[T any](t *testing.T, s store.Store, scope model.Scope, what string, read func(store.ReadTx) (T, error), want T) {
	t.Helper()
	view(t, s, scope, func(tx store.ReadTx) error {
		got, err := read(tx)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v %v\nwant %+v", what, got, err, want)
		}
		return nil
	})
}

// wantScoped checks a scope's listing of the kind: want, in this order.
func wantScoped(t *testing.T, s store.Store, scope model.Scope, k scoped, want ...any) {
	t.Helper()
	wantRead(t, s, scope, "list "+k.name, k.list, append([]any{}, want...))
}

// testScopedLifecycle covers create, get, list order, replacement in place,
// delete, ErrNotFound, ErrExists and rollback for one kind.
func testScopedLifecycle(t *testing.T, s store.Store, k scoped) {
	b := k.build
	get := func(id string) func(store.ReadTx) (any, error) {
		return func(tx store.ReadTx) (any, error) { return k.get(tx, id) }
	}
	wantScoped(t, s, scopeA, k)
	// Ids out of alphabetical order: the listing must follow creation.
	for _, id := range []string{"k3", "k1", "k2"} {
		update(t, s, scopeA, func(tx store.Tx) error { return k.create(tx, b(id, "v1")) })
	}
	wantScoped(t, s, scopeA, k, b("k3", "v1"), b("k1", "v1"), b("k2", "v1"))
	wantRead(t, s, scopeA, "get k1", get("k1"), b("k1", "v1"))

	// Replacing keeps the position and replaces the whole value: a minimal
	// value drops every field, map and pointer of the full one.
	update(t, s, scopeA, func(tx store.Tx) error { return k.put(tx, b("k3", "v2")) })
	wantScoped(t, s, scopeA, k, b("k3", "v2"), b("k1", "v1"), b("k2", "v1"))
	update(t, s, scopeA, func(tx store.Tx) error { return k.put(tx, b("k1", "")) })
	wantRead(t, s, scopeA, "get k1 replaced by a minimal value", get("k1"), b("k1", ""))
	update(t, s, scopeA, func(tx store.Tx) error {
		if err := k.put(tx, b("k1", "v2")); err != nil {
			return err
		}
		return k.put(tx, b("k1", "v3"))
	})
	wantRead(t, s, scopeA, "get k1 replaced twice", get("k1"), b("k1", "v3"))

	// Deleting, then creating again, puts the id last.
	update(t, s, scopeA, func(tx store.Tx) error { return k.del(tx, "k3") })
	wantScoped(t, s, scopeA, k, b("k1", "v3"), b("k2", "v1"))
	update(t, s, scopeA, func(tx store.Tx) error { return k.create(tx, b("k3", "v4")) })
	wantScoped(t, s, scopeA, k, b("k1", "v3"), b("k2", "v1"), b("k3", "v4"))

	runErrCases(t, s, []errCase{
		{name: "get of a missing id", scope: scopeA, want: store.ErrNotFound,
			read: func(tx store.ReadTx) error { return second(k.get(tx, "nope")) }},
		{name: "create of an existing id", scope: scopeA, want: store.ErrExists,
			write: func(tx store.Tx) error { return k.create(tx, b("k2", "other")) }},
		{name: "put of a missing id", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error { return k.put(tx, b("k9", "v1")) }},
		{name: "delete of a missing id", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error { return k.del(tx, "nope") }},
		{name: "delete twice", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error {
				if err := k.del(tx, "k2"); err != nil {
					t.Errorf("first delete: %v", err)
				}
				return k.del(tx, "k2")
			}},
	})
	// The failed transactions above changed nothing, the rolled-back delete
	// included.
	wantScoped(t, s, scopeA, k, b("k1", "v3"), b("k2", "v1"), b("k3", "v4"))

	// Nor do transactions whose function fails after its writes.
	boom := errors.New("boom")
	err := s.Update(context.Background(), scopeA, func(tx store.Tx) error {
		for _, write := range []error{
			k.create(tx, b("k5", "v1")),
			k.put(tx, b("k1", "v9")),
			k.del(tx, "k2"),
		} {
			if write != nil {
				return write
			}
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Errorf("rolled-back writes: %v", err)
	}
	wantScoped(t, s, scopeA, k, b("k1", "v3"), b("k2", "v1"), b("k3", "v4"))
}

// testScopedIsolation checks that another account or region can neither see
// nor change a scope's values, and may use the same ids.
func testScopedIsolation(t *testing.T, s store.Store, k scoped) {
	mine := k.build("k1", "A")
	update(t, s, scopeA, func(tx store.Tx) error { return k.create(tx, mine) })
	var cases []errCase
	for _, sc := range []model.Scope{scopeB, scopeC} {
		other := sc.Account + "/" + sc.Region + ": "
		wantScoped(t, s, sc, k)
		cases = append(cases,
			errCase{name: other + "get", scope: sc, want: store.ErrNotFound,
				read: func(tx store.ReadTx) error { return second(k.get(tx, "k1")) }},
			errCase{name: other + "put", scope: sc, want: store.ErrNotFound,
				write: func(tx store.Tx) error { return k.put(tx, k.build("k1", "other")) }},
			errCase{name: other + "delete", scope: sc, want: store.ErrNotFound,
				write: func(tx store.Tx) error { return k.del(tx, "k1") }},
		)
	}
	// The same id (and, for keys, the same value) is free in another scope.
	cases = append(cases, errCase{name: "create the same id in scope B", scope: scopeB, want: nil,
		write: func(tx store.Tx) error { return k.create(tx, k.build("k1", "B")) }})
	runErrCases(t, s, cases)
	wantScoped(t, s, scopeA, k, mine)
	wantScoped(t, s, scopeB, k, k.build("k1", "B"))
	wantScoped(t, s, scopeC, k)
	update(t, s, scopeB, func(tx store.Tx) error { return k.del(tx, "k1") })
	wantScoped(t, s, scopeA, k, mine)
}

// testUsageRoundTrip checks that fully populated keys, plans and account
// settings come back deep-equal from both the get and the list, and that
// their times survive to the second whatever their location and precision.
func testUsageRoundTrip(t *testing.T, s store.Store) {
	key, plan := apiKey("rk", "full"), usagePlan("rp", "full")
	account := model.Account{CloudwatchRoleARN: "arn:aws:iam::000000000000:role/cw",
		Throttle: model.ThrottleSettings{BurstLimit: 20, RateLimit: 10.5}, Features: []string{"UsagePlans"}}
	update(t, s, scopeA, func(tx store.Tx) error {
		return errors.Join(tx.CreateAPIKey(key), tx.CreateUsagePlan(plan), tx.PutAccount(account))
	})
	wantRead(t, s, scopeA, "key", func(tx store.ReadTx) (model.APIKey, error) { return tx.APIKey("rk") }, key)
	wantRead(t, s, scopeA, "keys", store.ReadTx.APIKeys, []model.APIKey{key})
	wantRead(t, s, scopeA, "plan", func(tx store.ReadTx) (model.UsagePlan, error) { return tx.UsagePlan("rp") }, plan)
	wantRead(t, s, scopeA, "plans", store.ReadTx.UsagePlans, []model.UsagePlan{plan})
	wantRead(t, s, scopeA, "account", store.ReadTx.Account, account)

	when := time.Date(2024, 2, 29, 23, 59, 58, 987654321, time.FixedZone("X", -7*3600))
	key.ID, key.Value, key.CreatedDate, key.LastUpdatedDate = "tk", "timed", when, when
	plan.ID, plan.CreatedDate = "tp", when
	update(t, s, scopeA, func(tx store.Tx) error { return errors.Join(tx.CreateAPIKey(key), tx.CreateUsagePlan(plan)) })
	view(t, s, scopeA, func(tx store.ReadTx) error {
		k, err := tx.APIKey("tk")
		p, err2 := tx.UsagePlan("tp")
		if err := errors.Join(err, err2); err != nil {
			t.Fatal(err)
		}
		for what, got := range map[string]time.Time{"key created": k.CreatedDate, "key updated": k.LastUpdatedDate, "plan created": p.CreatedDate} {
			if !got.Truncate(time.Second).Equal(when.Truncate(time.Second)) {
				t.Errorf("%s: got %v, want %v", what, got, when)
			}
		}
		return nil
	})
}

// testAPIKeyValues checks that a value is unique within a scope: taken by
// one key, it cannot be another's until that key lets it go.
func testAPIKeyValues(t *testing.T, s store.Store) {
	withValue := func(id, value string) model.APIKey {
		k := apiKey(id, "v")
		k.Value = value
		return k
	}
	update(t, s, scopeA, func(tx store.Tx) error {
		return errors.Join(tx.CreateAPIKey(withValue("a", "va")), tx.CreateAPIKey(withValue("b", "vb")))
	})
	runErrCases(t, s, []errCase{
		{name: "create with a taken value", scope: scopeA, want: store.ErrExists,
			write: func(tx store.Tx) error { return tx.CreateAPIKey(withValue("c", "va")) }},
		{name: "create with a taken id and a free value", scope: scopeA, want: store.ErrExists,
			write: func(tx store.Tx) error { return tx.CreateAPIKey(withValue("a", "free")) }},
		// Not (yet) in PutAPIKey's contract, which names only ErrNotFound:
		// a put must not give one value to two keys either.
		{name: "put with another key's value", scope: scopeA, want: store.ErrExists,
			write: func(tx store.Tx) error { return tx.PutAPIKey(withValue("b", "va")) }},
		{name: "the same value in another scope", scope: scopeB, want: nil,
			write: func(tx store.Tx) error { return tx.CreateAPIKey(withValue("x", "va")) }},
	})
	wantRead(t, s, scopeA, "keys", store.ReadTx.APIKeys, []model.APIKey{withValue("a", "va"), withValue("b", "vb")})
	// A changed value frees the old one, and a deleted key frees its value.
	update(t, s, scopeA, func(tx store.Tx) error {
		return errors.Join(tx.PutAPIKey(withValue("b", "vb2")), tx.CreateAPIKey(withValue("c", "vb")))
	})
	update(t, s, scopeA, func(tx store.Tx) error {
		if err := tx.DeleteAPIKey("a"); err != nil {
			return err
		}
		return tx.CreateAPIKey(withValue("d", "va"))
	})
	wantRead(t, s, scopeA, "keys after the values moved", store.ReadTx.APIKeys,
		[]model.APIKey{withValue("b", "vb2"), withValue("c", "vb"), withValue("d", "va")})
}

// testAccount checks account settings: absent until put, then replaced
// whole, per scope.
func testAccount(t *testing.T, s store.Store) {
	notFound := func(name string, sc model.Scope) errCase {
		return errCase{name: name, scope: sc, want: store.ErrNotFound,
			read: func(tx store.ReadTx) error { return second(tx.Account()) }}
	}
	runErrCases(t, s, []errCase{notFound("never put", scopeA)})
	full := model.Account{CloudwatchRoleARN: "arn:aws:iam::000000000000:role/cw",
		Throttle: model.ThrottleSettings{BurstLimit: 5000, RateLimit: 10000}, Features: []string{"UsagePlans", "X"}}
	update(t, s, scopeA, func(tx store.Tx) error { return tx.PutAccount(full) })
	wantRead(t, s, scopeA, "account", store.ReadTx.Account, full)
	update(t, s, scopeA, func(tx store.Tx) error { return tx.PutAccount(model.Account{}) })
	wantRead(t, s, scopeA, "account replaced by a minimal one", store.ReadTx.Account, model.Account{})
	update(t, s, scopeA, func(tx store.Tx) error { return tx.PutAccount(full) })

	other := full
	other.CloudwatchRoleARN = "arn:aws:iam::111111111111:role/other"
	update(t, s, scopeB, func(tx store.Tx) error { return tx.PutAccount(other) })
	err := s.Update(context.Background(), scopeC, func(tx store.Tx) error {
		if err := tx.PutAccount(other); err != nil {
			return err
		}
		return errors.New("boom")
	})
	if err == nil {
		t.Error("the failing update succeeded")
	}
	runErrCases(t, s, []errCase{notFound("rolled back in another region", scopeC)})
	wantRead(t, s, scopeA, "account after other scopes' puts", store.ReadTx.Account, full)
	wantRead(t, s, scopeB, "other account", store.ReadTx.Account, other)
}

func planKeys(planID string) func(store.ReadTx) ([]string, error) {
	return func(tx store.ReadTx) ([]string, error) { return tx.UsagePlanKeys(planID) }
}

// createPlansAndKeys creates usage plans and API keys in scope.
func createPlansAndKeys(t *testing.T, s store.Store, scope model.Scope, plans, keys []string) {
	t.Helper()
	update(t, s, scope, func(tx store.Tx) error {
		for _, id := range plans {
			if err := tx.CreateUsagePlan(usagePlan(id, "v")); err != nil {
				return err
			}
		}
		for _, id := range keys {
			if err := tx.CreateAPIKey(apiKey(id, "v")); err != nil {
				return err
			}
		}
		return nil
	})
}

// addKeys adds keys to a plan, in this order.
func addKeys(t *testing.T, s store.Store, scope model.Scope, planID string, keys ...string) {
	t.Helper()
	update(t, s, scope, func(tx store.Tx) error {
		for _, k := range keys {
			if err := tx.AddUsagePlanKey(planID, k); err != nil {
				return err
			}
		}
		return nil
	})
}

// testUsagePlanKeys covers a plan's keys: insertion order, duplicates,
// removal and the ErrNotFound cases.
func testUsagePlanKeys(t *testing.T, s store.Store) {
	createPlansAndKeys(t, s, scopeA, []string{"p1", "p2"}, []string{"k1", "k2", "k3"})
	wantRead(t, s, scopeA, "keys of an empty plan", planKeys("p1"), []string{})
	addKeys(t, s, scopeA, "p1", "k3", "k1", "k2")
	addKeys(t, s, scopeA, "p2", "k2")
	wantRead(t, s, scopeA, "p1's keys", planKeys("p1"), []string{"k3", "k1", "k2"})
	wantRead(t, s, scopeA, "p2's keys", planKeys("p2"), []string{"k2"})
	add := func(planID, keyID string) func(store.Tx) error {
		return func(tx store.Tx) error { return tx.AddUsagePlanKey(planID, keyID) }
	}
	remove := func(planID, keyID string) func(store.Tx) error {
		return func(tx store.Tx) error { return tx.RemoveUsagePlanKey(planID, keyID) }
	}
	runErrCases(t, s, []errCase{
		{name: "add a member again", scope: scopeA, want: store.ErrExists, write: add("p1", "k1")},
		{name: "add a missing key", scope: scopeA, want: store.ErrNotFound, write: add("p1", "nokey")},
		{name: "add to a missing plan", scope: scopeA, want: store.ErrNotFound, write: add("noplan", "k1")},
		{name: "add a missing key to a missing plan", scope: scopeA, want: store.ErrNotFound, write: add("noplan", "nokey")},
		{name: "keys of a missing plan", scope: scopeA, want: store.ErrNotFound,
			read: func(tx store.ReadTx) error { return second(tx.UsagePlanKeys("noplan")) }},
		{name: "remove a key that is not a member", scope: scopeA, want: store.ErrNotFound, write: remove("p2", "k3")},
		{name: "remove a missing key", scope: scopeA, want: store.ErrNotFound, write: remove("p1", "nokey")},
		{name: "remove from a missing plan", scope: scopeA, want: store.ErrNotFound, write: remove("noplan", "k1")},
		{name: "remove twice", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error {
				if err := tx.RemoveUsagePlanKey("p1", "k1"); err != nil {
					t.Errorf("first remove: %v", err)
				}
				return tx.RemoveUsagePlanKey("p1", "k1")
			}},
	})
	wantRead(t, s, scopeA, "p1's keys after failed changes", planKeys("p1"), []string{"k3", "k1", "k2"})
	// A key removed and added again goes last.
	update(t, s, scopeA, remove("p1", "k1"))
	wantRead(t, s, scopeA, "p1's keys after a removal", planKeys("p1"), []string{"k3", "k2"})
	addKeys(t, s, scopeA, "p1", "k1")
	wantRead(t, s, scopeA, "p1's keys after adding again", planKeys("p1"), []string{"k3", "k2", "k1"})
	wantRead(t, s, scopeA, "p2's keys", planKeys("p2"), []string{"k2"})
}

// testUsagePlanKeyCascades checks that deleting a key takes it out of every
// plan, and deleting a plan forgets its keys, not the keys themselves.
func testUsagePlanKeyCascades(t *testing.T, s store.Store) {
	createPlansAndKeys(t, s, scopeA, []string{"p1", "p2"}, []string{"k1", "k2", "k3"})
	addKeys(t, s, scopeA, "p1", "k1", "k2", "k3")
	addKeys(t, s, scopeA, "p2", "k2", "k3")
	update(t, s, scopeA, func(tx store.Tx) error { return tx.DeleteAPIKey("k2") })
	wantRead(t, s, scopeA, "p1's keys after k2's deletion", planKeys("p1"), []string{"k1", "k3"})
	wantRead(t, s, scopeA, "p2's keys after k2's deletion", planKeys("p2"), []string{"k3"})
	// A key created again under the same id belongs to no plan.
	createPlansAndKeys(t, s, scopeA, nil, []string{"k2"})
	wantRead(t, s, scopeA, "p2's keys after k2's re-creation", planKeys("p2"), []string{"k3"})

	update(t, s, scopeA, func(tx store.Tx) error { return tx.DeleteUsagePlan("p1") })
	runErrCases(t, s, []errCase{
		{name: "keys of a deleted plan", scope: scopeA, want: store.ErrNotFound,
			read: func(tx store.ReadTx) error { return second(tx.UsagePlanKeys("p1")) }},
		{name: "remove from a deleted plan", scope: scopeA, want: store.ErrNotFound,
			write: func(tx store.Tx) error { return tx.RemoveUsagePlanKey("p1", "k1") }},
	})
	wantRead(t, s, scopeA, "keys after p1's deletion", func(tx store.ReadTx) ([]string, error) {
		keys, err := tx.APIKeys()
		ids := []string{}
		for _, k := range keys {
			ids = append(ids, k.ID)
		}
		return ids, err
	}, []string{"k1", "k3", "k2"})
	wantRead(t, s, scopeA, "p2's keys after p1's deletion", planKeys("p2"), []string{"k3"})
	// A plan created again under the same id starts empty.
	createPlansAndKeys(t, s, scopeA, []string{"p1"}, nil)
	wantRead(t, s, scopeA, "keys of p1 created again", planKeys("p1"), []string{})
	addKeys(t, s, scopeA, "p1", "k3", "k1")
	wantRead(t, s, scopeA, "keys added to p1 created again", planKeys("p1"), []string{"k3", "k1"})
}

func usageOf(planID, keyID, from, to string) func(store.ReadTx) ([]model.DailyUsage, error) {
	return func(tx store.ReadTx) ([]model.DailyUsage, error) { return tx.Usage(planID, keyID, from, to) }
}

func addUsage(t *testing.T, s store.Store, scope model.Scope, planID string, days ...model.DailyUsage) {
	t.Helper()
	update(t, s, scope, func(tx store.Tx) error { return tx.AddUsage(planID, days) })
}

func day(keyID, d string, used, granted int64) model.DailyUsage {
	return model.DailyUsage{KeyID: keyID, Day: d, Used: used, Granted: granted}
}

const (
	jan1, jan31 = "2024-01-01", "2024-01-31"
	allDays     = "0000-01-01"
	noDay       = "9999-12-31"
)

// testUsageRecords covers AddUsage's accumulation and Usage's filters and
// order.
func testUsageRecords(t *testing.T, s store.Store) {
	createPlansAndKeys(t, s, scopeA, []string{"p", "q"}, []string{"k1", "k2"})
	wantRead(t, s, scopeA, "usage of a plan without any", usageOf("p", "", allDays, noDay), []model.DailyUsage{})
	// Records out of order, one day twice in one call, one negative grant.
	addUsage(t, s, scopeA, "p", day("k2", "2024-01-02", 5, 0), day("k1", "2024-01-03", 1, 0), day("k1", jan1, 2, 10))
	addUsage(t, s, scopeA, "p", day("k1", jan1, 3, -4), day("k1", jan1, 1, 0), day("k2", "2023-12-31", 7, 0))
	addUsage(t, s, scopeA, "q", day("k1", jan1, 100, 1))
	addUsage(t, s, scopeA, "p")
	wantRead(t, s, scopeA, "all of p's usage", usageOf("p", "", allDays, noDay), []model.DailyUsage{
		day("k1", jan1, 6, 6), day("k1", "2024-01-03", 1, 0), day("k2", "2023-12-31", 7, 0), day("k2", "2024-01-02", 5, 0)})
	wantRead(t, s, scopeA, "p's usage in January", usageOf("p", "", jan1, jan31), []model.DailyUsage{
		day("k1", jan1, 6, 6), day("k1", "2024-01-03", 1, 0), day("k2", "2024-01-02", 5, 0)})
	wantRead(t, s, scopeA, "inclusive bounds", usageOf("p", "", "2024-01-02", "2024-01-03"), []model.DailyUsage{
		day("k1", "2024-01-03", 1, 0), day("k2", "2024-01-02", 5, 0)})
	wantRead(t, s, scopeA, "one day", usageOf("p", "", jan1, jan1), []model.DailyUsage{day("k1", jan1, 6, 6)})
	wantRead(t, s, scopeA, "one key", usageOf("p", "k2", allDays, noDay), []model.DailyUsage{
		day("k2", "2023-12-31", 7, 0), day("k2", "2024-01-02", 5, 0)})
	wantRead(t, s, scopeA, "one key, one day", usageOf("p", "k1", "2024-01-03", jan31), []model.DailyUsage{day("k1", "2024-01-03", 1, 0)})
	wantRead(t, s, scopeA, "another plan", usageOf("q", "", allDays, noDay), []model.DailyUsage{day("k1", jan1, 100, 1)})
	for what, read := range map[string]func(store.ReadTx) ([]model.DailyUsage, error){
		"a range without records": usageOf("p", "", "2024-02-01", "2024-02-29"),
		"from after to":           usageOf("p", "", jan31, jan1),
		"a key without records":   usageOf("p", "nokey", allDays, noDay),
		"a missing plan":          usageOf("noplan", "", allDays, noDay),
	} {
		wantRead(t, s, scopeA, what, read, []model.DailyUsage{})
	}

	// A deleted key's usage stays.
	update(t, s, scopeA, func(tx store.Tx) error { return tx.DeleteAPIKey("k2") })
	addUsage(t, s, scopeA, "p", day("k2", "2024-01-02", 1, 0))
	wantRead(t, s, scopeA, "a deleted key's usage", usageOf("p", "k2", allDays, noDay), []model.DailyUsage{
		day("k2", "2023-12-31", 7, 0), day("k2", "2024-01-02", 6, 0)})

	// A deleted plan's usage goes, and usage added for it afterwards (or for a
	// plan that never was) is dropped without error.
	update(t, s, scopeA, func(tx store.Tx) error {
		if err := tx.DeleteUsagePlan("p"); err != nil {
			return err
		}
		return tx.AddUsage("p", []model.DailyUsage{day("k1", jan1, 1, 1)})
	})
	addUsage(t, s, scopeA, "p", day("k1", jan1, 1, 1))
	addUsage(t, s, scopeA, "never", day("k1", jan1, 1, 1))
	createPlansAndKeys(t, s, scopeA, []string{"p", "never"}, nil)
	wantRead(t, s, scopeA, "usage of p created again", usageOf("p", "", allDays, noDay), []model.DailyUsage{})
	wantRead(t, s, scopeA, "usage of a plan created after AddUsage", usageOf("never", "", allDays, noDay), []model.DailyUsage{})
	wantRead(t, s, scopeA, "q's usage after p's deletion", usageOf("q", "", allDays, noDay), []model.DailyUsage{day("k1", jan1, 100, 1)})
}

// testUsageIsolation checks that another account or region, even with a plan
// and key of the same ids, can neither see nor change a scope's memberships,
// usage and account settings.
func testUsageIsolation(t *testing.T, s store.Store) {
	mine := []model.DailyUsage{day("k", jan1, 5, 1)}
	account := model.Account{Throttle: model.ThrottleSettings{BurstLimit: 1, RateLimit: 2}}
	createPlansAndKeys(t, s, scopeA, []string{"p"}, []string{"k"})
	addKeys(t, s, scopeA, "p", "k")
	addUsage(t, s, scopeA, "p", mine...)
	update(t, s, scopeA, func(tx store.Tx) error { return tx.PutAccount(account) })
	checkA := func(when string) {
		t.Helper()
		wantRead(t, s, scopeA, "scope A's plan keys "+when, planKeys("p"), []string{"k"})
		wantRead(t, s, scopeA, "scope A's usage "+when, usageOf("p", "", allDays, noDay), mine)
		wantRead(t, s, scopeA, "scope A's account "+when, store.ReadTx.Account, account)
	}

	var cases []errCase
	for _, sc := range []model.Scope{scopeB, scopeC} {
		other := sc.Account + "/" + sc.Region + ": "
		wantRead(t, s, sc, other+"usage", usageOf("p", "", allDays, noDay), []model.DailyUsage{})
		cases = append(cases,
			errCase{name: other + "plan keys", scope: sc, want: store.ErrNotFound,
				read: func(tx store.ReadTx) error { return second(tx.UsagePlanKeys("p")) }},
			errCase{name: other + "account", scope: sc, want: store.ErrNotFound,
				read: func(tx store.ReadTx) error { return second(tx.Account()) }},
			errCase{name: other + "add a key", scope: sc, want: store.ErrNotFound,
				write: func(tx store.Tx) error { return tx.AddUsagePlanKey("p", "k") }},
			errCase{name: other + "remove a key", scope: sc, want: store.ErrNotFound,
				write: func(tx store.Tx) error { return tx.RemoveUsagePlanKey("p", "k") }},
			errCase{name: other + "add usage (dropped)", scope: sc, want: nil,
				write: func(tx store.Tx) error { return tx.AddUsage("p", mine) }},
		)
	}
	runErrCases(t, s, cases)
	checkA("after other scopes' attempts")

	// Scope B builds the same, then deletes it.
	createPlansAndKeys(t, s, scopeB, []string{"p"}, []string{"k"})
	addKeys(t, s, scopeB, "p", "k")
	addUsage(t, s, scopeB, "p", day("k", jan1, 50, 0))
	update(t, s, scopeB, func(tx store.Tx) error { return tx.PutAccount(model.Account{}) })
	wantRead(t, s, scopeB, "scope B's usage", usageOf("p", "", allDays, noDay), []model.DailyUsage{day("k", jan1, 50, 0)})
	checkA("after scope B's writes")
	update(t, s, scopeB, func(tx store.Tx) error {
		return errors.Join(tx.DeleteAPIKey("k"), tx.DeleteUsagePlan("p"))
	})
	checkA("after scope B's deletions")
	wantRead(t, s, scopeA, "scope A's keys", store.ReadTx.APIKeys, []model.APIKey{apiKey("k", "v")})
	wantRead(t, s, scopeA, "scope A's plans", store.ReadTx.UsagePlans, []model.UsagePlan{usagePlan("p", "v")})
}

// testUsageRollback checks that a failed update leaves no key, plan,
// membership, account or usage change behind.
func testUsageRollback(t *testing.T, s store.Store) {
	createPlansAndKeys(t, s, scopeA, []string{"old"}, []string{"oldk"})
	addKeys(t, s, scopeA, "old", "oldk")
	addUsage(t, s, scopeA, "old", day("oldk", jan1, 1, 0))
	boom := errors.New("boom")
	err := s.Update(context.Background(), scopeA, func(tx store.Tx) error {
		if err := errors.Join(
			tx.CreateAPIKey(apiKey("newk", "v")),
			tx.CreateUsagePlan(usagePlan("new", "v")),
			tx.AddUsagePlanKey("new", "newk"),
			tx.AddUsagePlanKey("new", "oldk"),
			tx.AddUsage("new", []model.DailyUsage{day("newk", jan1, 1, 0)}),
			tx.AddUsage("old", []model.DailyUsage{day("oldk", jan1, 1, 0), day("oldk", jan31, 1, 0)}),
			tx.RemoveUsagePlanKey("old", "oldk"),
			tx.PutAccount(model.Account{CloudwatchRoleARN: "arn"}),
			tx.DeleteAPIKey("oldk"),
		); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the callback's error", err)
	}
	wantRead(t, s, scopeA, "keys", store.ReadTx.APIKeys, []model.APIKey{apiKey("oldk", "v")})
	wantRead(t, s, scopeA, "plans", store.ReadTx.UsagePlans, []model.UsagePlan{usagePlan("old", "v")})
	wantRead(t, s, scopeA, "plan keys", planKeys("old"), []string{"oldk"})
	wantRead(t, s, scopeA, "usage", usageOf("old", "", allDays, noDay), []model.DailyUsage{day("oldk", jan1, 1, 0)})
	runErrCases(t, s, []errCase{{name: "account", scope: scopeA, want: store.ErrNotFound,
		read: func(tx store.ReadTx) error { return second(tx.Account()) }}})
}

// testUsageListsNotNil checks that the listings give empty, non-nil slices
// when there is nothing to list.
func testUsageListsNotNil(t *testing.T, s store.Store) {
	wantRead(t, s, scopeA, "keys", store.ReadTx.APIKeys, []model.APIKey{})
	wantRead(t, s, scopeA, "plans", store.ReadTx.UsagePlans, []model.UsagePlan{})
	createPlansAndKeys(t, s, scopeA, []string{"p"}, nil)
	wantRead(t, s, scopeA, "plan keys", planKeys("p"), []string{})
	wantRead(t, s, scopeA, "usage", usageOf("p", "", allDays, noDay), []model.DailyUsage{})
}
