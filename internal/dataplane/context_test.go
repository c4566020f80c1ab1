package dataplane

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/front/fronttest"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/vtl"
)

// TestContextMap checks that $context built from the prepared layouts is
// the map that converting nested Go maps with vtl.FromGo gives (keys
// sorted), with the overrides mapping.Render adds last: the same keys, order,
// values and value types, including after a template adds and removes keys.
func TestContextMap(t *testing.T) {
	q := &request{
		start: time.Date(2026, 12, 7, 15, 4, 5, 0, time.UTC), requestID: "req-1", extendedID: "ext=",
		addr:     address{apiID: "a1", stage: "dev", path: "/pets/7", domainName: "a1.execute-api.localhost"},
		stage:    &stage{scope: model.Scope{Account: "000000000000"}, apiID: "a1", name: "dev", deploymentID: "d1"},
		resource: &resource{id: "r1", path: "/pets/{id}"},
		apiKey:   &apiKey{id: "k1", value: "secret"},
	}
	q.init(fronttest.NewRequestCtx("GET", "/restapis/a1/dev/_user_request_/pets/7", "User-Agent", "test/1.0"))

	// The reference: nested Go maps, converted by vtl.FromGo.
	want := map[string]any{}
	identity := map[string]any{}
	for _, n := range contextNames {
		var v any
		if s, ok := q.contextValue(n); ok {
			v = s
		}
		if sub, found := strings.CutPrefix(n, "identity."); found {
			identity[sub] = v
			continue
		}
		want[n] = v
	}
	want["identity"] = identity
	want["requestTimeEpoch"] = q.start.UnixMilli()
	want["isCanaryRequest"] = false
	want["authorizer"] = nil // no authorizer ran: $context.authorizer is null
	ref := vtl.FromGo(want).(*vtl.Map)

	got := q.contextMap(nil)
	for _, m := range []*vtl.Map{ref, got} {
		m.Put("requestOverride", "R")
		m.Put("responseOverride", "S")
	}
	check := func(step string) {
		t.Helper()
		if g, w := vtl.ToString(got), vtl.ToString(ref); g != w {
			t.Fatalf("%s:\n got %s\nwant %s", step, g, w)
		}
		for i, k := range ref.Keys() {
			if g, w := got.Values()[i], ref.Values()[i]; k != "identity" && g != w {
				t.Errorf("%s: %v: got %#v, want %#v", step, k, g, w)
			}
		}
	}
	check("built")
	if v, _ := got.Get("requestTimeEpoch"); v != q.start.UnixMilli() {
		t.Errorf("requestTimeEpoch = %#v, want an int64", v)
	}

	// A template changing one $context leaves the layout, and so the next
	// request's $context, untouched.
	for _, m := range []*vtl.Map{ref, got} {
		m.Put("extra", "x")
		m.Remove("stage")
		id, _ := m.Get("identity")
		id.(*vtl.Map).Remove("sourceIp")
		id.(*vtl.Map).Put("added", int64(1))
	}
	check("changed")
	next := q.contextMap(nil)
	if v, ok := next.Get("stage"); !ok || v != "dev" {
		t.Errorf("next $context.stage = %v, %v", v, ok)
	}
	if _, ok := next.Get("extra"); ok {
		t.Error("next $context has the key added to another")
	}
	id, _ := next.Get("identity")
	if v, ok := id.(*vtl.Map).Get("sourceIp"); !ok || v != "127.0.0.1" {
		t.Errorf("next $context.identity.sourceIp = %v, %v", v, ok)
	}

	// Only the keys a template reads: the same values, nothing else.
	part := q.contextMap([]string{"stage", "identity", "requestTimeEpoch", "nope", "requestOverride"})
	full := q.contextMap(nil)
	if got := vtl.ToString(vtl.NewList(part.Keys()...)); got != "[stage, identity, requestTimeEpoch]" {
		t.Errorf("partial $context keys: %s", got)
	}
	for _, k := range part.Keys() {
		p, _ := part.Get(k)
		w, _ := full.Get(k)
		if vtl.ToString(p) != vtl.ToString(w) || k == "requestTimeEpoch" && p != w {
			t.Errorf("partial $context.%v = %#v, want %#v", k, p, w)
		}
	}
}

// TestNewRequestIDs checks the forms of the ids made in one allocation.
func TestNewRequestIDs(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	ext := regexp.MustCompile(`^[A-Za-z0-9+/]{15}=$`)
	id1, ext1 := newRequestIDs()
	id2, ext2 := newRequestIDs()
	for _, id := range []string{id1, id2} {
		if !uuid.MatchString(id) {
			t.Errorf("request id %q is not a version 4 UUID", id)
		}
	}
	for _, e := range []string{ext1, ext2} {
		if !ext.MatchString(e) {
			t.Errorf("extended request id %q is not 16 characters of base64", e)
		}
	}
	if id1 == id2 || ext1 == ext2 {
		t.Error("two requests got the same ids")
	}
}

// TestContextMapAuthorizer: $context.authorizer holds what the authorizer
// established, as templates read it: principalId and the context values.
func TestContextMapAuthorizer(t *testing.T) {
	q := &request{stage: &stage{}, auth: &authResult{principalID: "user-1", context: map[string]string{"user": "alice"}}}
	q.init(fronttest.NewRequestCtx("GET", "/"))
	a, _ := q.contextMap(nil).Get("authorizer")
	if got := vtl.ToString(a); got != "{principalId=user-1, user=alice}" {
		t.Errorf("$context.authorizer = %s", got)
	}
	a, _ = q.contextMap([]string{"authorizer"}).Get("authorizer")
	if got := vtl.ToString(a); got != "{principalId=user-1, user=alice}" {
		t.Errorf("$context.authorizer (only key read) = %s", got)
	}
}
