package mapping

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/theory/jsonpath"
	"github.com/theory/jsonpath/spec"

	"github.com/gantryproject/gantry/internal/vtl"
)

// inputObject is $input. The body is parsed lazily, once per render.
type inputObject struct {
	in *Input

	parsed  bool
	root    vtl.Value // ordered tree (LinkedHashMap / JSONArray semantics)
	plain   any       // the same tree as plain Go values, for JSONPath
	bodyErr error

	params *vtl.Map
}

func newInputObject(in *Input) *inputObject { return &inputObject{in: in} }

// body returns the payload as API Gateway exposes it: "{}" for an empty body.
func (o *inputObject) body() []byte {
	if len(o.in.Body) == 0 {
		return []byte("{}")
	}
	return o.in.Body
}

func (o *inputObject) parse() error {
	if o.parsed {
		return o.bodyErr
	}
	o.parsed = true
	v, err := vtl.ParseJSONSmart(o.body())
	if err != nil {
		o.bodyErr = fmt.Errorf("$input: the body is not valid JSON: %v", err)
		return o.bodyErr
	}
	o.root = v
	return nil
}

// plainTree returns the body as plain Go values for the JSONPath library.
func (o *inputObject) plainTree() any {
	if o.plain == nil {
		o.plain = toPlain(o.root)
	}
	return o.plain
}

// simplePath returns the selectors of a path made only of child name/index
// segments ($.a.b[0]), which can be resolved without the JSONPath engine.
func simplePath(jp *jsonpath.Path) (spec.NormalizedPath, bool) {
	var np spec.NormalizedPath
	for _, seg := range jp.Query().Segments() {
		sels := seg.Selectors()
		if seg.IsDescendant() || len(sels) != 1 {
			return nil, false
		}
		switch s := sels[0].(type) {
		case spec.Name:
			np = append(np, s)
		case spec.Index:
			if s < 0 {
				return nil, false
			}
			np = append(np, s)
		default:
			return nil, false
		}
	}
	return np, true
}

func toPlain(v vtl.Value) any {
	switch x := v.(type) {
	case *vtl.Map:
		m := make(map[string]any, x.Len())
		for i, k := range x.Keys() {
			m[vtl.ToString(k)] = toPlain(x.Values()[i])
		}
		return m
	case *vtl.List:
		l := make([]any, len(x.Items))
		for i, e := range x.Items {
			l[i] = toPlain(e)
		}
		return l
	}
	return v
}

// Property implements vtl.Object: $input.body.
func (o *inputObject) Property(name string) (vtl.Value, bool) {
	if name == "body" {
		return string(o.body()), true
	}
	return nil, false
}

// Method implements vtl.Object: json, path, params.
func (o *inputObject) Method(name string, args []vtl.Value) (vtl.Value, bool, error) {
	switch name {
	case "json", "path":
		if len(args) != 1 {
			return nil, false, nil
		}
		p, ok := args[0].(string)
		if !ok {
			return nil, false, nil
		}
		v, found, err := o.query(p)
		if err != nil {
			return nil, true, err
		}
		if name == "path" {
			return v, true, nil
		}
		if !found {
			// A definite path that matches nothing yields an empty string.
			return "", true, nil
		}
		return vtl.ToJSON(v), true, nil
	case "params":
		switch len(args) {
		case 0:
			return o.allParams(), true, nil
		case 1:
			return o.param(vtl.ToString(args[0])), true, nil
		}
	case "getBody":
		if len(args) == 0 {
			return string(o.body()), true, nil
		}
	}
	return nil, false, nil
}

// String implements vtl.Object.
func (o *inputObject) String() string { return "$input" }

func sortedMap(m map[string]string) *vtl.Map {
	out := vtl.NewMap()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out.Put(k, m[k])
	}
	return out
}

// allParams is $input.params(): {path={...}, querystring={...}, header={...}}.
func (o *inputObject) allParams() *vtl.Map {
	if o.params == nil {
		o.params = vtl.NewMap()
		o.params.Put("path", sortedMap(o.in.PathParams))
		o.params.Put("querystring", sortedMap(o.in.QueryParams))
		o.params.Put("header", sortedMap(o.in.Headers))
	}
	return o.params
}

// param is $input.params(name): path, then query string, then header
// (header names compared case-insensitively); "" when absent.
func (o *inputObject) param(name string) string {
	if v, ok := o.in.PathParams[name]; ok {
		return v
	}
	if v, ok := o.in.QueryParams[name]; ok {
		return v
	}
	if v, ok := o.in.Headers[name]; ok {
		return v
	}
	for k, v := range o.in.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// --- JSONPath ------------------------------------------------------------

var (
	pathCache   sync.Map // string -> *jsonpath.Path
	pathCacheMu sync.Mutex
	pathCacheN  int
)

const maxPathCache = 4096

// compilePath parses a JSONPath, accepting Jayway's syntax where it differs
// from RFC 9535 in simple ways (dotted member names containing '-' or other
// characters RFC 9535 only allows in brackets).
func compilePath(p string) (*jsonpath.Path, error) {
	if v, ok := pathCache.Load(p); ok {
		return v.(*jsonpath.Path), nil
	}
	src := normalizePath(p)
	jp, err := jsonpath.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("invalid JSONPath %q: %v", p, err)
	}
	pathCacheMu.Lock()
	if pathCacheN < maxPathCache {
		pathCacheN++
		pathCache.Store(p, jp)
	}
	pathCacheMu.Unlock()
	return jp, nil
}

// normalizePath rewrites .name segments that RFC 9535 rejects (for example
// $.content-type) into bracket notation, and accepts paths without the
// leading "$" as Jayway does.
func normalizePath(p string) string {
	p = strings.TrimSpace(p)
	if p == "" {
		return "$"
	}
	if !strings.HasPrefix(p, "$") {
		if strings.HasPrefix(p, "[") || strings.HasPrefix(p, ".") {
			p = "$" + p
		} else {
			p = "$." + p
		}
	}
	var b strings.Builder
	depth := 0
	var quote byte
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case quote != 0:
			b.WriteByte(c)
			if c == '\\' && i+1 < len(p) {
				i++
				b.WriteByte(p[i])
			} else if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
			b.WriteByte(c)
		case c == '[' || c == '(':
			depth++
			b.WriteByte(c)
		case c == ']' || c == ')':
			depth--
			b.WriteByte(c)
		case c == '.' && depth == 0 && i+1 < len(p) && p[i+1] != '.' && p[i+1] != '*' && p[i+1] != '[':
			j := i + 1
			for j < len(p) && p[j] != '.' && p[j] != '[' {
				j++
			}
			name := p[i+1 : j]
			if isShorthand(name) {
				b.WriteString("." + name)
			} else {
				b.WriteString("['" + strings.ReplaceAll(strings.ReplaceAll(name, `\`, `\\`), "'", `\'`) + "']")
			}
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isShorthand(name string) bool {
	if name == "" {
		return false
	}
	for i, r := range name {
		switch {
		case r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80:
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// query evaluates a JSONPath against the body like Jayway JsonPath does in
// API Gateway: a definite path returns the value (found=false and nil when
// absent), an indefinite path (wildcards, filters, slices, deep scan)
// returns a list of the matches.
func (o *inputObject) query(p string) (vtl.Value, bool, error) {
	jp, err := compilePath(p)
	if err != nil {
		return nil, false, err
	}
	if err := o.parse(); err != nil {
		return nil, false, err
	}
	if np, ok := simplePath(jp); ok {
		v := o.resolve(np)
		return v, v != nil || o.exists(np), nil
	}
	nodes := jp.SelectLocated(o.plainTree())
	if jp.Query().Singular() != nil {
		if len(nodes) == 0 {
			return nil, false, nil
		}
		return o.resolve(nodes[0].Path), true, nil
	}
	// Return matches in document order of the (ordered) body.
	type located struct {
		order []int
		v     vtl.Value
	}
	res := make([]located, 0, len(nodes))
	for _, n := range nodes {
		order, v := o.walk(n.Path)
		res = append(res, located{order, v})
	}
	slices.SortStableFunc(res, func(a, b located) int { return slices.Compare(a.order, b.order) })
	l := &vtl.List{JSON: true, Items: make([]vtl.Value, len(res))}
	for i, r := range res {
		l.Items[i] = r.v
	}
	return l, true, nil
}

// exists reports whether np leads to a (possibly null) value.
func (o *inputObject) exists(np spec.NormalizedPath) bool {
	if len(np) == 0 {
		return true
	}
	parent := o.resolve(np[:len(np)-1])
	switch s := np[len(np)-1].(type) {
	case spec.Name:
		if m, ok := parent.(*vtl.Map); ok {
			_, found := m.Get(string(s))
			return found
		}
	case spec.Index:
		if l, ok := parent.(*vtl.List); ok {
			return int(s) < len(l.Items)
		}
	}
	return false
}

func (o *inputObject) resolve(np spec.NormalizedPath) vtl.Value {
	cur := o.root
	for _, sel := range np {
		switch s := sel.(type) {
		case spec.Name:
			m, ok := cur.(*vtl.Map)
			if !ok {
				return nil
			}
			cur, _ = m.Get(string(s))
		case spec.Index:
			l, ok := cur.(*vtl.List)
			if !ok || int(s) < 0 || int(s) >= len(l.Items) {
				return nil
			}
			cur = l.Items[int(s)]
		}
	}
	return cur
}

// walk follows a normalized path in the ordered tree, returning the value and
// its position (for sorting in document order).
func (o *inputObject) walk(np spec.NormalizedPath) ([]int, vtl.Value) {
	cur := o.root
	order := make([]int, 0, len(np))
	for _, sel := range np {
		switch s := sel.(type) {
		case spec.Name:
			m, ok := cur.(*vtl.Map)
			if !ok {
				return order, nil
			}
			idx := m.Index(string(s))
			if idx < 0 {
				return order, nil
			}
			order = append(order, idx)
			cur = m.Values()[idx]
		case spec.Index:
			l, ok := cur.(*vtl.List)
			if !ok || int(s) < 0 || int(s) >= len(l.Items) {
				return order, nil
			}
			order = append(order, int(s))
			cur = l.Items[int(s)]
		}
	}
	return order, cur
}

// JSONPathValue evaluates a JSONPath such as $.user.name against a JSON
// body, as parameter mappings like method.request.body.user.name and
// integration.response.body.user.name do. A string result is returned as
// is; any other value as JSON. ok is false when the body is not JSON or the
// path selects nothing.
func JSONPathValue(body []byte, path string) (string, bool) {
	jp, err := compilePath(path)
	if err != nil {
		return "", false
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // keep large integers exact
	if err := dec.Decode(&doc); err != nil {
		return "", false
	}
	nodes := jp.Select(doc)
	if len(nodes) == 0 {
		return "", false
	}
	v := any(nodes)
	if len(nodes) == 1 {
		v = nodes[0]
	}
	if s, ok := v.(string); ok {
		return s, true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", false
	}
	return string(b), true
}
