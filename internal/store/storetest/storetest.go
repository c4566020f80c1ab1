// Package storetest is the conformance suite that every store.Store
// implementation must pass: the embedded SQLite store today, PostgreSQL
// later.
package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
)

// Opener opens a fresh, empty store for one test.
type Opener func(t *testing.T) store.Store

var (
	scopeA = model.Scope{Account: "000000000000", Region: "us-east-1"}
	scopeB = model.Scope{Account: "111111111111", Region: "us-east-1"}
	scopeC = model.Scope{Account: "000000000000", Region: "eu-west-1"}
)

func api(id string) model.RestAPI {
	n := int64(0)
	return model.RestAPI{
		ID: id, Name: "api " + id, Description: "d", CreatedDate: time.Unix(1700000000, 0).UTC(),
		BinaryMediaTypes: []string{"image/png"}, MinimumCompressionSize: &n, APIKeySource: "HEADER",
		EndpointConfiguration: model.EndpointConfiguration{Types: []string{"EDGE"}, IPAddressType: "ipv4"},
		RootResourceID:        "root" + id,
	}
}

func root(id string) model.Resource { return model.Resource{ID: "root" + id, Path: "/"} }

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	tests := map[string]func(*testing.T, store.Store){
		"RestAPIRoundTrip":      testRestAPIRoundTrip,
		"Pagination":            testPagination,
		"Scopes":                testScopes,
		"GatewayResponses":      testGatewayResponses,
		"DeleteCascades":        testDeleteCascades,
		"FailedUpdateRollsBack": testRollback,
		"Tags":                  testTags,
		"ChildRoundTrip":        testChildRoundTrip,
		"Times":                 testTimes,
		"StoreScopes":           testStoreScopes,
		"UsageRoundTrip":        testUsageRoundTrip,
		"APIKeyValues":          testAPIKeyValues,
		"Account":               testAccount,
		"UsagePlanKeys":         testUsagePlanKeys,
		"UsagePlanKeyCascades":  testUsagePlanKeyCascades,
		"UsageRecords":          testUsageRecords,
		"UsageIsolation":        testUsageIsolation,
		"UsageRollback":         testUsageRollback,
		"UsageListsNotNil":      testUsageListsNotNil,
	}
	for name, fn := range tests {
		t.Run(name, func(t *testing.T) { fn(t, open(t)) })
	}
	// Resources, deployments and stages share these tests.
	perKind := map[string]func(*testing.T, store.Store, kind){
		"ChildLifecycle": testChildLifecycle,
		"ChildCascade":   testChildCascade,
		"ChildIsolation": testChildIsolation,
	}
	for name, fn := range perKind {
		t.Run(name, func(t *testing.T) { forKinds(t, open, fn) })
	}
	// API keys and usage plans share these tests.
	perScoped := map[string]func(*testing.T, store.Store, scoped){
		"ScopedLifecycle": testScopedLifecycle,
		"ScopedIsolation": testScopedIsolation,
	}
	for name, fn := range perScoped {
		t.Run(name, func(t *testing.T) { forScoped(t, open, fn) })
	}
}

func update(t *testing.T, s store.Store, scope model.Scope, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), scope, fn); err != nil {
		t.Fatal(err)
	}
}

func testRestAPIRoundTrip(t *testing.T, s store.Store) {
	a := api("a1")
	update(t, s, scopeA, func(tx store.Tx) error { return tx.CreateRestAPI(a, root("a1")) })
	err := s.Update(context.Background(), scopeA, func(tx store.Tx) error { return tx.CreateRestAPI(a, root("a1")) })
	if !errors.Is(err, store.ErrExists) {
		t.Errorf("duplicate create: got %v, want ErrExists", err)
	}
	s.View(context.Background(), scopeA, func(tx store.ReadTx) error {
		got, err := tx.RestAPI("a1")
		if err != nil || !reflect.DeepEqual(got, a) {
			t.Errorf("got %+v %v, want %+v", got, err, a)
		}
		res, err := tx.Resources("a1")
		if err != nil || !reflect.DeepEqual(res, []model.Resource{root("a1")}) {
			t.Errorf("resources %+v %v", res, err)
		}
		if _, err := tx.RestAPI("nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing API: %v", err)
		}
		return nil
	})
	a.Name = "renamed"
	update(t, s, scopeA, func(tx store.Tx) error { return tx.PutRestAPI(a) })
	s.View(context.Background(), scopeA, func(tx store.ReadTx) error {
		if got, _ := tx.RestAPI("a1"); got.Name != "renamed" {
			t.Errorf("PutRestAPI not applied: %q", got.Name)
		}
		return nil
	})
	if err := s.Update(context.Background(), scopeA, func(tx store.Tx) error { return tx.PutRestAPI(api("zz")) }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutRestAPI of a missing API: %v", err)
	}
}

func testPagination(t *testing.T, s store.Store) {
	var want []string
	for _, id := range []string{"p5", "p1", "p4", "p2", "p3"} {
		update(t, s, scopeA, func(tx store.Tx) error { return tx.CreateRestAPI(api(id), root(id)) })
		want = append(want, id)
	}
	var got []string
	pos := ""
	for pages := 0; ; pages++ {
		var next string
		s.View(context.Background(), scopeA, func(tx store.ReadTx) error {
			apis, n, err := tx.RestAPIs(store.Page{Limit: 2, Position: pos})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range apis {
				got = append(got, a.ID)
			}
			next = n
			return nil
		})
		if next == "" || pages > 5 {
			break
		}
		pos = next
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pages: got %v, want creation order %v", got, want)
	}
	s.View(context.Background(), scopeA, func(tx store.ReadTx) error {
		all, next, err := tx.RestAPIs(store.Page{})
		if err != nil || len(all) != 5 || next != "" {
			t.Errorf("unlimited: %d %q %v", len(all), next, err)
		}
		if _, _, err := tx.RestAPIs(store.Page{Position: "not a position!"}); !errors.Is(err, store.ErrBadPosition) {
			t.Errorf("bad position: %v", err)
		}
		return nil
	})
}

func testScopes(t *testing.T, s store.Store) {
	for _, sc := range []model.Scope{scopeA, scopeB, scopeC} {
		update(t, s, sc, func(tx store.Tx) error { return tx.CreateRestAPI(api("same"), root("same")) })
	}
	update(t, s, scopeB, func(tx store.Tx) error {
		return tx.PutGatewayResponse("same", model.GatewayResponse{Type: "DEFAULT_4XX", StatusCode: "418"})
	})
	update(t, s, scopeC, func(tx store.Tx) error { return tx.DeleteRestAPI("same") })
	s.View(context.Background(), scopeA, func(tx store.ReadTx) error {
		if _, err := tx.RestAPI("same"); err != nil {
			t.Errorf("scope A lost its API: %v", err)
		}
		if m, _ := tx.GatewayResponses("same"); len(m) != 0 {
			t.Errorf("scope A sees scope B's customization: %v", m)
		}
		return nil
	})
	s.View(context.Background(), scopeC, func(tx store.ReadTx) error {
		if _, err := tx.RestAPI("same"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("scope C: %v", err)
		}
		return nil
	})
}

func testGatewayResponses(t *testing.T, s store.Store) {
	update(t, s, scopeA, func(tx store.Tx) error { return tx.CreateRestAPI(api("g"), root("g")) })
	gr := model.GatewayResponse{Type: "UNAUTHORIZED", StatusCode: "",
		ResponseParameters: map[string]string{"gatewayresponse.header.x": "'y'"},
		ResponseTemplates:  map[string]string{"application/json": `{"m":$context.error.messageString}`}}
	update(t, s, scopeA, func(tx store.Tx) error { return tx.PutGatewayResponse("g", gr) })
	gr2 := gr
	gr2.StatusCode = "401"
	update(t, s, scopeA, func(tx store.Tx) error { return tx.PutGatewayResponse("g", gr2) })
	s.View(context.Background(), scopeA, func(tx store.ReadTx) error {
		m, err := tx.GatewayResponses("g")
		if err != nil || len(m) != 1 || !reflect.DeepEqual(m["UNAUTHORIZED"], gr2) {
			t.Errorf("got %+v %v", m, err)
		}
		return nil
	})
	update(t, s, scopeA, func(tx store.Tx) error { return tx.DeleteGatewayResponse("g", "UNAUTHORIZED") })
	err := s.Update(context.Background(), scopeA, func(tx store.Tx) error { return tx.DeleteGatewayResponse("g", "UNAUTHORIZED") })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	err = s.Update(context.Background(), scopeA, func(tx store.Tx) error { return tx.PutGatewayResponse("nosuchapi", gr) })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("put on a missing API: got %v, want ErrNotFound", err)
	}
}

func testDeleteCascades(t *testing.T, s store.Store) {
	update(t, s, scopeA, func(tx store.Tx) error {
		if err := tx.CreateRestAPI(api("d"), root("d")); err != nil {
			return err
		}
		if err := tx.PutGatewayResponse("d", model.GatewayResponse{Type: "DEFAULT_5XX", StatusCode: "599"}); err != nil {
			return err
		}
		if err := tx.TagResource("/restapis/d", map[string]string{"k": "v"}); err != nil {
			return err
		}
		return tx.TagResource("/restapis/d/stages/prod", map[string]string{"k": "v"})
	})
	update(t, s, scopeA, func(tx store.Tx) error { return tx.DeleteRestAPI("d") })
	update(t, s, scopeA, func(tx store.Tx) error { return tx.CreateRestAPI(api("d"), root("d")) })
	s.View(context.Background(), scopeA, func(tx store.ReadTx) error {
		m, _ := tx.GatewayResponses("d")
		t1, _ := tx.Tags("/restapis/d")
		t2, _ := tx.Tags("/restapis/d/stages/prod")
		if len(m)+len(t1)+len(t2) != 0 {
			t.Errorf("delete left %v %v %v", m, t1, t2)
		}
		return nil
	})
	if err := s.Update(context.Background(), scopeA, func(tx store.Tx) error { return tx.DeleteRestAPI("never") }); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("delete of a missing API: %v", err)
	}
}

func testRollback(t *testing.T, s store.Store) {
	boom := errors.New("boom")
	err := s.Update(context.Background(), scopeA, func(tx store.Tx) error {
		if err := tx.CreateRestAPI(api("r"), root("r")); err != nil {
			return err
		}
		if err := tx.PutGatewayResponse("r", model.GatewayResponse{Type: "THROTTLED"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v, want the callback's error", err)
	}
	s.View(context.Background(), scopeA, func(tx store.ReadTx) error {
		if _, err := tx.RestAPI("r"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rolled-back API is visible: %v", err)
		}
		return nil
	})
}

func testTags(t *testing.T, s store.Store) {
	update(t, s, scopeA, func(tx store.Tx) error {
		if err := tx.TagResource("/restapis/t", map[string]string{"a": "1", "b": "2"}); err != nil {
			return err
		}
		if err := tx.TagResource("/restapis/t", map[string]string{"b": "3"}); err != nil {
			return err
		}
		return tx.UntagResource("/restapis/t", []string{"a", "missing"})
	})
	s.View(context.Background(), scopeA, func(tx store.ReadTx) error {
		got, err := tx.Tags("/restapis/t")
		if err != nil || !reflect.DeepEqual(got, map[string]string{"b": "3"}) {
			t.Errorf("tags %v %v", got, err)
		}
		none, err := tx.Tags("/restapis/none")
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("untagged resource: %v %v (want an empty, non-nil map)", none, err)
		}
		return nil
	})
}
