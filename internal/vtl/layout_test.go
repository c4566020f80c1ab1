package vtl

import (
	"context"
	"fmt"
	"testing"
)

// TestMapLayout checks that maps made from one layout behave as maps built
// with Put, and that changing one map's keys (templates may #set, put,
// remove or clear) touches neither the layout nor the other maps.
func TestMapLayout(t *testing.T) {
	for _, n := range []int{3, 12} { // without and with an index
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			keys := make([]Value, n)
			for i := range keys {
				keys[i] = fmt.Sprintf("k%02d", i)
			}
			l := NewMapLayout(keys...)
			built := func() *Map {
				m := NewMap()
				for i, k := range keys {
					m.Put(k, int64(i))
				}
				return m
			}
			fromLayout := func() *Map {
				vals := make([]Value, n)
				for i := range vals {
					vals[i] = int64(i)
				}
				return l.New(vals)
			}
			a, b, ref := fromLayout(), fromLayout(), built()
			for _, m := range []*Map{a, ref} {
				m.Put("k01", "replaced")
				m.Put("new", true)
				m.Remove("k00")
				m.Put("k00", "again")
			}
			if got, want := ToString(a), ToString(ref); got != want {
				t.Errorf("changed map:\n got %s\nwant %s", got, want)
			}
			if got, want := ToString(b), ToString(built()); got != want {
				t.Errorf("untouched map:\n got %s\nwant %s", got, want)
			}
			if v, ok := b.Get("k01"); !ok || v != int64(1) {
				t.Errorf("untouched map k01 = %v, %v", v, ok)
			}
			a.Clear()
			if c := fromLayout(); ToString(c) != ToString(built()) || c.Index("new") >= 0 {
				t.Errorf("a new map after changes: %s", ToString(c))
			}
		})
	}
}

// TestStaticAndReferences checks what Static and References report.
func TestStaticAndReferences(t *testing.T) {
	for _, tc := range []struct {
		src, static string
		isStatic    bool
		refs        []string // referenced
		unrefs      []string // not referenced
	}{
		{src: `{"statusCode": 200}`, static: `{"statusCode": 200}`, isStatic: true, unrefs: []string{"input", "context"}},
		{src: "a ## comment\nb", static: "a b", isStatic: true},
		{src: "", static: "", isStatic: true},
		{src: `{"id":"$input.params('id')"}`, refs: []string{"input"}, unrefs: []string{"context", "util"}},
		{src: `#set($x = "${context.stage}")$x`, refs: []string{"context", "x"}, unrefs: []string{"input"}},
		{src: `#foreach($k in $stageVariables.keySet())$k#end`, refs: []string{"stageVariables", "k"}, unrefs: []string{"context"}},
	} {
		tm, err := New(Options{APIGateway: true}).Parse("t", tc.src)
		if err != nil {
			t.Fatal(err)
		}
		static, ok := tm.Static()
		if ok != tc.isStatic || static != tc.static {
			t.Errorf("%q: Static() = %q, %v; want %q, %v", tc.src, static, ok, tc.static, tc.isStatic)
		}
		if ok {
			out, err := tm.Render(context.Background(), nil)
			if err != nil || out != static {
				t.Errorf("%q: Render = %q, %v; Static gave %q", tc.src, out, err, static)
			}
		}
		for _, n := range tc.refs {
			if !tm.References(n) {
				t.Errorf("%q: References(%q) = false", tc.src, n)
			}
		}
		for _, n := range tc.unrefs {
			if tm.References(n) {
				t.Errorf("%q: References(%q) = true", tc.src, n)
			}
		}
	}
	// In plain Velocity mode, #evaluate can reach any variable.
	tm, err := New(Options{}).Parse("t", `#evaluate("$a")`)
	if err != nil {
		t.Fatal(err)
	}
	if !tm.References("anything") {
		t.Error("a template with #evaluate: References(anything) = false")
	}
}

// TestProperties checks which uses of a variable Properties lets through
// as first-level property accesses, and which count as the whole variable.
func TestProperties(t *testing.T) {
	for _, tc := range []struct {
		src   string
		props string // fmt of the props, when ok
		ok    bool
	}{
		{`$context.stage`, "[stage]", true},
		{`${context.stage}$context.identity.sourceIp $context.stage.length()`, "[stage identity]", true},
		{`#set($context.requestOverride.header.x = "1")`, "[requestOverride]", true},
		{`#set($s = "in $context.path")$s`, "[path]", true},
		{`#if($context.stage == "a")#end`, "[stage]", true},
		{`$input.body`, "[]", true},
		{`$context`, "", false},
		{`$context.keySet()`, "", false},
		{`$context["stage"]`, "", false},
		{`#foreach($x in $context)#end`, "", false},
		{`#set($c = $context)`, "", false},
		{`$util.escapeJavaScript($context)`, "", false},
		{`#set($context = {})`, "", false},
		{`$context.stage $context`, "", false},
	} {
		tm, err := New(Options{APIGateway: true}).Parse("t", tc.src)
		if err != nil {
			t.Fatal(tc.src, err)
		}
		props, ok := tm.Properties("context")
		if ok != tc.ok || ok && fmt.Sprint(props) != tc.props {
			t.Errorf("%s: Properties = %v, %v; want %s, %v", tc.src, props, ok, tc.props, tc.ok)
		}
	}
	tm, err := New(Options{}).Parse("t", `$context.stage #evaluate("$x")`)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tm.Properties("context"); ok {
		t.Error("a template with #evaluate: Properties ok")
	}
}
