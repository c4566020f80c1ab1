package vtl

import (
	"fmt"
	"strings"
	"testing"
)

// TestParseJSONKeys covers object keys, which the parser interns when they
// have no escape: repeated, escaped, duplicated, invalid, and more distinct
// keys than it interns.
func TestParseJSONKeys(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{`[{"a":1,"b":2},{"a":3,"b":4}]`, `[{a=1, b=2}, {a=3, b=4}]`, ""},
		{`{"a\"b":1,"a\u0062":2,"ab":3}`, `{a"b=1, ab=3}`, ""},
		{`{"a":1,"a":2}`, `{a=2}`, ""},
		{`{"":1}`, `{=1}`, ""},
		{"{\"a\x01\":1}", "", "control character"},
		{`{"a":1,"b`, "", "invalid JSON"},
	} {
		v, err := ParseJSON([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got := ToString(v); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.in, got, tc.want)
		}
	}

	// More distinct keys than are interned, each object repeating them.
	var b, want strings.Builder
	b.WriteByte('[')
	want.WriteByte('[')
	for o := range 2 {
		if o > 0 {
			b.WriteByte(',')
			want.WriteString(", ")
		}
		b.WriteByte('{')
		want.WriteByte('{')
		for i := range maxInternedKeys + 10 {
			if i > 0 {
				b.WriteByte(',')
				want.WriteString(", ")
			}
			fmt.Fprintf(&b, `"k%d":%d`, i, i)
			fmt.Fprintf(&want, "k%d=%d", i, i)
		}
		b.WriteByte('}')
		want.WriteByte('}')
	}
	b.WriteByte(']')
	want.WriteByte(']')
	v, err := ParseJSON([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if got := ToString(v); got != want.String() {
		t.Errorf("many keys: got %.200s..., want %.200s...", got, want.String())
	}
	m := v.(*List).Items[1].(*Map)
	if got, ok := m.Get(fmt.Sprintf("k%d", maxInternedKeys+5)); !ok || got != int64(maxInternedKeys+5) {
		t.Errorf("key past the interned ones: %v, %v", got, ok)
	}
}
