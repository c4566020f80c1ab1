package controlplane

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/ids"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/modelschema"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

// AWS's texts for models. Recorded from real AWS unless noted: the schema
// errors in aws-apigateway-importer issues 75, 126 and 213 and serverless
// reports; "Invalid model name specified: <name>" from a GetModelTemplate 404
// (cloudquery issue 874); the in-use conflicts from aws-apigateway-importer
// issues 89, 113 and 144; the duplicate name from LocalStack issue 8368.
const (
	msgModelExists      = "Model name already exists for this REST API"
	msgModelSchema      = "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"
	msgModelRefForm     = "Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified, Model reference must be in canonical form]"
	msgModelNameEmpty   = "Model name must be non-empty"
	msgModelSchemaEmpty = "Model schema must have at least 1 property or array items defined"
	// msgModelNameChars is Gantry's text: AWS's service model says a name
	// is alphanumeric, but the answer to another name is unrecorded.
	msgModelNameChars = "Model name must be alphanumeric"
)

func modelNotFound(name string) error {
	return awserr.NotFound("Invalid model name specified: %s", name)
}

// unknownModel is PutMethod's and PutMethodResponse's answer for a
// requestModels or responseModels value that names no model of the API (the
// text LocalStack's AWS-validated tests use).
func unknownModel(name string) error {
	return awserr.BadRequest("Invalid model identifier specified: %s", name)
}

// The models API Gateway gives every new REST API (CreateRestApi), as the
// console shows them.
var defaultModels = []model.Model{
	{Name: "Empty", ContentType: "application/json", Description: "This is a default empty schema model",
		Schema: "{\n  \"$schema\": \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Empty Schema\",\n  \"type\" : \"object\"\n}"},
	{Name: "Error", ContentType: "application/json", Description: "This is a default error schema model",
		Schema: "{\n  \"$schema\" : \"http://json-schema.org/draft-04/schema#\",\n  \"title\" : \"Error Schema\",\n  \"type\" : \"object\",\n  \"properties\" : {\n    \"message\" : { \"type\" : \"string\" }\n  }\n}"},
}

// createDefaultModels gives a new API the Empty and Error models.
func createDefaultModels(tx store.Tx, apiID string) error {
	for _, m := range defaultModels {
		m.ID = ids.New(6)
		if err := tx.CreateModel(apiID, m); err != nil {
			return err
		}
	}
	return nil
}

// modelJSON is the wire form of the Model shape.
type modelJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Schema      string `json:"schema,omitempty"`
	ContentType string `json:"contentType,omitempty"`
}

func modelOut(m model.Model) modelJSON { return modelJSON(m) }

// loadModel reads a model of an existing API.
func loadModel(tx store.ReadTx, scope model.Scope, apiID, name string) (model.Model, error) {
	if _, err := loadAPI(tx, scope, apiID); err != nil {
		return model.Model{}, err
	}
	m, err := tx.Model(apiID, name)
	return m, notFoundAs(err, modelNotFound(name))
}

// checkModels compiles an API's models with m added or replacing the model
// of its name, answering AWS's error for a schema that is not valid JSON
// Schema draft 4 or refers to models other than by their canonical URL.
func checkModels(tx store.ReadTx, apiID string, m model.Model) error {
	all, err := tx.Models(apiID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(all, func(x model.Model) bool { return x.Name == m.Name })
	if i >= 0 {
		all[i] = m
	} else {
		all = append(all, m)
	}
	if _, err := modelschema.Compile(apiID, all); err != nil {
		return modelSchemaError(err)
	}
	return nil
}

// modelSchemaError is AWS's answer for a set of models that does not
// compile.
func modelSchemaError(err error) error {
	if errors.Is(err, modelschema.ErrNotCanonical) {
		return awserr.BadRequest(msgModelRefForm)
	}
	if errors.Is(err, modelschema.ErrInvalidSchema) {
		return awserr.BadRequest(msgModelSchema)
	}
	return err
}

func modelNameOK(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

type createModelInput struct {
	Name        *string `json:"name"`
	Description string  `json:"description"`
	Schema      *string `json:"schema"`
	ContentType *string `json:"contentType"`
}

func (h *Handler) createModel(c *call) (any, error) {
	var in createModelInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.Name == nil {
		v.NotNull("createModelInput.name")
	}
	if in.ContentType == nil {
		v.NotNull("createModelInput.contentType")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	m := model.Model{ID: ids.New(6), Name: *in.Name, Description: in.Description, ContentType: *in.ContentType}
	if in.Schema != nil {
		m.Schema = *in.Schema
	}
	apiID := c.params["restapi_id"]
	err := h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		switch {
		case m.Name == "":
			return awserr.BadRequest(msgModelNameEmpty)
		case !modelNameOK(m.Name):
			return awserr.BadRequest(msgModelNameChars)
		case strings.TrimSpace(m.Schema) == "":
			return awserr.BadRequest(msgModelSchemaEmpty)
		}
		if _, err := tx.Model(apiID, m.Name); err == nil {
			return awserr.Conflict(msgModelExists)
		}
		if err := checkModels(tx, apiID, m); err != nil {
			return err
		}
		err := tx.CreateModel(apiID, m)
		if errors.Is(err, store.ErrExists) {
			return awserr.Conflict(msgModelExists)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return modelOut(m), nil
}

// getModel serves GetModel. With flatten=true the schema's references to
// other models are resolved: each referenced model (transitively) is copied
// under "definitions" and the reference points there, so that the schema
// stands alone.
func (h *Handler) getModel(c *call) (any, error) {
	apiID, name := c.params["restapi_id"], c.params["model_name"]
	var out modelJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		m, err := loadModel(tx, c.scope, apiID, name)
		if err != nil {
			return err
		}
		if c.boolQuery("flatten") {
			if m.Schema, err = flatten(tx, apiID, m); err != nil {
				return err
			}
		}
		out = modelOut(m)
		return nil
	})
	return out, err
}

// flatten returns m's schema with its model references inlined under
// "definitions". A schema without model references is returned as stored.
func flatten(tx store.ReadTx, apiID string, m model.Model) (string, error) {
	doc, err := modelschema.Parse(m.Schema)
	if err != nil {
		return m.Schema, nil
	}
	refs, err := modelschema.ModelRefs(apiID, doc)
	if err != nil || len(refs) == 0 {
		return m.Schema, nil
	}
	root := doc.(map[string]any)
	defs, _ := root["definitions"].(map[string]any)
	if defs == nil {
		defs = map[string]any{}
	}
	prefix := model.ModelURL(apiID, "")
	queue := refs
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, done := defs[name]; done || name == m.Name {
			continue
		}
		ref, err := tx.Model(apiID, name)
		if err != nil {
			return m.Schema, nil // a dangling reference: leave the schema as stored
		}
		sub, err := modelschema.Parse(ref.Schema)
		if err != nil {
			return m.Schema, nil
		}
		more, _ := modelschema.ModelRefs(apiID, sub)
		queue = append(queue, more...)
		delete(sub.(map[string]any), "$schema")
		defs[name] = sub
	}
	root["definitions"] = defs
	rewriteRefs(root, func(ref string) string {
		base, frag, _ := strings.Cut(ref, "#")
		name, ok := strings.CutPrefix(base, prefix)
		if !ok {
			return ref
		}
		if name == m.Name {
			return "#" + frag
		}
		return "#/definitions/" + name + frag
	})
	b, err := json.Marshal(root)
	return string(b), err
}

func rewriteRefs(doc any, fn func(string) string) {
	switch v := doc.(type) {
	case map[string]any:
		for k, x := range v {
			if s, ok := x.(string); ok && k == "$ref" {
				v[k] = fn(s)
				continue
			}
			rewriteRefs(x, fn)
		}
	case []any:
		for _, x := range v {
			rewriteRefs(x, fn)
		}
	}
}

func (h *Handler) getModels(c *call) (any, error) {
	return pageOfAPI(h, c, store.ReadTx.Models, func(m model.Model) string { return m.ID }, modelOut)
}

// modelRules is the PATCH grammar of a model (AWS's PATCH reference: replace
// on /description and /schema).
var modelRules = pathRules{
	{path: "/description", ops: []patch.Op{patch.Replace}},
	{path: "/schema", ops: []patch.Op{patch.Replace}},
}

func (h *Handler) updateModel(c *call) (any, error) {
	ops, _, err := c.patchOps("updateModelInput", false)
	if err != nil {
		return nil, err
	}
	apiID, name := c.params["restapi_id"], c.params["model_name"]
	var out modelJSON
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		m, err := loadModel(tx, c.scope, apiID, name)
		if err != nil {
			return err
		}
		for _, o := range ops {
			if o.Path == nil {
				return patch.InvalidPath(o)
			}
			if err := modelRules.check(o.OpName(), *o.Path, *o.Path); err != nil {
				return err
			}
			switch *o.Path {
			case "/description":
				m.Description = opValue(o)
			case "/schema":
				if strings.TrimSpace(opValue(o)) == "" {
					return awserr.BadRequest(msgModelSchemaEmpty)
				}
				m.Schema = opValue(o)
			}
		}
		if err := checkModels(tx, apiID, m); err != nil {
			return err
		}
		out = modelOut(m)
		return tx.PutModel(apiID, m)
	})
	return out, err
}

// deleteModel refuses, as AWS does, to delete a model that a method request
// or method response uses; and (Gantry's choice, AWS's answer unrecorded) a
// model that another model refers to.
func (h *Handler) deleteModel(c *call) (any, error) {
	apiID, name := c.params["restapi_id"], c.params["model_name"]
	return nil, h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		if _, err := loadModel(tx, c.scope, apiID, name); err != nil {
			return err
		}
		if err := modelInUse(tx, apiID, name); err != nil {
			return err
		}
		return notFoundAs(tx.DeleteModel(apiID, name), modelNotFound(name))
	})
}

func modelInUse(tx store.ReadTx, apiID, name string) error {
	resources, err := tx.Resources(apiID)
	if err != nil {
		return err
	}
	for _, r := range resources {
		for _, verb := range keysInOrder(r.Methods) {
			m := r.Methods[verb]
			where := strings.TrimSuffix(r.Path, "/") + "/" + verb
			for _, ct := range keysInOrder(m.RequestModels) {
				if m.RequestModels[ct] == name {
					return awserr.Conflict("Cannot delete model '%s', is referenced in method request: %s", name, where)
				}
			}
			for _, code := range keysInOrder(m.Responses) {
				for _, used := range m.Responses[code].ResponseModels {
					if used == name {
						return awserr.Conflict("Cannot delete model '%s', is referenced in method response: %s", name, where)
					}
				}
			}
		}
	}
	models, err := tx.Models(apiID)
	if err != nil {
		return err
	}
	for _, other := range models {
		if other.Name == name {
			continue
		}
		doc, err := modelschema.Parse(other.Schema)
		if err != nil {
			continue
		}
		refs, _ := modelschema.ModelRefs(apiID, doc)
		if slices.Contains(refs, name) {
			return awserr.Conflict("Cannot delete model '%s', is referenced in model: %s", name, other.Name)
		}
	}
	return nil
}

// checkModelNames refuses a requestModels or responseModels map that names a
// model the API does not have.
func checkModelNames(tx store.ReadTx, apiID string, models map[string]string) error {
	for _, ct := range keysInOrder(models) {
		name := models[ct]
		if _, err := tx.Model(apiID, name); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return unknownModel(name)
			}
			return err
		}
	}
	return nil
}

func (h *Handler) modelOps(m map[string]opFunc) {
	m["CreateModel"] = h.createModel
	m["GetModel"] = h.getModel
	m["GetModels"] = h.getModels
	m["UpdateModel"] = h.updateModel
	m["DeleteModel"] = h.deleteModel
	m["GetModelTemplate"] = h.getModelTemplate
}

// checkMethodRefs refuses an update that makes a method name a request
// validator, request model or method response model that the API does not
// have, with AWS's BadRequestException texts. References the method had
// before the update are not checked again.
func checkMethodRefs(tx store.ReadTx, apiID string, before, after model.Method) error {
	if after.RequestValidatorID != before.RequestValidatorID {
		if err := checkRequestValidator(tx, apiID, after.RequestValidatorID); err != nil {
			return err
		}
	}
	if err := checkModelNames(tx, apiID, added(before.RequestModels, after.RequestModels)); err != nil {
		return err
	}
	for code, r := range after.Responses {
		if err := checkModelNames(tx, apiID, added(before.Responses[code].ResponseModels, r.ResponseModels)); err != nil {
			return err
		}
	}
	return nil
}

// added returns the entries of after whose value is not before's.
func added(before, after map[string]string) map[string]string {
	var out map[string]string
	for k, v := range after {
		if before[k] != v {
			if out == nil {
				out = map[string]string{}
			}
			out[k] = v
		}
	}
	return out
}

// copyModels gives API apiID the models and request validators of the API
// it is cloned from, or, for a new API (from ""), the default models.
func copyModels(tx store.Tx, apiID, from string, models []model.Model, validators []model.RequestValidator) error {
	if from == "" {
		return createDefaultModels(tx, apiID)
	}
	for _, m := range models {
		// Schemas refer to models by URL: make them point at the clone's.
		m.Schema = strings.ReplaceAll(m.Schema, model.ModelURL(from, ""), model.ModelURL(apiID, ""))
		if err := tx.CreateModel(apiID, m); err != nil {
			return err
		}
	}
	for _, v := range validators {
		if err := tx.CreateRequestValidator(apiID, v); err != nil {
			return err
		}
	}
	return nil
}
