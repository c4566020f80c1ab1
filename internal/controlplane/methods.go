package controlplane

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
	gr "github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

// AWS's texts for methods and method responses, recorded from real AWS
// (LocalStack's AWS-validated snapshots) unless noted.
const (
	msgMethodNotFound   = "Invalid Method identifier specified"
	msgResponseNotFound = "Invalid Response status code specified"
	msgHTTPMethod       = "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"
	msgMethodExists     = "Method already exists for this resource"
	msgAuthorizer       = "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."
	msgUniqueParams     = "Parameter names must be unique across querystring, header and path"
	msgParamNotFound    = "Invalid parameter name specified"
	msgContentTypeGone  = "Content-Type specified was not found"
	msgReplaceOnly      = "Invalid patch operation specified. Must be one of: [replace]"
	// msgAddRemoveOnly follows the form of msgReplaceOnly for the paths
	// that take add and remove (Gantry's text; AWS's is unrecorded).
	msgAddRemoveOnly = "Invalid patch operation specified. Must be one of: [add, remove]"
	// msgAuthorizationType is Gantry's text: AWS's answer to an unknown
	// authorizationType is unrecorded.
	msgAuthorizationType = "Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS"
	mappingErrorPrefix   = "Invalid mapping expression specified: Validation Result: warnings : [], errors : ["
)

// httpMethods are the verbs a method may take, in AWS's message order.
var httpMethods = []string{"GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "HEAD", "ANY"}

var authorizationTypes = []string{"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"}

func methodNotFound() error   { return awserr.NotFound(msgMethodNotFound) }
func responseNotFound() error { return awserr.NotFound(msgResponseNotFound) }

// mappingError is AWS's BadRequestException for invalid parameter mappings,
// each problem listed inside "errors : [...]".
func mappingError(problems []string) error {
	return awserr.BadRequest("%s%s]", mappingErrorPrefix, strings.Join(problems, ", "))
}

// methodJSON is the wire form of the Method shape. apiKeyRequired is always
// present; maps given explicitly empty are echoed as {} (as AWS does), and
// the stored model drops them.
type methodJSON struct {
	HTTPMethod          string                        `json:"httpMethod"`
	AuthorizationType   string                        `json:"authorizationType"`
	AuthorizerID        string                        `json:"authorizerId,omitempty"`
	APIKeyRequired      bool                          `json:"apiKeyRequired"`
	RequestValidatorID  string                        `json:"requestValidatorId,omitempty"`
	OperationName       string                        `json:"operationName,omitempty"`
	RequestParameters   map[string]bool               `json:"requestParameters,omitzero"`
	RequestModels       map[string]string             `json:"requestModels,omitzero"`
	AuthorizationScopes []string                      `json:"authorizationScopes,omitempty"`
	MethodResponses     map[string]methodResponseJSON `json:"methodResponses,omitempty"`
	MethodIntegration   *integrationJSON              `json:"methodIntegration,omitempty"`
}

func methodOut(m model.Method) methodJSON {
	out := methodJSON{
		HTTPMethod:          m.HTTPMethod,
		AuthorizationType:   m.AuthorizationType,
		AuthorizerID:        m.AuthorizerID,
		APIKeyRequired:      m.APIKeyRequired,
		RequestValidatorID:  m.RequestValidatorID,
		OperationName:       m.OperationName,
		RequestParameters:   m.RequestParameters,
		RequestModels:       m.RequestModels,
		AuthorizationScopes: m.AuthorizationScopes,
	}
	if len(m.Responses) > 0 {
		out.MethodResponses = make(map[string]methodResponseJSON, len(m.Responses))
		for code, r := range m.Responses {
			out.MethodResponses[code] = methodResponseOut(r)
		}
	}
	if m.Integration != nil {
		ig := integrationOut(*m.Integration)
		out.MethodIntegration = &ig
	}
	return out
}

// methodResponseJSON is the wire form of the MethodResponse shape.
type methodResponseJSON struct {
	StatusCode         string            `json:"statusCode"`
	ResponseParameters map[string]bool   `json:"responseParameters,omitzero"`
	ResponseModels     map[string]string `json:"responseModels,omitzero"`
}

func methodResponseOut(r model.MethodResponse) methodResponseJSON {
	return methodResponseJSON{StatusCode: r.StatusCode, ResponseParameters: r.ResponseParameters, ResponseModels: r.ResponseModels}
}

// viewMethod reads the method named by the request's labels.
func (h *Handler) viewMethod(c *call, fn func(m model.Method) error) error {
	return h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		res, err := loadResource(tx, c.params["restapi_id"], c.params["resource_id"])
		if err != nil {
			return err
		}
		m, ok := res.Methods[c.params["http_method"]]
		if !ok {
			return methodNotFound()
		}
		return fn(m)
	})
}

// viewMethodOut runs fn as viewMethod does and answers the body fn returns.
func (h *Handler) viewMethodOut(c *call, fn func(m model.Method) (any, error)) (any, error) {
	var out any
	err := h.viewMethod(c, func(m model.Method) error {
		var err error
		out, err = fn(m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updateMethodDoc runs fn on the method named by the request's labels in one
// transaction and stores the resource only if fn succeeds and the request
// validator and models the method newly names exist (checkMethodRefs).
// missing is the error for a method that does not exist.
func (h *Handler) updateMethodDoc(c *call, missing error, fn func(res *model.Resource, m *model.Method) error) error {
	apiID := c.params["restapi_id"]
	return h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		res, err := loadResource(tx, apiID, c.params["resource_id"])
		if err != nil {
			return err
		}
		name := c.params["http_method"]
		m, ok := res.Methods[name]
		if !ok {
			return missing
		}
		before := m
		if err := fn(&res, &m); err != nil {
			return err
		}
		if err := checkMethodRefs(tx, apiID, before, m); err != nil {
			return err
		}
		res.Methods[name] = m
		return tx.PutResource(apiID, res)
	})
}

// statusCodeLabel checks the {status_code} label against the service model's
// pattern, recording a violation in v (AWS names the member "statusCode").
func statusCodeLabel(c *call, v *awserr.Validation) string {
	s := c.params["status_code"]
	if !gr.ValidStatusCode(s) {
		v.Pattern("statusCode", s, `[1-5]\d\d`)
	}
	return s
}

// methodRequestLocations are the places a method request parameter can be.
var methodRequestLocations = []string{"path", "querystring", "header"}

// paramNameOK reports whether name is a parameter name AWS accepts
// (^[a-zA-Z0-9._$-]+$, AWS's text for OpenAPI imports).
func paramNameOK(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("._$-", c) >= 0) {
			return false
		}
	}
	return true
}

// splitParam splits "<prefix><location>.<name>" for the given locations.
func splitParam(key, prefix string, locations []string) (loc, name string, ok bool) {
	rest, ok := strings.CutPrefix(key, prefix)
	if !ok {
		return "", "", false
	}
	loc, name, ok = strings.Cut(rest, ".")
	if !ok || !slices.Contains(locations, loc) || !paramNameOK(name) {
		return "", "", false
	}
	return loc, name, true
}

// checkMethodRequestParameters validates a method's requestParameters keys,
// method.request.{path|querystring|header}.<name>, and that each name is
// used in one location only.
func checkMethodRequestParameters(params map[string]bool) error {
	var bad []string
	seen := map[string]bool{}
	dup := false
	for _, k := range keysInOrder(params) {
		_, name, ok := splitParam(k, "method.request.", methodRequestLocations)
		if !ok {
			bad = append(bad, "Invalid mapping expression specified: "+k)
			continue
		}
		if seen[name] {
			dup = true
		}
		seen[name] = true
	}
	if len(bad) > 0 {
		return mappingError(bad)
	}
	if dup {
		return awserr.BadRequest(msgUniqueParams)
	}
	return nil
}

// checkMethodResponseParameters validates method.response.header.<name> keys.
func checkMethodResponseParameters(params map[string]bool) error {
	var bad []string
	for _, k := range keysInOrder(params) {
		if _, _, ok := splitParam(k, "method.response.", []string{"header"}); !ok {
			bad = append(bad, "Invalid mapping expression specified: "+k)
		}
	}
	if len(bad) > 0 {
		return mappingError(bad)
	}
	return nil
}

func keysInOrder[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func needsAuthorizer(authType string) bool {
	return authType == "CUSTOM" || authType == "COGNITO_USER_POOLS"
}

type putMethodInput struct {
	AuthorizationType   *string           `json:"authorizationType"`
	AuthorizerID        string            `json:"authorizerId"`
	APIKeyRequired      bool              `json:"apiKeyRequired"`
	OperationName       string            `json:"operationName"`
	RequestParameters   map[string]bool   `json:"requestParameters"`
	RequestModels       map[string]string `json:"requestModels"`
	RequestValidatorID  string            `json:"requestValidatorId"`
	AuthorizationScopes []string          `json:"authorizationScopes"`
}

// putMethod creates a method. As on AWS, a method that exists already is a
// conflict (PutMethod does not replace), requestValidatorId and
// requestModels must name a validator and models of the API, and a CUSTOM or
// COGNITO_USER_POOLS method must name one of the API's authorizers, of a
// fitting type.
func (h *Handler) putMethod(c *call) (any, error) {
	var in putMethodInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.AuthorizationType == nil {
		var v awserr.Validation
		v.NotNull("putMethodInput.authorizationType")
		return nil, v.Err()
	}
	apiID, name := c.params["restapi_id"], c.params["http_method"]
	var out methodJSON
	err := h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		res, err := loadResource(tx, apiID, c.params["resource_id"])
		if err != nil {
			return err
		}
		if !slices.Contains(httpMethods, name) {
			return awserr.BadRequest(msgHTTPMethod)
		}
		if _, exists := res.Methods[name]; exists {
			return awserr.Conflict(msgMethodExists)
		}
		// AWS answers the type in upper case whatever the case sent.
		authType := strings.ToUpper(*in.AuthorizationType)
		if !slices.Contains(authorizationTypes, authType) {
			return awserr.BadRequest(msgAuthorizationType)
		}
		m := model.Method{
			HTTPMethod:          name,
			AuthorizationType:   authType,
			APIKeyRequired:      in.APIKeyRequired,
			RequestValidatorID:  in.RequestValidatorID,
			OperationName:       in.OperationName,
			RequestParameters:   in.RequestParameters,
			RequestModels:       in.RequestModels,
			AuthorizationScopes: in.AuthorizationScopes,
		}
		if needsAuthorizer(authType) {
			m.AuthorizerID = in.AuthorizerID
			if err := checkMethodAuthorizer(tx, apiID, m); err != nil {
				return err
			}
		}
		if err := checkMethodRequestParameters(m.RequestParameters); err != nil {
			return err
		}
		if err := checkRequestValidator(tx, apiID, m.RequestValidatorID); err != nil {
			return err
		}
		if err := checkModelNames(tx, apiID, m.RequestModels); err != nil {
			return err
		}
		if res.Methods == nil {
			res.Methods = map[string]model.Method{}
		}
		res.Methods[name] = m
		out = methodOut(m)
		return tx.PutResource(apiID, res)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (h *Handler) getMethod(c *call) (any, error) {
	return h.viewMethodOut(c, func(m model.Method) (any, error) {
		return methodOut(m), nil
	})
}

func (h *Handler) deleteMethod(c *call) (any, error) {
	apiID := c.params["restapi_id"]
	return nil, h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		res, err := loadResource(tx, apiID, c.params["resource_id"])
		if err != nil {
			return err
		}
		name := c.params["http_method"]
		if _, ok := res.Methods[name]; !ok {
			return methodNotFound()
		}
		// The method's responses and integration go with it.
		delete(res.Methods, name)
		return tx.PutResource(apiID, res)
	})
}

// updateMethod applies a PATCH document following AWS's PATCH reference for
// Method: replace on /authorizationType, /authorizerId, /apiKeyRequired,
// /operationName and /requestValidatorId; add, replace and remove on
// /requestParameters/<key> and /requestModels/<content type>; add and remove
// on /authorizationScopes.
func (h *Handler) updateMethod(c *call) (any, error) {
	ops, _, err := c.patchOps("updateMethodInput", false)
	if err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	var authorizers []model.Authorizer
	err = h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		var err error
		authorizers, err = tx.Authorizers(apiID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return h.updateMethodOut(c, methodNotFound(), func(_ *model.Resource, m *model.Method) (any, error) {
		m.RequestParameters = maps.Clone(m.RequestParameters)
		m.RequestModels = maps.Clone(m.RequestModels)
		m.AuthorizationScopes = slices.Clone(m.AuthorizationScopes)
		for _, o := range ops {
			if err := patchMethod(m, o); err != nil {
				return nil, err
			}
		}
		if !slices.Contains(authorizationTypes, m.AuthorizationType) {
			return nil, awserr.BadRequest(msgAuthorizationType)
		}
		if needsAuthorizer(m.AuthorizationType) {
			if err := methodAuthorizerIn(authorizers, *m); err != nil {
				return nil, err
			}
		} else {
			// AWS ignores an authorizerId on a method that does not use
			// an authorizer (recorded).
			m.AuthorizerID = ""
		}
		if err := checkMethodRequestParameters(m.RequestParameters); err != nil {
			return nil, err
		}
		if len(m.RequestParameters) == 0 {
			m.RequestParameters = nil
		}
		if len(m.RequestModels) == 0 {
			m.RequestModels = nil
		}
		if len(m.AuthorizationScopes) == 0 {
			m.AuthorizationScopes = nil
		}
		return methodOut(*m), nil
	})
}

func patchMethod(m *model.Method, o patch.Operation) error {
	op, segs, value, err := opTarget(o)
	if err != nil {
		return err
	}
	if len(segs) == 1 {
		switch segs[0] {
		case "authorizationType":
			return replaceField(op, &m.AuthorizationType, strings.ToUpper(value))
		case "authorizerId":
			return replaceField(op, &m.AuthorizerID, value)
		case "apiKeyRequired":
			return replaceField(op, &m.APIKeyRequired, opBool(o))
		case "operationName":
			return replaceField(op, &m.OperationName, value)
		case "requestValidatorId":
			// An empty value removes it; another must name a validator of
			// the API (checked by updateMethodDoc).
			return replaceField(op, &m.RequestValidatorID, value)
		case "authorizationScopes":
			return patchListEntry(&m.AuthorizationScopes, op, value)
		}
	}
	if len(segs) == 2 && segs[1] != "" {
		switch segs[0] {
		case "requestParameters":
			return patchMapEntry(&m.RequestParameters, op, segs[1], opBool(o), msgParamNotFound)
		case "requestModels":
			return patchMapEntry(&m.RequestModels, op, segs[1], value, msgContentTypeGone)
		}
	}
	return patch.InvalidPath(o)
}

type putMethodResponseInput struct {
	ResponseParameters map[string]bool   `json:"responseParameters"`
	ResponseModels     map[string]string `json:"responseModels"`
}

// putMethodResponse creates or replaces a method response. Its
// responseModels must name models of the API (checked by updateMethodDoc).
func (h *Handler) putMethodResponse(c *call) (any, error) {
	var in putMethodResponseInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	code := statusCodeLabel(c, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	r := model.MethodResponse{StatusCode: code, ResponseParameters: in.ResponseParameters, ResponseModels: in.ResponseModels}
	err := h.updateMethodDoc(c, methodNotFound(), func(_ *model.Resource, m *model.Method) error {
		if err := checkMethodResponseParameters(r.ResponseParameters); err != nil {
			return err
		}
		m.Responses = maps.Clone(m.Responses)
		if m.Responses == nil {
			m.Responses = map[string]model.MethodResponse{}
		}
		m.Responses[code] = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return methodResponseOut(r), nil
}

func (h *Handler) getMethodResponse(c *call) (any, error) {
	var v awserr.Validation
	code := statusCodeLabel(c, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return h.viewMethodOut(c, func(m model.Method) (any, error) {
		r, ok := m.Responses[code]
		if !ok {
			return nil, responseNotFound()
		}
		return methodResponseOut(r), nil
	})
}

func (h *Handler) deleteMethodResponse(c *call) (any, error) {
	var v awserr.Validation
	code := statusCodeLabel(c, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	// The integration response of the same status code, if any, is kept
	// (AWS's behaviour here is unrecorded).
	return nil, h.updateMethodDoc(c, methodNotFound(), func(_ *model.Resource, m *model.Method) error {
		if _, ok := m.Responses[code]; !ok {
			return responseNotFound()
		}
		m.Responses = maps.Clone(m.Responses)
		delete(m.Responses, code)
		if len(m.Responses) == 0 {
			m.Responses = nil
		}
		return nil
	})
}

// updateMethodResponse applies add, replace and remove on
// /responseParameters/<key> and /responseModels/<content type>. AWS answers
// 201, as the service model says.
func (h *Handler) updateMethodResponse(c *call) (any, error) {
	ops, code, err := c.patchOps("updateMethodResponseInput", true)
	if err != nil {
		return nil, err
	}
	return h.updateMethodOut(c, methodNotFound(), func(_ *model.Resource, m *model.Method) (any, error) {
		r, ok := m.Responses[code]
		if !ok {
			return nil, responseNotFound()
		}
		r.ResponseParameters = maps.Clone(r.ResponseParameters)
		r.ResponseModels = maps.Clone(r.ResponseModels)
		for _, o := range ops {
			if err := patchMethodResponse(&r, o); err != nil {
				return nil, err
			}
		}
		if err := checkMethodResponseParameters(r.ResponseParameters); err != nil {
			return nil, err
		}
		if len(r.ResponseParameters) == 0 {
			r.ResponseParameters = nil
		}
		if len(r.ResponseModels) == 0 {
			r.ResponseModels = nil
		}
		m.Responses = maps.Clone(m.Responses)
		m.Responses[code] = r
		return methodResponseOut(r), nil
	})
}

func patchMethodResponse(r *model.MethodResponse, o patch.Operation) error {
	op, segs, value, err := opTarget(o)
	if err != nil {
		return err
	}
	if len(segs) == 2 && segs[1] != "" {
		switch segs[0] {
		case "responseParameters":
			return patchMapEntry(&r.ResponseParameters, op, segs[1], opBool(o), msgParamNotFound)
		case "responseModels":
			return patchMapEntry(&r.ResponseModels, op, segs[1], value, msgContentTypeGone)
		}
	}
	return patch.InvalidPath(o)
}

func (h *Handler) methodOps(m map[string]opFunc) {
	m["PutMethod"] = h.putMethod
	m["GetMethod"] = h.getMethod
	m["UpdateMethod"] = h.updateMethod
	m["DeleteMethod"] = h.deleteMethod
	m["PutMethodResponse"] = h.putMethodResponse
	m["GetMethodResponse"] = h.getMethodResponse
	m["UpdateMethodResponse"] = h.updateMethodResponse
	m["DeleteMethodResponse"] = h.deleteMethodResponse
}
