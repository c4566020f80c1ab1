// Package openapi turns OpenAPI documents (Swagger 2.0 and OpenAPI 3.0, in
// JSON or YAML) with API Gateway's x-amazon-apigateway-* extensions into
// Gantry's model, and a deployed snapshot back into such a document, as
// API Gateway's ImportRestApi, PutRestApi and GetExport do.
//
// Importing never touches the store: Import returns the API, its resources
// with their methods and integrations, its gateway responses, models,
// request validators and authorizers, and the control plane validates and
// stores them in one transaction. Methods name their validator and
// authorizer (the control plane turns the names into ids).
//
// Extensions are handled by tables, one entry per extension: apiExtensions,
// operationExtensions and securitySchemeExtensions on import,
// apiExportExtensions and methodExportExtensions on export. Supporting one
// more extension is one more entry in each direction; the features Gantry
// does not serve yet (documentation) have import entries that warn.
//
// AWS's references: "Working with API Gateway extensions to OpenAPI",
// "Import a REST API into API Gateway" and "Set the OpenAPI basePath
// property" in the API Gateway developer guide.
package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Limits that bound what a hostile document can cost.
const (
	// MaxPaths bounds the number of paths a document may declare (AWS's
	// default quota of resources per API is 300; Gantry allows more).
	MaxPaths = 3000
	// MaxResources bounds the resources a document may need, ancestors of
	// its paths and base path included.
	MaxResources = 5000
	// maxRefDepth bounds chains of $ref.
	maxRefDepth = 32
)

// object is a decoded JSON or YAML mapping.
type object = map[string]any

// stringSetter returns a function that sets o[k] to v unless v is empty.
func stringSetter(o object) func(k, v string) {
	return func(k, v string) {
		if v != "" {
			o[k] = v
		}
	}
}

// integerField reads o[key], if present, into dst as an integer, calling
// bad when it is not one.
func integerField(o object, key string, dst *int64, bad func(format string, args ...any)) {
	x, present := o[key]
	if !present {
		return
	}
	n, isInt := integer(x)
	if !isInt {
		bad("%s must be an integer", key)
	}
	*dst = n
}

// decode parses a JSON or YAML document into generic values: objects are
// map[string]any, arrays []any, numbers json.Number (so that a version
// written 1.0 stays "1.0"). A document that is neither, or whose root is
// not a mapping, is an error.
func decode(data []byte) (object, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("the document is not valid UTF-8")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("the document is empty")
	}
	var root any
	if trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.UseNumber()
		if err := dec.Decode(&root); err != nil {
			return nil, fmt.Errorf("malformed JSON: %v", err)
		}
		if dec.More() {
			return nil, fmt.Errorf("malformed JSON: data after the document")
		}
	} else {
		var node yaml.Node
		if err := yaml.Unmarshal(trimmed, &node); err != nil {
			return nil, fmt.Errorf("malformed YAML: %v", firstLine(err.Error()))
		}
		v, err := yamlValue(&node, 0)
		if err != nil {
			return nil, err
		}
		root = v
	}
	obj, ok := root.(object)
	if !ok {
		return nil, fmt.Errorf("the document's root is not an object")
	}
	return obj, nil
}

// maxYAMLDepth bounds nesting and alias expansion of YAML documents.
const maxYAMLDepth = 200

// maxYAMLNodes bounds the values a YAML document expands to (aliases
// included), against "billion laughs" documents.
const maxYAMLNodes = 1_000_000

// yamlValue converts a YAML node to the generic values that JSON decoding
// gives, with string keys only.
func yamlValue(n *yaml.Node, depth int) (any, error) {
	budget := maxYAMLNodes
	return yamlConvert(n, depth, &budget)
}

func yamlConvert(n *yaml.Node, depth int, budget *int) (any, error) {
	*budget--
	if *budget < 0 {
		return nil, fmt.Errorf("malformed YAML: the document is too large once its aliases are expanded")
	}
	if depth > maxYAMLDepth {
		return nil, fmt.Errorf("malformed YAML: the document is nested too deeply")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return yamlConvert(n.Content[0], depth+1, budget)
	case yaml.AliasNode:
		return yamlConvert(n.Alias, depth+1, budget)
	case yaml.MappingNode:
		out := make(object, len(n.Content)/2)
		var merged []object
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("malformed YAML: line %d: a mapping key must be a scalar", k.Line)
			}
			v, err := yamlConvert(n.Content[i+1], depth+1, budget)
			if err != nil {
				return nil, err
			}
			if k.Tag == "!!merge" {
				// A merge key (<<: *anchor, or a list of anchors) brings in
				// the keys of other mappings that this one does not set.
				list, isList := v.([]any)
				if !isList {
					list = []any{v}
				}
				for _, m := range list {
					mo, ok := m.(object)
					if !ok {
						return nil, fmt.Errorf("malformed YAML: line %d: a merge key takes mappings", k.Line)
					}
					merged = append(merged, mo)
				}
				continue
			}
			out[k.Value] = v
		}
		for _, m := range merged {
			for k, v := range m {
				if _, set := out[k]; !set {
					out[k] = v
				}
			}
		}
		return out, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := yamlConvert(c, depth+1, budget)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return nil, fmt.Errorf("malformed YAML: line %d: %v", n.Line, firstLine(err.Error()))
		}
		switch x := v.(type) {
		case int:
			return json.Number(strconv.Itoa(x)), nil
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), nil
		case uint64:
			return json.Number(strconv.FormatUint(x, 10)), nil
		case float64:
			// Keep the number as written when it is a JSON number (1.0
			// stays 1.0); infinities and NaN have no JSON form.
			if json.Valid([]byte(n.Value)) {
				return json.Number(n.Value), nil
			}
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return n.Value, nil
			}
			return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), nil
		case string, bool, nil:
			return x, nil
		default:
			// Timestamps and binary scalars are kept as written.
			return n.Value, nil
		}
	}
	return nil, fmt.Errorf("malformed YAML: line %d: unexpected node", n.Line)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// refs resolves local JSON references ("#/definitions/Pet",
// "#/components/parameters/id") within one document.
type refs struct{ root object }

// resolve follows v's $ref, if any, to the value it names. External
// references (another file, a URL) are errors: API Gateway imports one
// self-contained document.
func (r refs) resolve(v any) (any, error) {
	for range maxRefDepth {
		o, ok := v.(object)
		if !ok {
			return v, nil
		}
		ref, ok := o["$ref"].(string)
		if !ok {
			return v, nil
		}
		target, err := r.lookup(ref)
		if err != nil {
			return nil, err
		}
		v = target
	}
	return nil, fmt.Errorf("the reference chain is too long or circular")
}

// lookup finds the value a local reference names.
func (r refs) lookup(ref string) (any, error) {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("unsupported reference %q: only references within the document (#/...) are supported", ref)
	}
	var cur any = r.root
	for _, tok := range strings.Split(ptr, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		o, ok := cur.(object)
		if !ok {
			return nil, fmt.Errorf("unresolvable reference %q", ref)
		}
		if cur, ok = o[tok]; !ok {
			return nil, fmt.Errorf("unresolvable reference %q", ref)
		}
	}
	return cur, nil
}

// str returns o[k] as a string, and whether it was one.
func str(o object, k string) (string, bool) {
	s, ok := o[k].(string)
	return s, ok
}

// obj returns o[k] as an object, or nil.
func obj(o object, k string) object {
	v, _ := o[k].(object)
	return v
}

// stringMap converts an object of strings, reporting the first value that is
// not a string.
func stringMap(v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	o, ok := v.(object)
	if !ok {
		return nil, fmt.Errorf("must be an object of strings")
	}
	out := make(map[string]string, len(o))
	for k, x := range o {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("the value of %q must be a string", k)
		}
		out[k] = s
	}
	return out, nil
}

// stringList converts an array of strings.
func stringList(v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("must be an array of strings")
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("must be an array of strings")
		}
		out = append(out, s)
	}
	return out, nil
}

// integer converts a number (or a numeric string, which AWS's examples
// sometimes use) to an int64.
func integer(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = string(x)
	case string:
		s = x
	default:
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	// 404.0 is an integer too.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || math.Abs(f) > 1e15 {
		return 0, false
	}
	return int64(f), true
}
