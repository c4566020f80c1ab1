package dataplane

import (
	"fmt"
	"maps"
	"mime"
	"slices"
	"strings"

	"github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/modelschema"
)

// Request validation: a method whose request validator asks for it checks
// the request's required parameters (BAD_REQUEST_PARAMETERS) and then its
// body against the request model of its content type (BAD_REQUEST_BODY)
// before the integration is called.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html

// validation is a method's compiled request validation.
type validation struct {
	// params are the required parameters, in AWS's order of the message
	// "Missing required request parameters: [...]": sorted by their
	// method.request.{header|path|querystring}.<name> key.
	params []requiredParam
	// body is set when the validator checks bodies.
	body bool
	// models maps a lower-cased media type (or "$default") to its model.
	models map[string]*modelschema.Schema
	// invalid, when set, is the error every call answers: the API's models
	// did not compile (only possible with a corrupt store).
	invalid *gatewayresponse.Error
}

type requiredParam struct {
	location string // header, path or querystring
	name     string
}

// validationCompiler compiles the request validation of the methods of one
// deployment, sharing the deployment's compiled models.
type validationCompiler struct {
	validators map[string]model.RequestValidator
	models     *modelschema.Set
	modelsErr  error
}

func newValidationCompiler(snap model.Snapshot) *validationCompiler {
	vc := &validationCompiler{validators: make(map[string]model.RequestValidator, len(snap.RequestValidators))}
	for _, v := range snap.RequestValidators {
		vc.validators[v.ID] = v
	}
	if len(snap.Models) > 0 {
		vc.models, vc.modelsErr = modelschema.Compile(snap.API.ID, snap.Models)
	}
	return vc
}

// compile returns m's validation, or nil when m validates nothing (no
// validator, a validator with both checks off, or one that no longer
// exists).
func (vc *validationCompiler) compile(m model.Method) *validation {
	rv, ok := vc.validators[m.RequestValidatorID]
	if m.RequestValidatorID == "" || !ok || !rv.ValidateRequestBody && !rv.ValidateRequestParameters {
		return nil
	}
	v := &validation{}
	if rv.ValidateRequestParameters {
		for _, key := range slices.Sorted(maps.Keys(m.RequestParameters)) {
			if !m.RequestParameters[key] {
				continue
			}
			loc, name, ok := strings.Cut(strings.TrimPrefix(key, "method.request."), ".")
			if ok && name != "" && (loc == "header" || loc == "path" || loc == "querystring") {
				v.params = append(v.params, requiredParam{location: loc, name: name})
			}
		}
	}
	if rv.ValidateRequestBody && len(m.RequestModels) > 0 {
		if vc.modelsErr != nil {
			v.invalid = configError(fmt.Errorf("request models: %w", vc.modelsErr))
			return v
		}
		v.body = true
		v.models = make(map[string]*modelschema.Schema, len(m.RequestModels))
		for ct, name := range m.RequestModels {
			if s := vc.models.Model(name); s != nil {
				v.models[strings.ToLower(ct)] = s
			}
		}
	}
	if len(v.params) == 0 && !v.body {
		return nil
	}
	return v
}

// validate runs m's request validation: required parameters first, then the
// body. It never calls the integration.
func (q *request) validate(m *method) error {
	v := m.validation
	if v == nil {
		return nil
	}
	if v.invalid != nil {
		return v.invalid
	}
	if missing := q.missingParams(v.params); len(missing) > 0 {
		return gatewayresponse.MissingParameters(missing...)
	}
	if !v.body {
		return nil
	}
	s := v.modelFor(q.headerValue("Content-Type"))
	if s == nil {
		// AWS: "If no matching content type is found, request validation
		// is not performed."
		return nil
	}
	body, err := q.readBody()
	if err != nil {
		return err
	}
	if detail, ok := s.Validate(body); !ok {
		e := gatewayresponse.NewError(gatewayresponse.BadRequestBody)
		e.ValidationErrorString = detail
		return e
	}
	return nil
}

// modelFor chooses the request model for a Content-Type header: the model
// of its media type (application/json when the header is absent), else the
// $default model, else none.
func (v *validation) modelFor(contentType string) *modelschema.Schema {
	mt := "application/json"
	if contentType != "" {
		if parsed, _, err := mime.ParseMediaType(contentType); err == nil {
			mt = parsed
		} else {
			mt, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(contentType)), ";")
		}
	}
	if s := v.models[mt]; s != nil {
		return s
	}
	return v.models["$default"]
}

// missingParams lists the required parameters the request lacks or sends
// blank (AWS: "included and not blank"), in the validation's order.
func (q *request) missingParams(params []requiredParam) []string {
	var missing []string
	for _, p := range params {
		var value string
		switch p.location {
		case "header":
			value = q.headerValue(p.name)
		case "querystring":
			value = q.queryValues().Get(p.name)
		case "path":
			value = q.pathParams[p.name]
		}
		if strings.TrimSpace(value) == "" {
			missing = append(missing, p.name)
		}
	}
	return missing
}
