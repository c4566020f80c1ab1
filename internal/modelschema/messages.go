package modelschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// API Gateway validates bodies with the Java json-schema-validator
// (com.github.fge, java-json-tools) and renders its report as a Java list of
// the messages: "[" + messages joined by ", " + "]". describe translates
// jsonschema/v6's errors into that library's English messages (its
// validation.properties bundle) and reproduces the order and extent of its
// report:
//
//   - at each instance location the keywords are checked in alphabetical
//     order of their names (the library keeps validators in a sorted map);
//   - an object's members are visited in sorted order of their names, an
//     array's elements in index order, after the container's own keywords;
//   - once any error has been reported, the validator stops descending into
//     containers (it still checks the keywords of the remaining siblings):
//     its report is shared and it does not "deep check" by default.
//
// Composite keywords (allOf, anyOf, oneOf, not) report one message of their
// own, as the library does, not the errors of their subschemas.

// entry is one message of the report, at an instance location.
type entry struct {
	path    []string
	keyword string // the library's keyword name, for ordering
	msg     string
}

func (s *Set) describe(verr *jsonschema.ValidationError, inst any) string {
	var entries []entry
	var collect func(e *jsonschema.ValidationError)
	collect = func(e *jsonschema.ValidationError) {
		switch e.ErrorKind.(type) {
		case *kind.Group, *kind.Schema, *kind.Reference:
			for _, c := range e.Causes {
				collect(c)
			}
			return
		}
		kw, msg := s.message(e, inst)
		entries = append(entries, entry{path: e.InstanceLocation, keyword: kw, msg: msg})
		if _, ok := e.ErrorKind.(*kind.Type); ok {
			// jsonschema/v6 stops at a type mismatch; the Java validator
			// also checks the keywords that apply to every type. enum is
			// the common one.
			if msg, ok := s.enumMiss(e, inst); ok {
				entries = append(entries, entry{path: e.InstanceLocation, keyword: "enum", msg: msg})
			}
		}
	}
	collect(verr)
	root := &node{}
	for _, e := range entries {
		root.insert(e, e.path)
	}
	var msgs []string
	failed := false
	root.visit(inst, &msgs, &failed)
	return "[" + strings.Join(msgs, ", ") + "]"
}

// node gathers the entries of one instance location and its descendants.
type node struct {
	entries  []entry
	children map[string]*node
}

func (n *node) insert(e entry, rest []string) {
	if len(rest) == 0 {
		n.entries = append(n.entries, e)
		return
	}
	if n.children == nil {
		n.children = map[string]*node{}
	}
	c := n.children[rest[0]]
	if c == nil {
		c = &node{}
		n.children[rest[0]] = c
	}
	c.insert(e, rest[1:])
}

func (n *node) visit(inst any, msgs *[]string, failed *bool) {
	sort.SliceStable(n.entries, func(i, j int) bool { return n.entries[i].keyword < n.entries[j].keyword })
	for _, e := range n.entries {
		*msgs = append(*msgs, e.msg)
		*failed = true
	}
	if *failed || len(n.children) == 0 {
		return
	}
	keys := make([]string, 0, len(n.children))
	for k := range n.children {
		keys = append(keys, k)
	}
	arr, isArray := inst.([]any)
	if isArray {
		slices.SortFunc(keys, func(a, b string) int {
			x, _ := strconv.Atoi(a)
			y, _ := strconv.Atoi(b)
			return x - y
		})
	} else {
		slices.Sort(keys)
	}
	for _, k := range keys {
		var child any
		if isArray {
			if i, err := strconv.Atoi(k); err == nil && i >= 0 && i < len(arr) {
				child = arr[i]
			}
		} else if obj, ok := inst.(map[string]any); ok {
			child = obj[k]
		}
		n.children[k].visit(child, msgs, failed)
	}
}

// message returns the library's keyword name and message for one error.
func (s *Set) message(e *jsonschema.ValidationError, root any) (keyword, msg string) {
	inst := lookup(root, e.InstanceLocation)
	sch, _ := s.schemaNode(e.SchemaURL).(map[string]any)
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		allowed := typeNames(sch["type"], k.Want)
		return "type", fmt.Sprintf("instance type (%s) does not match any allowed primitive type (allowed: %s)",
			instanceType(inst), jsonText(allowed))
	case *kind.Enum:
		return "enum", fmt.Sprintf("instance value (%s) not found in enum (possible values: %s)",
			jsonText(inst), jsonText(orDefault(sch["enum"], k.Want)))
	case *kind.Required:
		return "required", fmt.Sprintf("object has missing required properties (%s)", jsonText(k.Missing))
	case *kind.MinLength:
		return "minLength", "string \"" + str(inst) + "\" is too short (length: " + strconv.Itoa(k.Got) + ", required minimum: " + strconv.Itoa(k.Want) + ")"
	case *kind.MaxLength:
		return "maxLength", "string \"" + str(inst) + "\" is too long (length: " + strconv.Itoa(k.Got) + ", maximum allowed: " + strconv.Itoa(k.Want) + ")"
	case *kind.Pattern:
		return "pattern", "ECMA 262 regex \"" + k.Want + "\" does not match input string \"" + k.Got + "\""
	case *kind.Minimum:
		return "minimum", fmt.Sprintf("numeric instance is lower than the required minimum (minimum: %s, found: %s)",
			number(sch["minimum"], k.Want), number(inst, k.Got))
	case *kind.ExclusiveMinimum:
		return "minimum", fmt.Sprintf("numeric instance is not strictly greater than the required minimum %s",
			number(minimumOf(sch, "minimum", "exclusiveMinimum"), k.Want))
	case *kind.Maximum:
		return "maximum", fmt.Sprintf("numeric instance is greater than the required maximum (maximum: %s, found: %s)",
			number(sch["maximum"], k.Want), number(inst, k.Got))
	case *kind.ExclusiveMaximum:
		return "maximum", fmt.Sprintf("numeric instance is not strictly lower than the required maximum %s",
			number(minimumOf(sch, "maximum", "exclusiveMaximum"), k.Want))
	case *kind.MultipleOf:
		return "multipleOf", fmt.Sprintf("remainder of division is not zero (%s / %s)",
			number(inst, k.Got), number(sch["multipleOf"], k.Want))
	case *kind.MinItems:
		return "minItems", fmt.Sprintf("array is too short: must have at least %d elements but instance has %d elements", k.Want, k.Got)
	case *kind.MaxItems:
		return "maxItems", fmt.Sprintf("array is too long: must have at most %d elements but instance has %d elements", k.Want, k.Got)
	case *kind.UniqueItems:
		return "uniqueItems", "array must not contain duplicate elements"
	case *kind.AdditionalItems:
		allowed := 0
		if items, ok := sch["items"].([]any); ok {
			allowed = len(items)
		}
		n := 0
		if a, ok := inst.([]any); ok {
			n = len(a)
		}
		return "additionalItems", fmt.Sprintf("schema only allows %d elements in array but instance has %d elements", allowed, n)
	case *kind.AdditionalProperties:
		props := slices.Clone(k.Properties)
		slices.Sort(props)
		return "additionalProperties", "object instance has properties which are not allowed by the schema: " + jsonText(props)
	case *kind.MinProperties:
		return "minProperties", fmt.Sprintf("object has too few properties (found %d but schema requires at least %d)", k.Got, k.Want)
	case *kind.MaxProperties:
		return "maxProperties", fmt.Sprintf("object has too many properties (found %d but schema requires at most %d)", k.Got, k.Want)
	case *kind.Dependency:
		var required any = k.Missing
		if deps, ok := sch["dependencies"].(map[string]any); ok && deps[k.Prop] != nil {
			required = deps[k.Prop]
		}
		return "dependencies", fmt.Sprintf("property %s of object has missing property dependencies (schema requires %s; missing: %s)",
			jsonText(k.Prop), jsonText(required), jsonText(k.Missing))
	case *kind.AllOf:
		n := countOf(sch["allOf"])
		return "allOf", fmt.Sprintf("instance failed to match all required schemas (matched only %d out of %d)", n-len(e.Causes), n)
	case *kind.AnyOf:
		return "anyOf", fmt.Sprintf("instance failed to match at least one required schema among %d", countOf(sch["anyOf"]))
	case *kind.OneOf:
		return "oneOf", fmt.Sprintf("instance failed to match exactly one schema (matched %d out of %d)", len(k.Subschemas), countOf(sch["oneOf"]))
	case *kind.Not:
		return "not", "instance matched a schema which it should not have"
	case *kind.Format:
		return "format", formatMessage(k.Want, str(inst))
	}
	// Keywords draft 4 does not have: jsonschema/v6's own English text.
	kw := ""
	if p := e.ErrorKind.KeywordPath(); len(p) > 0 {
		kw = p[0]
	}
	return kw, e.ErrorKind.LocalizedString(message.NewPrinter(language.English))
}

// enumMiss returns the enum message for the value of a type error when the
// schema also has an enum that does not hold the value.
func (s *Set) enumMiss(e *jsonschema.ValidationError, root any) (string, bool) {
	sch, _ := s.schemaNode(e.SchemaURL).(map[string]any)
	values, ok := sch["enum"].([]any)
	if !ok {
		return "", false
	}
	inst := lookup(root, e.InstanceLocation)
	for _, v := range values {
		if jsonEqual(v, inst) {
			return "", false
		}
	}
	return fmt.Sprintf("instance value (%s) not found in enum (possible values: %s)", jsonText(inst), jsonText(values)), true
}

// jsonEqual compares JSON values, numbers by value (1 equals 1.0).
func jsonEqual(a, b any) bool {
	x, xok := a.(json.Number)
	y, yok := b.(json.Number)
	if xok && yok {
		rx, ok1 := new(big.Rat).SetString(string(x))
		ry, ok2 := new(big.Rat).SetString(string(y))
		return ok1 && ok2 && rx.Cmp(ry) == 0
	}
	return jsonText(a) == jsonText(b)
}

// formatMessage is the library's message for a string that fails a format.
func formatMessage(format, s string) string {
	switch format {
	case "email":
		return "string \"" + s + "\" is not a valid email address"
	case "hostname":
		return "string \"" + s + "\" is not a valid hostname"
	case "ipv4":
		return "string \"" + s + "\" is not a valid IPv4 address"
	case "ipv6":
		return "string \"" + s + "\" is not a valid IPv6 address"
	case "uri":
		return "string \"" + s + "\" is not a valid URI"
	case "regex":
		return "string \"" + s + "\" is not a valid ECMA 262 regular expression"
	case "date-time":
		// The library lists the date formats it accepts; this list is
		// Gantry's reading of its date-time attribute (unverified).
		return "string \"" + s + "\" is invalid against requested date format(s) [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,12}Z]"
	}
	return "string \"" + s + "\" is not a valid " + format
}

// schemaNode returns the schema object at an absolute schema location
// (model URL # JSON pointer).
func (s *Set) schemaNode(loc string) any {
	base, frag, _ := strings.Cut(loc, "#")
	doc := s.docs[base]
	if frag == "" || frag == "/" {
		return doc
	}
	var segs []string
	for _, seg := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if u, err := url.PathUnescape(seg); err == nil {
			seg = u
		}
		segs = append(segs, strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~"))
	}
	return lookup(doc, segs)
}

// lookup walks a decoded JSON value along a path of member names and array
// indexes.
func lookup(v any, path []string) any {
	for _, seg := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// instanceType is the library's name of a JSON value's type: a number is
// "integer" when written without a fraction or exponent (Jackson reads
// 1.0 as a decimal).
func instanceType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			return "number"
		}
		return "integer"
	}
	return "number"
}

// typeNames lists a schema's allowed types as the library does: in the
// order of its type enumeration, which is alphabetical.
func typeNames(schemaType any, fallback []string) []string {
	var names []string
	switch t := schemaType.(type) {
	case string:
		names = []string{t}
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				names = append(names, s)
			}
		}
	default:
		names = slices.Clone(fallback)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// jsonText renders v as compact JSON, without HTML escaping (as Jackson).
func jsonText(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// number renders a number as written in the document, or else the
// library's value.
func number(v any, fallback *big.Rat) string {
	if n, ok := v.(json.Number); ok {
		return n.String()
	}
	if fallback == nil {
		return "null"
	}
	if fallback.IsInt() {
		return fallback.Num().String()
	}
	f, _ := fallback.Float64()
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// minimumOf returns the bound of an exclusive limit: in draft 4 the number
// under key with a boolean exclusive flag, in later drafts the number under
// exclusiveKey.
func minimumOf(sch map[string]any, key, exclusiveKey string) any {
	if n, ok := sch[exclusiveKey].(json.Number); ok {
		return n
	}
	return sch[key]
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonText(v)
}

func countOf(v any) int {
	if a, ok := v.([]any); ok {
		return len(a)
	}
	return 0
}

func orDefault(v any, fallback any) any {
	if v == nil {
		return fallback
	}
	return v
}
