package dataplane

import (
	"slices"
	"strings"

	"github.com/gantryproject/gantry/internal/vtl"
)

// $context for mapping templates is built once per render that references
// it, from layouts prepared once: the keys and their index are shared, so a
// request pays only for the values.

// contextGroup is a nested map of $context, such as $context.identity,
// whose keys are the names after "identity." in contextNames.
type contextGroup struct {
	names  []string // full dotted names, in layout order
	layout *vtl.MapLayout
}

// contextSlot says how the value of one top-level $context key is made.
type contextSlot struct {
	name  string        // the contextNames entry; "" for the special keys
	group *contextGroup // a nested map
	value vtl.Value     // a constant
	epoch bool          // requestTimeEpoch, a number
	// authorizer is $context.authorizer: what the method's authorizer
	// established (principalId and context, or claims), null without one.
	authorizer bool
}

var (
	contextSlots  []contextSlot
	contextIndex  map[string]int // contextSlots by key
	contextLayout *vtl.MapLayout
	// contextValues is the number of values a $context needs, nested maps
	// included.
	contextValues int
)

func init() {
	// The keys in the order vtl.FromGo gives nested Go maps (sorted), then
	// the requestOverride and responseOverride that mapping.Render sets,
	// placed where it would append them.
	top := map[string]contextSlot{
		"requestTimeEpoch": {epoch: true},
		"isCanaryRequest":  {value: false},
		"authorizer":       {authorizer: true},
	}
	groups := map[string][]string{}
	for _, n := range contextNames {
		if prefix, sub, found := strings.Cut(n, "."); found {
			groups[prefix] = append(groups[prefix], sub)
			continue
		}
		top[n] = contextSlot{name: n}
	}
	for prefix, subs := range groups {
		slices.Sort(subs)
		g := &contextGroup{layout: vtl.NewMapLayout(stringValues(subs)...)}
		for _, sub := range subs {
			g.names = append(g.names, prefix+"."+sub)
		}
		top[prefix] = contextSlot{group: g}
		contextValues += len(subs)
	}
	keys := make([]string, 0, len(top)+2)
	for k := range top {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	keys = append(keys, "requestOverride", "responseOverride")
	contextIndex = make(map[string]int, len(keys))
	for i, k := range keys {
		contextIndex[k] = i
		contextSlots = append(contextSlots, top[k])
	}
	contextLayout = vtl.NewMapLayout(stringValues(keys)...)
	contextValues += len(keys)
}

func stringValues(ss []string) []vtl.Value {
	vs := make([]vtl.Value, len(ss))
	for i, s := range ss {
		vs[i] = s
	}
	return vs
}

// contextMap builds $context for a mapping template: every name of
// contextNames (null when it has no value for this request), dotted names
// in nested maps ($context.identity.sourceIp), requestTimeEpoch as a number
// and isCanaryRequest false. With names (see mapping.Input.ContextFunc),
// only those keys.
func (q *request) contextMap(names []string) *vtl.Map {
	if names != nil {
		// One allocation for the keys and values.
		kv := make([]vtl.Value, 2*len(names))
		keys, vals := kv[:0:len(names)], kv[len(names):len(names)]
		for _, name := range names {
			if name == "requestOverride" || name == "responseOverride" {
				continue // mapping.Render's
			}
			if i, ok := contextIndex[name]; ok {
				keys = append(keys, contextLayout.Key(i))
				vals = append(vals, q.contextSlotValue(contextSlots[i], nil))
			}
		}
		return vtl.NewMapOf(keys, vals)
	}
	// One allocation holds the values of every map.
	vals := make([]vtl.Value, contextValues)
	n := len(contextSlots)
	top, rest := vals[:n:n], vals[n:]
	for i, slot := range contextSlots {
		if slot.group != nil {
			k := len(slot.group.names)
			top[i] = q.contextSlotValue(slot, rest[:k:k])
			rest = rest[k:]
			continue
		}
		top[i] = q.contextSlotValue(slot, nil)
	}
	return contextLayout.New(top)
}

// contextSlotValue is the value of one top-level $context key; a nested map
// keeps its values in sub when sub is not nil.
func (q *request) contextSlotValue(slot contextSlot, sub []vtl.Value) vtl.Value {
	switch {
	case slot.group != nil:
		if sub == nil {
			sub = make([]vtl.Value, len(slot.group.names))
		}
		for j, name := range slot.group.names {
			if s, ok := q.contextValue(name); ok {
				sub[j] = s
			}
		}
		return slot.group.layout.New(sub)
	case slot.epoch:
		return q.start.UnixMilli() // a number, as on AWS
	case slot.authorizer:
		if a := q.authorizerMap(); a != nil {
			return vtl.FromGo(a)
		}
		return nil
	case slot.name != "":
		if s, ok := q.contextValue(slot.name); ok {
			return s
		}
		return nil
	}
	return slot.value
}
