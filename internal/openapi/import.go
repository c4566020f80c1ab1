package openapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	gr "github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/model"
)

// Base path modes of ImportRestApi and PutRestApi (the basepath parameter).
const (
	BasePathIgnore  = "ignore"
	BasePathPrepend = "prepend"
	BasePathSplit   = "split"
)

// BasePathModes lists the accepted basepath values.
var BasePathModes = []string{BasePathIgnore, BasePathPrepend, BasePathSplit}

// Options tune an import. The zero value ignores the base path and reports
// documentation as unsupported.
type Options struct {
	// BasePath says what to do with the document's base path (Swagger 2.0
	// basePath, OpenAPI 3.0 server basePath variable or server URL path):
	// "ignore" (or "") drops it, "prepend" puts it in front of every path,
	// "split" drops its first segment (taken as a stage name) and prepends
	// the rest.
	BasePath string
	// IgnoreDocumentation drops x-amazon-apigateway-documentation without a
	// warning (ImportRestApi's ignore=documentation).
	IgnoreDocumentation bool
}

// API is an imported document in Gantry's model.
type API struct {
	// RestAPI holds the API's attributes the document sets: name (info
	// title), description, version and the API-level extensions. Set lists
	// which of them the document gave.
	RestAPI model.RestAPI
	// Set names the RestAPI fields the document gave, by their JSON name
	// ("name", "description", "version", "binaryMediaTypes",
	// "minimumCompressionSize", "apiKeySource", "policy",
	// "endpointConfiguration", "disableExecuteApiEndpoint"), so that a
	// merge keeps the others.
	Set map[string]bool
	// Resources lists every resource the document needs, parents before
	// children: the root "/", each path, and each path's ancestors. IDs and
	// parent IDs are left for the caller to assign.
	Resources []model.Resource
	// GatewayResponses are the x-amazon-apigateway-gateway-responses,
	// keyed by response type.
	GatewayResponses map[string]model.GatewayResponse
	// Models are the document's schemas (Swagger 2.0 definitions, OpenAPI
	// 3.0 components.schemas) and the inline schemas of bodies and
	// responses, sorted by name, without ids. Their references to each
	// other are in canonical form for the API DocumentAPIID: ModelsFor
	// gives them for a real API.
	Models []model.Model
	// RequestValidators are the x-amazon-apigateway-request-validators,
	// sorted by name, without ids. A method's RequestValidatorID holds the
	// name of its validator.
	RequestValidators []model.RequestValidator
	// Authorizers are the security schemes with an
	// x-amazon-apigateway-authorizer, sorted by name, without ids. A
	// method's AuthorizerID holds the name of its authorizer.
	Authorizers []model.Authorizer
	// Warnings are what AWS reports in the RestApi's warnings field: parts
	// of the document that were ignored.
	Warnings []string
}

// DocumentAPIID stands for the API's id in the model references of
// API.Models, until the API they go to is known.
const DocumentAPIID = "{restapi_id}"

// ModelsFor returns the document's models with their references to each
// other pointing at API apiID's models.
func (a *API) ModelsFor(apiID string) []model.Model {
	out := make([]model.Model, len(a.Models))
	for i, m := range a.Models {
		m.Schema = strings.ReplaceAll(m.Schema, model.ModelURL(DocumentAPIID, ""), model.ModelURL(apiID, ""))
		out[i] = m
	}
	return out
}

// Error is an import that failed, with AWS's list of problems.
type Error struct {
	Problems []string
}

// Error renders the problems as AWS does ("Errors found during import:"
// followed by one tab-indented line per problem, as recorded from AWS).
func (e *Error) Error() string {
	return "Errors found during import:\n\t" + strings.Join(e.Problems, "\n\t")
}

// WarningsError is AWS's text for an import refused because of warnings
// (failonwarnings=true).
func WarningsError(warnings []string) string {
	return "Warnings found during import:\n\t" + strings.Join(warnings, "\n\t")
}

// httpVerbs are the OpenAPI operation keys API Gateway imports, with the
// method each becomes.
var httpVerbs = map[string]string{
	"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE",
	"patch": "PATCH", "options": "OPTIONS", "head": "HEAD",
	anyMethodExtension: "ANY",
}

const anyMethodExtension = "x-amazon-apigateway-any-method"

const endpointConfigurationExtension = "x-amazon-apigateway-endpoint-configuration"

// extensionPrefix starts every API Gateway extension.
const extensionPrefix = "x-amazon-apigateway-"

// importer holds one import in progress.
type importer struct {
	opts      Options
	refs      refs
	oas3      bool
	api       *API
	errs      []string
	schemes   object
	security  []any // the document's default security requirements
	resources map[string]*model.Resource
	// models indexes API.Models by name; validator is the document's
	// default request validator (x-amazon-apigateway-request-validator at
	// the root); authorizers indexes API.Authorizers by name.
	models      map[string]int
	validator   string
	authorizers map[string]int
	// consumes and produces are the document's default media types
	// (Swagger 2.0).
	consumes, produces []string
}

// Import parses an OpenAPI 2.0 or 3.0 document (JSON or YAML) into Gantry's
// model. A document that cannot be imported gives an *Error listing its
// problems; what was ignored is listed in API.Warnings.
func Import(data []byte, opts Options) (*API, error) {
	root, err := decode(data)
	if err != nil {
		return nil, &Error{Problems: []string{"Unable to parse API definition: " + err.Error()}}
	}
	im := &importer{
		opts:      opts,
		refs:      refs{root: root},
		api:       &API{Set: map[string]bool{}},
		resources: map[string]*model.Resource{},
		models:    map[string]int{},
	}
	im.document(root)
	if len(im.errs) > 0 {
		return nil, &Error{Problems: im.errs}
	}
	for _, p := range slices.Sorted(maps.Keys(im.resources)) {
		im.api.Resources = append(im.api.Resources, *im.resources[p])
	}
	return im.api, nil
}

func (im *importer) errorf(format string, args ...any) {
	im.errs = append(im.errs, fmt.Sprintf(format, args...))
}

func (im *importer) warnf(format string, args ...any) {
	w := fmt.Sprintf(format, args...)
	if !slices.Contains(im.api.Warnings, w) {
		im.api.Warnings = append(im.api.Warnings, w)
	}
}

// document imports the root object.
func (im *importer) document(root object) {
	switch {
	case root["swagger"] == "2.0":
		im.schemes = obj(root, "securityDefinitions")
	case strings.HasPrefix(fmt.Sprint(root["openapi"]), "3.0"):
		im.oas3 = true
		im.schemes = obj(obj(root, "components"), "securitySchemes")
	default:
		im.errorf("Unable to parse API definition: the document must declare swagger: \"2.0\" or openapi: \"3.0.x\"")
		return
	}
	info := obj(root, "info")
	for field, key := range map[string]string{"title": "name", "description": "description", "version": "version"} {
		v, ok := info[field]
		if !ok {
			continue
		}
		s, ok := v.(string)
		if !ok {
			if field != "version" {
				im.errorf("Invalid info.%s: must be a string", field)
				continue
			}
			n, isNumber := v.(json.Number) // version: 1.0 is a number
			if !isNumber {
				im.errorf("Invalid info.version: must be a string")
				continue
			}
			s = string(n)
		}
		im.api.Set[key] = true
		switch key {
		case "name":
			im.api.RestAPI.Name = s
		case "description":
			im.api.RestAPI.Description = s
		default:
			im.api.RestAPI.Version = s
		}
	}
	if sec, ok := root["security"].([]any); ok {
		im.security = sec
	}
	im.consumes, _ = stringList(root["consumes"])
	im.produces, _ = stringList(root["produces"])
	importModels(im, root)
	importAuthorizers(im)
	keys := slices.Sorted(maps.Keys(root))
	// The validators come before the default validator that names one.
	if i := slices.Index(keys, "x-amazon-apigateway-request-validators"); i > 0 {
		k := keys[i]
		keys = slices.Insert(slices.Delete(keys, i, i+1), 0, k)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, extensionPrefix) {
			continue
		}
		if fn, ok := apiExtensions[k]; ok {
			fn(im, root[k])
		} else {
			im.warnf("Unsupported extension %s ignored", k)
		}
	}
	if im.oas3 {
		servers, _ := root["servers"].([]any)
		for _, sv := range servers {
			if ec, ok := asObject(sv)[endpointConfigurationExtension]; ok {
				importEndpointConfiguration(im, ec)
			}
		}
	}
	im.paths(root)
}

// basePath finds the document's base path: Swagger 2.0's basePath; in
// OpenAPI 3.0 the first server's basePath variable, else the path of the
// first server URL (AWS's "Set the OpenAPI basePath property").
func (im *importer) basePath(root object) string {
	if !im.oas3 {
		s, _ := str(root, "basePath")
		return s
	}
	servers, _ := root["servers"].([]any)
	for _, s := range servers {
		so, _ := s.(object)
		if d, ok := str(obj(obj(so, "variables"), "basePath"), "default"); ok {
			return d
		}
	}
	for _, s := range servers {
		so, _ := s.(object)
		raw, _ := str(so, "url")
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			return ""
		}
		return u.Path
	}
	return ""
}

// prefix is what goes in front of every path under the chosen basepath mode.
func (im *importer) prefix(root object) []string {
	if im.opts.BasePath == "" || im.opts.BasePath == BasePathIgnore {
		return nil
	}
	var parts []string
	for p := range strings.SplitSeq(im.basePath(root), "/") {
		if p != "" && !strings.HasPrefix(p, "{") {
			parts = append(parts, p)
		}
	}
	if im.opts.BasePath == BasePathSplit && len(parts) > 0 {
		parts = parts[1:]
	}
	return parts
}

// resource returns the resource at path, creating it and its ancestors, or
// nil once the document needs more than MaxResources resources.
func (im *importer) resource(parts []string) *model.Resource {
	path := "/"
	parent := im.resources["/"]
	if parent == nil {
		parent = &model.Resource{Path: "/"}
		im.resources["/"] = parent
	}
	for _, p := range parts {
		if path == "/" {
			path += p
		} else {
			path += "/" + p
		}
		r := im.resources[path]
		if r == nil {
			if len(im.resources) >= MaxResources {
				return nil
			}
			r = &model.Resource{PathPart: p, Path: path}
			im.resources[path] = r
		}
		parent = r
	}
	return parent
}

// paths imports every path and its operations.
func (im *importer) paths(root object) {
	prefix := im.prefix(root)
	if im.resource(prefix) == nil {
		im.errorf("Unable to parse API definition: more than %d resources", MaxResources)
		return
	}
	paths, ok := root["paths"].(object)
	if !ok {
		if root["paths"] != nil {
			im.errorf("Unable to parse API definition: paths must be an object")
		}
		return
	}
	if len(paths) > MaxPaths {
		im.errorf("Unable to parse API definition: more than %d paths", MaxPaths)
		return
	}
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		if strings.HasPrefix(p, "x-") {
			continue // an extension of the paths object
		}
		if !strings.HasPrefix(p, "/") {
			im.errorf("Unable to create resource at path '%s': a path must start with '/'", p)
			continue
		}
		parts := slices.Clone(prefix)
		bad := false
		for seg := range strings.SplitSeq(strings.Trim(p, "/"), "/") {
			if seg == "" {
				if p != "/" {
					bad = true
				}
				continue
			}
			parts = append(parts, seg)
		}
		if bad {
			im.errorf("Unable to create resource at path '%s': empty path segment", p)
			continue
		}
		item, err := im.refs.resolve(paths[p])
		itemObj, ok := item.(object)
		if err != nil {
			im.errorf("Unable to create resource at path '%s': %v", p, err)
			continue
		}
		if !ok {
			im.errorf("Unable to create resource at path '%s': the path item must be an object", p)
			continue
		}
		res := im.resource(parts)
		if res == nil {
			im.errorf("Unable to parse API definition: more than %d resources", MaxResources)
			return
		}
		im.pathItem(p, res, itemObj)
	}
}

// pathItem imports the operations of one path.
func (im *importer) pathItem(p string, res *model.Resource, item object) {
	shared := item["parameters"]
	for _, k := range slices.Sorted(maps.Keys(item)) {
		verb, isOp := httpVerbs[k]
		switch {
		case isOp:
			op, ok := item[k].(object)
			if !ok {
				im.errorf("Unable to put method '%s' on resource at path '%s': the operation must be an object", verb, p)
				continue
			}
			if res.Methods == nil {
				res.Methods = map[string]model.Method{}
			}
			res.Methods[verb] = im.operation(p, verb, shared, op)
		case k == "trace":
			im.warnf("Unsupported method 'TRACE' on path '%s' ignored", p)
		case strings.HasPrefix(k, extensionPrefix):
			im.warnf("Unsupported extension %s on path '%s' ignored", k, p)
		}
	}
}

// operation imports one operation as a method.
func (im *importer) operation(p, verb string, shared any, op object) model.Method {
	where := fmt.Sprintf("'%s' on resource at path '%s'", verb, p)
	m := model.Method{HTTPMethod: verb, AuthorizationType: "NONE", RequestValidatorID: im.validator}
	if id, ok := str(op, "operationId"); ok {
		m.OperationName = id
	}
	consumes, produces := im.consumes, im.produces
	if l, err := stringList(op["consumes"]); err == nil && l != nil {
		consumes = l
	}
	if l, err := stringList(op["produces"]); err == nil && l != nil {
		produces = l
	}
	im.parameters(&m, where, shared, consumes)
	im.parameters(&m, where, op["parameters"], consumes)
	if rb, ok := op["requestBody"]; ok && im.oas3 {
		im.requestBody(&m, where, rb)
	}
	im.responses(&m, where, op["responses"], produces)
	security := im.security
	if sec, ok := op["security"].([]any); ok {
		security = sec
	}
	im.applySecurity(&m, where, security)
	for _, k := range slices.Sorted(maps.Keys(op)) {
		if !strings.HasPrefix(k, extensionPrefix) {
			continue
		}
		if fn, ok := operationExtensions[k]; ok {
			fn(im, &m, where, op[k])
		} else {
			im.warnf("Unsupported extension %s on method %s ignored", k, where)
		}
	}
	return m
}

// parameterLocations maps an OpenAPI parameter location to API Gateway's.
var parameterLocations = map[string]string{"path": "path", "query": "querystring", "header": "header"}

// parameters imports path, query and header parameters as the method's
// requestParameters (required or not; path parameters always required).
func (im *importer) parameters(m *model.Method, where string, v any, consumes []string) {
	if v == nil {
		return
	}
	list, ok := v.([]any)
	if !ok {
		im.errorf("Unable to put method %s: parameters must be an array", where)
		return
	}
	for _, x := range list {
		x, err := im.refs.resolve(x)
		if err != nil {
			im.errorf("Unable to put method %s: %v", where, err)
			continue
		}
		po, ok := x.(object)
		if !ok {
			im.errorf("Unable to put method %s: a parameter must be an object", where)
			continue
		}
		name, _ := str(po, "name")
		in, _ := str(po, "in")
		loc, ok := parameterLocations[in]
		if !ok {
			if in == "body" || in == "formData" || in == "cookie" {
				// Request bodies become request models; cookies have no
				// API Gateway equivalent.
				if in == "body" {
					im.bodyModels(&m.RequestModels, where, po["schema"], consumes)
				}
				if in == "cookie" {
					im.warnf("Unsupported parameter location 'cookie' for parameter '%s' on method %s ignored", name, where)
				}
				continue
			}
			im.errorf("Unable to put method %s: invalid parameter location '%s' for parameter '%s'", where, in, name)
			continue
		}
		if name == "" {
			im.errorf("Unable to put method %s: a parameter has no name", where)
			continue
		}
		required, _ := po["required"].(bool)
		if m.RequestParameters == nil {
			m.RequestParameters = map[string]bool{}
		}
		m.RequestParameters["method.request."+loc+"."+name] = required || in == "path"
	}
}

// responses imports the operation's responses as method responses, their
// headers as responseParameters.
func (im *importer) responses(m *model.Method, where string, v any, produces []string) {
	rs, ok := v.(object)
	if !ok {
		return
	}
	for _, code := range slices.Sorted(maps.Keys(rs)) {
		if strings.HasPrefix(code, "x-") {
			continue
		}
		if code == "default" {
			im.warnf("Unsupported 'default' response on method %s ignored", where)
			continue
		}
		if !gr.ValidStatusCode(code) {
			im.errorf("Unable to put method response on %s: invalid status code '%s'", where, code)
			continue
		}
		r, err := im.refs.resolve(rs[code])
		if err != nil {
			im.errorf("Unable to put method response on %s: %v", where, err)
			continue
		}
		mr := model.MethodResponse{StatusCode: code}
		ro, _ := r.(object)
		for _, h := range slices.Sorted(maps.Keys(obj(ro, "headers"))) {
			if mr.ResponseParameters == nil {
				mr.ResponseParameters = map[string]bool{}
			}
			mr.ResponseParameters["method.response.header."+h] = false
		}
		if im.oas3 {
			im.contentModels(&mr.ResponseModels, where, ro["content"])
		} else {
			im.bodyModels(&mr.ResponseModels, where, ro["schema"], produces)
		}
		if m.Responses == nil {
			m.Responses = map[string]model.MethodResponse{}
		}
		m.Responses[code] = mr
	}
}

// applySecurity applies an operation's security requirements: a scheme of
// type apiKey (without an authorizer or auth type) makes the method require
// an API key, as on AWS; the others are handled by their extensions.
func (im *importer) applySecurity(m *model.Method, where string, reqs []any) {
	for _, req := range reqs {
		ro, ok := req.(object)
		if !ok {
			continue
		}
		for _, name := range slices.Sorted(maps.Keys(ro)) {
			s, err := im.refs.resolve(im.schemes[name])
			scheme, ok := s.(object)
			if err != nil || !ok {
				im.warnf("Unknown security scheme '%s' on method %s ignored", name, where)
				continue
			}
			scopes, _ := stringList(ro[name])
			handled := false
			for _, k := range slices.Sorted(maps.Keys(scheme)) {
				if fn, ok := securitySchemeExtensions[k]; ok {
					fn(im, m, securityUse{where: where, scheme: name, scopes: scopes}, scheme[k])
					handled = true
				}
			}
			if !handled {
				if typ, _ := str(scheme, "type"); typ == "apiKey" {
					m.APIKeyRequired = true
				} else {
					im.warnf("Unsupported security scheme '%s' on method %s ignored", name, where)
				}
			}
		}
	}
}

// policyString normalises x-amazon-apigateway-policy (an object, or a JSON
// string) to the JSON string API Gateway stores.
func policyString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case object:
		b, err := json.Marshal(x)
		return string(b), err
	}
	return "", fmt.Errorf("must be an object")
}
