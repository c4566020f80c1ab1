// Package modelschema compiles the models of a REST API (JSON Schema draft 4
// documents that refer to each other by their
// https://apigateway.amazonaws.com/restapis/{api}/models/{name} URLs) and
// validates request bodies against them, describing failures in the words of
// the Java json-schema-validator that API Gateway uses.
//
// Models are resolved only from the set given to [Compile]; nothing is ever
// fetched from the network.
package modelschema

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/gantryproject/gantry/internal/model"
)

// ErrInvalidSchema is returned (wrapped) for a model schema that is not
// valid JSON Schema draft 4, or whose references cannot be resolved.
var ErrInvalidSchema = errors.New("invalid model schema")

// ErrNotCanonical is returned (wrapped) for a model schema with a $ref that
// is neither local (#...) nor the canonical URL of a model of the same API.
var ErrNotCanonical = errors.New("model reference not in canonical form")

// ModelError is a model that does not compile: Name is the model, Err
// wraps ErrInvalidSchema or ErrNotCanonical.
type ModelError struct {
	Name string
	Err  error
}

func (e *ModelError) Error() string { return "model " + e.Name + ": " + e.Err.Error() }

// Unwrap returns the model's error.
func (e *ModelError) Unwrap() error { return e.Err }

// Set is the compiled models of one API, by name.
type Set struct {
	apiID   string
	docs    map[string]any // parsed schemas by model URL
	schemas map[string]*Schema
}

// Schema is one compiled model, ready to validate instances.
type Schema struct {
	name string
	sch  *jsonschema.Schema
	set  *Set
}

// Name returns the model's name.
func (s *Schema) Name() string { return s.name }

// Parse parses a model schema document, keeping numbers as written.
func Parse(schema string) (any, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSchema, err)
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidSchema)
	}
	return doc, nil
}

// ModelRefs returns the names of the models of API apiID that doc refers to
// with $ref, in document order (duplicates removed). A $ref that is neither
// local nor a canonical model URL of apiID is ErrNotCanonical.
func ModelRefs(apiID string, doc any) ([]string, error) {
	var names []string
	var bad error
	prefix := model.ModelURL(apiID, "")
	walkRefs(doc, func(ref string) {
		if strings.HasPrefix(ref, "#") {
			return
		}
		base, _, _ := strings.Cut(ref, "#")
		name, ok := strings.CutPrefix(base, prefix)
		if !ok || name == "" || strings.Contains(name, "/") {
			bad = fmt.Errorf("%w: %s", ErrNotCanonical, ref)
			return
		}
		for _, n := range names {
			if n == name {
				return
			}
		}
		names = append(names, name)
	})
	return names, bad
}

// walkRefs calls fn with every "$ref" string in doc.
func walkRefs(doc any, fn func(string)) {
	switch v := doc.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				fn(s)
				continue
			}
			walkRefs(x, fn)
		}
	case []any:
		for _, x := range v {
			walkRefs(x, fn)
		}
	}
}

// Compile compiles the models of API apiID. A model whose schema is empty
// validates every body. The first model that does not compile is reported
// with its name.
func Compile(apiID string, models []model.Model) (*Set, error) {
	set := &Set{apiID: apiID, docs: map[string]any{}, schemas: map[string]*Schema{}}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	c.UseLoader(noLoader{})
	for _, m := range models {
		if strings.TrimSpace(m.Schema) == "" {
			continue
		}
		doc, err := Parse(m.Schema)
		if err != nil {
			return nil, &ModelError{m.Name, err}
		}
		if _, err := ModelRefs(apiID, doc); err != nil {
			return nil, &ModelError{m.Name, err}
		}
		u := model.ModelURL(apiID, m.Name)
		if err := c.AddResource(u, doc); err != nil {
			return nil, &ModelError{m.Name, fmt.Errorf("%w: %w", ErrInvalidSchema, err)}
		}
		set.docs[u] = doc
	}
	for _, m := range models {
		s := &Schema{name: m.Name, set: set}
		if u := model.ModelURL(apiID, m.Name); set.docs[u] != nil {
			sch, err := c.Compile(u)
			if err != nil {
				return nil, &ModelError{m.Name, fmt.Errorf("%w: %w", ErrInvalidSchema, err)}
			}
			if refLoops(sch) {
				return nil, &ModelError{m.Name, fmt.Errorf("%w: its references lead back to it without a step into the instance", ErrInvalidSchema)}
			}
			s.sch = sch
		}
		set.schemas[m.Name] = s
	}
	return set, nil
}

// refLoops reports whether a schema's references form a loop that every
// instance meets ({"$ref": itself}, or two models referring to each other
// at the same place), which no body could pass: validating an empty object,
// an empty array and null meets such a loop at once. A schema recursing
// through its properties or items (a tree) does not loop here.
func refLoops(sch *jsonschema.Schema) bool {
	for _, probe := range []any{map[string]any{}, []any{}, nil} {
		var verr *jsonschema.ValidationError
		if errors.As(sch.Validate(probe), &verr) && hasRefCycle(verr) {
			return true
		}
	}
	return false
}

func hasRefCycle(e *jsonschema.ValidationError) bool {
	if _, ok := e.ErrorKind.(*kind.RefCycle); ok {
		return true
	}
	for _, c := range e.Causes {
		if hasRefCycle(c) {
			return true
		}
	}
	return false
}

// Model returns the compiled model name, or nil.
func (s *Set) Model(name string) *Schema {
	if s == nil {
		return nil
	}
	return s.schemas[name]
}

// noLoader refuses every URL that was not added as a model: references
// never reach the network or the file system.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("%w: unknown reference %s", ErrInvalidSchema, url)
}

// Validate checks body (JSON) against the model. It returns "" when the
// body is valid, otherwise the request validator's detail as API Gateway
// renders $context.error.validationErrorString, e.g.
//
//	[object has missing required properties (["name"])]
//
// A body that is not JSON yields ok false and an empty detail. An empty body
// is validated as {} (an assumption: AWS's handling is unrecorded).
func (s *Schema) Validate(body []byte) (detail string, ok bool) {
	if s == nil || s.sch == nil {
		return "", true
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return "", false
	}
	err = s.sch.Validate(inst)
	if err == nil {
		return "", true
	}
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		return "", false
	}
	return s.set.describe(verr, inst), false
}
