package openapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gantryproject/gantry/internal/model"
)

// MaxModels bounds the models a document may define (its schemas and the
// inline schemas of its bodies and responses).
const MaxModels = 1000

// modelContentType is the content type of an imported model, and the
// media type of a body or response when the document names none.
const modelContentType = "application/json"

// schemaPrefix is where the document keeps its named schemas.
func (im *importer) schemaPrefix() string {
	if im.oas3 {
		return "#/components/schemas/"
	}
	return "#/definitions/"
}

// importModels imports the document's schemas (Swagger 2.0 definitions,
// OpenAPI 3.0 components.schemas) as models of content type
// application/json, as API Gateway does. A reference to another schema
// becomes a reference to its model by the canonical
// https://apigateway.amazonaws.com/restapis/{id}/models/{name} URL.
func importModels(im *importer, root object) {
	raw := root["definitions"]
	if im.oas3 {
		raw = obj(root, "components")["schemas"]
	}
	if raw == nil {
		return
	}
	schemas, ok := raw.(object)
	if !ok {
		im.errorf("Unable to parse API definition: %sschemas must be an object", strings.TrimPrefix(im.schemaPrefix(), "#/"))
		return
	}
	if len(schemas) > MaxModels {
		im.errorf("Unable to parse API definition: more than %d models", MaxModels)
		return
	}
	names := slices.Sorted(maps.Keys(schemas))
	for _, name := range names {
		im.models[name] = -1 // known, so that references to it resolve
	}
	for _, name := range names {
		delete(im.models, name)
		if !modelNameOK(name) {
			// AWS's text, as its importer reports it.
			im.errorf("Unable to create model for '%s': Model name must be alphanumeric: %s", name, name)
			continue
		}
		s, ok := schemas[name].(object)
		if !ok {
			im.errorf("Unable to create model for '%s': the schema must be an object", name)
			continue
		}
		doc, err := im.canonicalSchema(s)
		if err != nil {
			im.errorf("Unable to create model for '%s': %v", name, err)
			continue
		}
		im.addModel(name, doc)
	}
}

// modelNameOK says whether name is alphanumeric, as model names must be.
func modelNameOK(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// addModel records a model, keeping API.Models sorted by name.
func (im *importer) addModel(name, schema string) {
	m := model.Model{Name: name, ContentType: modelContentType, Schema: schema}
	i, _ := slices.BinarySearchFunc(im.api.Models, name, func(x model.Model, n string) int { return strings.Compare(x.Name, n) })
	im.api.Models = slices.Insert(im.api.Models, i, m)
	for j := i; j < len(im.api.Models); j++ {
		im.models[im.api.Models[j].Name] = j
	}
}

// canonicalSchema renders a schema as a model's JSON, with its references
// to the document's schemas rewritten to canonical model URLs (a reference
// into a schema, "#/definitions/Pet/properties/id", keeps its fragment).
// Other references are errors: a model refers only to models.
func (im *importer) canonicalSchema(s object) (string, error) {
	prefix := im.schemaPrefix()
	var bad error
	rewritten := mapRefs(s, func(ref string) string {
		rest, ok := strings.CutPrefix(ref, prefix)
		if !ok {
			// A canonical model URL (of any API: the document may come
			// from another) names the model of that name.
			if after, isURL := strings.CutPrefix(ref, model.ModelURLPrefix); isURL {
				if _, rest, ok = strings.Cut(after, "/models/"); ok {
					rest = strings.Replace(rest, "#/", "/", 1)
				}
			}
		}
		if !ok {
			bad = fmt.Errorf("unsupported reference '%s': a schema may refer only to %s...", ref, prefix)
			return ref
		}
		name, frag, _ := strings.Cut(rest, "/")
		url := model.ModelURL(DocumentAPIID, name)
		if frag != "" {
			url += "#/" + frag
		}
		return url
	})
	if bad != nil {
		return "", bad
	}
	b, err := json.Marshal(rewritten)
	return string(b), err
}

// mapRefs copies a schema, passing every "$ref" string through fn.
func mapRefs(v any, fn func(string) string) any {
	switch x := v.(type) {
	case object:
		out := make(object, len(x))
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				out[k] = fn(s)
				continue
			}
			out[k] = mapRefs(e, fn)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mapRefs(e, fn)
		}
		return out
	}
	return v
}

// schemaModel returns the model a body or response schema names: the
// model of a "$ref" to one of the document's schemas, or, for an inline
// schema, a model created for it and named "MODEL" followed by six
// hexadecimal digits of the schema's hash, the form of AWS's generated
// names (AWS's hash function is unknown: Gantry's names are its own, but
// stable). A reference to an undefined schema is ignored with AWS's
// warning.
func (im *importer) schemaModel(where string, v any) (string, bool) {
	s, ok := v.(object)
	if !ok {
		if v != nil {
			im.errorf("Unable to put method %s: a schema must be an object", where)
		}
		return "", false
	}
	if ref, isRef := str(s, "$ref"); isRef && len(s) == 1 {
		if name, ok := strings.CutPrefix(ref, im.schemaPrefix()); ok && !strings.Contains(name, "/") {
			if _, known := im.models[name]; !known {
				im.warnf("Reference to model '%s' not found. Ignoring.", name)
				return "", false
			}
			return name, true
		}
	}
	doc, err := im.canonicalSchema(s)
	if err != nil {
		im.errorf("Unable to put method %s: %v", where, err)
		return "", false
	}
	sum := sha256.Sum256([]byte(doc))
	name := "MODEL" + hex.EncodeToString(sum[:3])
	if _, known := im.models[name]; !known {
		if len(im.api.Models) >= MaxModels {
			im.errorf("Unable to parse API definition: more than %d models", MaxModels)
			return "", false
		}
		im.addModel(name, doc)
	}
	return name, true
}

// bodyModels maps each media type to the model of a Swagger 2.0 body
// parameter's or response's schema.
func (im *importer) bodyModels(dst *map[string]string, where string, schema any, types []string) {
	if schema == nil {
		return
	}
	name, ok := im.schemaModel(where, schema)
	if !ok {
		return
	}
	if len(types) == 0 {
		types = []string{modelContentType}
	}
	if *dst == nil {
		*dst = map[string]string{}
	}
	for _, t := range types {
		(*dst)[t] = name
	}
}

// contentModels maps each media type of an OpenAPI 3.0 content object to
// the model of its schema; a media type without a schema has no model.
func (im *importer) contentModels(dst *map[string]string, where string, v any) {
	content, ok := v.(object)
	if !ok {
		return
	}
	for _, t := range slices.Sorted(maps.Keys(content)) {
		name, ok := im.schemaModel(where, asObject(content[t])["schema"])
		if !ok {
			continue
		}
		if *dst == nil {
			*dst = map[string]string{}
		}
		(*dst)[t] = name
	}
}

// requestBody imports an OpenAPI 3.0 request body as request models.
func (im *importer) requestBody(m *model.Method, where string, v any) {
	rb, err := im.refs.resolve(v)
	if err != nil {
		im.errorf("Unable to put method %s: %v", where, err)
		return
	}
	im.contentModels(&m.RequestModels, where, asObject(rb)["content"])
}
