package vtl

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Value is a VTL runtime value. The engine works with a small, closed set of
// Go types that mirror the Java objects Apache Velocity manipulates:
//
//   - nil: Java null (an undefined reference is indistinguishable from null,
//     as in Velocity where a context cannot hold null)
//   - string: java.lang.String
//   - int64: java.lang.Integer / java.lang.Long (kept apart from decimals, so
//     the JSON number 3 prints "3", never "3.0")
//   - float64: java.lang.Double (printed with Java's Double.toString rules)
//   - bool: java.lang.Boolean
//   - *Map: java.util.LinkedHashMap (insertion order kept)
//   - *List: java.util.ArrayList
//   - Object: a host object (such as API Gateway's $input or $util)
//
// Use FromGo to convert ordinary Go values (maps, slices, numbers) into
// Values.
type Value = any

// Object is implemented by host objects exposed to templates, for example
// API Gateway's $input and $util. Property reads ($obj.name) call Property;
// method calls ($obj.name(args)) call Method. Returning (nil, false) from
// Property or ok=false from Method makes the reference null, as Velocity
// does for a property or method it cannot resolve. A non-nil error aborts
// rendering, as a Java exception thrown by a method does in Velocity.
type Object interface {
	Property(name string) (v Value, ok bool)
	Method(name string, args []Value) (v Value, ok bool, err error)
	// String is the Java toString() of the object.
	String() string
}

// Map is an insertion-ordered map with Java LinkedHashMap semantics. Keys are
// compared with Java equals() semantics for strings, numbers and booleans;
// other keys are compared by their string form. Small maps are searched
// linearly; an index is built once a map grows past smallMap entries.
type Map struct {
	keys  []Value
	vals  []Value
	index map[any]int
	// shared is set while keys and index belong to a MapLayout: they are
	// copied before the map's key set first changes.
	shared bool
}

const smallMap = 8

// NewMap returns an empty Map.
func NewMap() *Map { return &Map{} }

// MapLayout is an ordered set of distinct keys, prepared once, from which
// maps holding those keys are made without per-key work: such maps share
// the layout's keys and index until their own key set changes. A MapLayout
// is immutable and safe for concurrent use.
type MapLayout struct {
	keys  []Value
	index map[any]int
}

// NewMapLayout returns the layout of keys, in order. Keys must be distinct.
func NewMapLayout(keys ...Value) *MapLayout {
	l := &MapLayout{keys: keys[:len(keys):len(keys)]}
	if len(keys) > smallMap {
		l.index = make(map[any]int, len(keys))
		for i, k := range keys {
			l.index[mapKey(k)] = i
		}
	}
	return l
}

// Len returns the number of keys.
func (l *MapLayout) Len() int { return len(l.keys) }

// Key returns key i of the layout.
func (l *MapLayout) Key(i int) Value { return l.keys[i] }

// New returns a map holding the layout's keys, in order, with vals (which
// the map keeps): vals[i] is the value of key i. It panics unless
// len(vals) equals l.Len().
func (l *MapLayout) New(vals []Value) *Map {
	if len(vals) != len(l.keys) {
		panic("vtl: MapLayout.New: wrong number of values")
	}
	return &Map{keys: l.keys, vals: vals, index: l.index, shared: true}
}

// NewMapOf returns the map of keys[i] to vals[i], in order, keeping both
// slices (appends to them copy them). Keys must be distinct, and the
// slices of equal length.
func NewMapOf(keys, vals []Value) *Map {
	if len(keys) != len(vals) {
		panic("vtl: NewMapOf: keys and values differ in number")
	}
	m := &Map{keys: keys[:len(keys):len(keys)], vals: vals[:len(vals):len(vals)]}
	if len(keys) > smallMap {
		m.reindex()
	}
	return m
}

// own gives the map its own keys and index before its key set changes.
func (m *Map) own() {
	if !m.shared {
		return
	}
	m.shared = false
	m.keys = append(make([]Value, 0, len(m.keys)+1), m.keys...)
	if m.index != nil {
		index := make(map[any]int, len(m.index)+1)
		for k, i := range m.index {
			index[k] = i
		}
		m.index = index
	}
}

// mapKey normalises a Value so it can be used as a Go map key.
func mapKey(k Value) any {
	switch x := k.(type) {
	case nil, string, int64, bool:
		return x
	case float64:
		return x
	case *Map, *List:
		return "\x00" + ToString(x)
	default:
		return fmt.Sprintf("\x01%p", x)
	}
}

// Len returns the number of entries (Java size()).
func (m *Map) Len() int { return len(m.keys) }

// Index returns the insertion position of key k, or -1.
func (m *Map) Index(k Value) int {
	if m == nil {
		return -1
	}
	if m.index != nil {
		if i, ok := m.index[mapKey(k)]; ok {
			return i
		}
		return -1
	}
	if ks, ok := k.(string); ok {
		for i, e := range m.keys {
			if es, ok := e.(string); ok && es == ks {
				return i
			}
		}
		return -1
	}
	mk := mapKey(k)
	for i, e := range m.keys {
		if mapKey(e) == mk {
			return i
		}
	}
	return -1
}

// Get returns the value stored under key k (Java get()).
func (m *Map) Get(k Value) (Value, bool) {
	i := m.Index(k)
	if i < 0 {
		return nil, false
	}
	return m.vals[i], true
}

// getString is Get for a string key, which it does not box into a Value
// (the property reads of templates, $map.name, are all such lookups).
func (m *Map) getString(k string) (Value, bool) {
	if m == nil {
		return nil, false
	}
	if m.index != nil {
		if i, ok := m.index[k]; ok {
			return m.vals[i], true
		}
		return nil, false
	}
	for i, e := range m.keys {
		if es, ok := e.(string); ok && es == k {
			return m.vals[i], true
		}
	}
	return nil, false
}

// Put stores v under key k, keeping the original position of an existing key,
// and returns the previous value (Java put()).
func (m *Map) Put(k, v Value) Value {
	if i := m.Index(k); i >= 0 {
		old := m.vals[i]
		m.vals[i] = v
		return old
	}
	m.own()
	m.keys = append(m.keys, k)
	m.vals = append(m.vals, v)
	if m.index != nil {
		m.index[mapKey(k)] = len(m.keys) - 1
	} else if len(m.keys) > smallMap {
		m.reindex()
	}
	return nil
}

func (m *Map) reindex() {
	m.index = make(map[any]int, len(m.keys))
	for i, k := range m.keys {
		m.index[mapKey(k)] = i
	}
}

// Remove deletes key k and returns its previous value (Java remove()).
func (m *Map) Remove(k Value) Value {
	i := m.Index(k)
	if i < 0 {
		return nil
	}
	old := m.vals[i]
	m.own()
	m.keys = append(m.keys[:i], m.keys[i+1:]...)
	m.vals = append(m.vals[:i], m.vals[i+1:]...)
	if m.index != nil {
		m.reindex()
	}
	return old
}

// Keys returns the keys in insertion order. The slice must not be modified.
func (m *Map) Keys() []Value { return m.keys }

// Values returns the values in insertion order. The slice must not be modified.
func (m *Map) Values() []Value { return m.vals }

// Clear removes all entries.
func (m *Map) Clear() {
	m.keys, m.vals, m.index, m.shared = nil, nil, nil, false
}

// List is a Java ArrayList.
type List struct {
	Items []Value
	// JSON makes toString() print the list (and everything inside it) as
	// JSON, like the net.minidev.json.JSONArray that API Gateway's
	// $input.path and $util.parseJson return for JSON arrays; Java maps
	// print as {k=v} but such a list prints as ["a",1].
	JSON bool
}

// NewList returns a List holding items (not copied).
func NewList(items ...Value) *List { return &List{Items: items} }

// entry is a java.util.Map.Entry as returned by entrySet().
type entry struct {
	key, val Value
}

// FromGo converts a Go value into a Value: maps with string keys become *Map
// (keys sorted, since Go maps are unordered), slices become *List, all Go
// integer types become int64 and float32/float64 become float64 (a float64
// holding an integral value stays a decimal). json.Number is converted like
// a JSON number. Values that already are Values are returned unchanged.
func FromGo(v any) Value {
	switch x := v.(type) {
	case nil, string, int64, float64, bool, *Map, *List, Object:
		return x
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint64:
		return int64(x)
	case float32:
		return float64(x)
	case json.Number:
		return numberFromJSON(string(x))
	case []byte:
		return string(x)
	case map[string]string:
		return mapFromGo(x)
	case map[string]any:
		return mapFromGo(x)
	case []any:
		return listFromGo(x)
	case []string:
		return listFromGo(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// mapFromGo converts a Go map into a Map with its keys sorted.
func mapFromGo[V any](x map[string]V) *Map {
	keys := make([]string, 0, len(x))
	for k := range x {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	// Keys from a Go map are distinct: no lookups while filling.
	m := &Map{keys: make([]Value, len(keys)), vals: make([]Value, len(keys))}
	for i, k := range keys {
		m.keys[i] = k
		m.vals[i] = FromGo(x[k])
	}
	if len(keys) > smallMap {
		m.reindex()
	}
	return m
}

// listFromGo converts a Go slice into a List.
func listFromGo[V any](x []V) *List {
	l := &List{Items: make([]Value, len(x))}
	for i, e := range x {
		l.Items[i] = FromGo(e)
	}
	return l
}

func numberFromJSON(s string) Value {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// ParseJSON decodes JSON into Values, keeping the key order of objects
// (LinkedHashMap). Integers become int64 and numbers with a fraction or
// exponent float64; arrays become plain Java-style lists.
func ParseJSON(data []byte) (Value, error) { return parseJSON(data, false) }

// ParseJSONSmart is ParseJSON with the value classes of the json-smart
// parser behind API Gateway's $input.path and $util.parseJson: arrays
// become lists that print as JSON (see List.JSON).
func ParseJSONSmart(data []byte) (Value, error) { return parseJSON(data, true) }

func parseJSON(data []byte, smart bool) (Value, error) {
	p := &jsonParser{b: data, smart: smart}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.b) {
		return nil, p.fail("unexpected data after JSON value")
	}
	return v, nil
}

// ToJSON serialises a Value as compact JSON (maps keep their order). Strings
// are escaped as JSON requires; non-finite decimals become null.
func ToJSON(v Value) string {
	var b strings.Builder
	writeJSON(&b, v)
	return b.String()
}

// maxStringify stops toString of (cyclic) structures from growing forever.
const maxStringify = 64 << 20

func writeJSON(b *strings.Builder, v Value) {
	if b.Len() > maxStringify {
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		writeJSONString(b, x)
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			b.WriteString("null")
			return
		}
		b.WriteString(javaDouble(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case *Map:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, ToString(k))
			b.WriteByte(':')
			writeJSON(b, x.vals[i])
		}
		b.WriteByte('}')
	case *List:
		b.WriteByte('[')
		for i, e := range x.Items {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e)
		}
		b.WriteByte(']')
	default:
		writeJSONString(b, ToString(x))
	}
}

func writeJSONString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}

// ToString returns the Java toString() of a value: maps print as
// {k=v, k2=v2}, lists as [a, b], decimals with Java's Double.toString rules
// (3.0, 1.0E10) and null as "null".
func ToString(v Value) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return javaDouble(x)
	case bool:
		if x {
			return "true"
		}
		return "false"
	case *Map, *List:
		var b strings.Builder
		writeJava(&b, x, 0)
		return b.String()
	case *entry:
		return ToString(x.key) + "=" + ToString(x.val)
	case Object:
		return x.String()
	case *foreachScope:
		return "org.apache.velocity.runtime.directive.ForeachScope"
	case *block:
		return x.String()
	}
	return fmt.Sprint(v)
}

func writeJava(b *strings.Builder, v Value, depth int) {
	if depth > 64 || b.Len() > maxStringify {
		b.WriteString("...")
		return
	}
	switch x := v.(type) {
	case *Map:
		b.WriteByte('{')
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			if k == Value(x) {
				b.WriteString("(this Map)")
			} else {
				writeJava(b, k, depth+1)
			}
			b.WriteByte('=')
			if x.vals[i] == Value(x) {
				b.WriteString("(this Map)")
			} else {
				writeJava(b, x.vals[i], depth+1)
			}
		}
		b.WriteByte('}')
	case *List:
		if x.JSON {
			writeJSON(b, x)
			return
		}
		b.WriteByte('[')
		for i, e := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			if e == Value(x) {
				b.WriteString("(this Collection)")
			} else {
				writeJava(b, e, depth+1)
			}
		}
		b.WriteByte(']')
	default:
		b.WriteString(ToString(v))
	}
}

// javaDouble formats f like Java's Double.toString.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	a := math.Abs(f)
	if a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±xx
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	if exp[0] == '+' {
		exp = exp[1:]
	}
	exp = strings.TrimLeft(exp, "0")
	if strings.HasPrefix(exp, "-") {
		exp = "-" + strings.TrimLeft(exp[1:], "0")
	}
	return mant + "E" + exp
}

// Truthy reports how Velocity 1.7 evaluates a reference in a condition: null
// is false, a Boolean is its value, anything else is true (even "" or 0).
func Truthy(v Value) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	}
	return true
}

func isNumber(v Value) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

func toFloat(v Value) float64 {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// compareNumbers compares two numbers like Velocity's MathUtils.compare.
func compareNumbers(a, b Value) int {
	ai, aok := a.(int64)
	bi, bok := b.(int64)
	if aok && bok {
		return compareOrdered(ai, bi)
	}
	return compareOrdered(toFloat(a), toFloat(b))
}

// compareOrdered returns -1, 0 or 1; unordered values (NaN) compare as
// equal.
func compareOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// javaEquals is Java's a.equals(b) for the value types the engine knows.
func javaEquals(a, b Value) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && (x == y || (math.IsNaN(x) && math.IsNaN(y)))
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case *List:
		y, ok := b.(*List)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		if len(x.Items) != len(y.Items) {
			return false
		}
		for i := range x.Items {
			if !javaEquals(x.Items[i], y.Items[i]) {
				return false
			}
		}
		return true
	case *Map:
		y, ok := b.(*Map)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		if x.Len() != y.Len() {
			return false
		}
		for i, k := range x.keys {
			v2, ok := y.Get(k)
			if !ok || !javaEquals(x.vals[i], v2) {
				return false
			}
		}
		return true
	case *entry:
		y, ok := b.(*entry)
		return ok && javaEquals(x.key, y.key) && javaEquals(x.val, y.val)
	}
	return a == b
}

// sameClass reports whether Velocity's == would call equals() directly
// (one class assignable from the other).
func sameClass(a, b Value) bool {
	switch a.(type) {
	case string:
		_, ok := b.(string)
		return ok
	case bool:
		_, ok := b.(bool)
		return ok
	case *List:
		_, ok := b.(*List)
		return ok
	case *Map:
		_, ok := b.(*Map)
		return ok
	}
	return false
}

// velocityEquals implements Velocity 1.7's == operator: numbers compare by
// value whatever their class, objects of the same class use equals(), and
// anything else is compared through toString().
func velocityEquals(a, b Value) bool {
	if isNumber(a) && isNumber(b) {
		return compareNumbers(a, b) == 0
	}
	if a != nil && b != nil && sameClass(a, b) {
		return javaEquals(a, b)
	}
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return ToString(a) == ToString(b)
}
