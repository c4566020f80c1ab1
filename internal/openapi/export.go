package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gantryproject/gantry/internal/model"
)

// Export types of GetExport.
const (
	FormatSwagger = "swagger" // OpenAPI 2.0
	FormatOAS30   = "oas30"   // OpenAPI 3.0
)

// Extension sets of GetExport's extensions parameter.
const (
	// ExtIntegrations adds x-amazon-apigateway-integration to each method.
	ExtIntegrations = "integrations"
	// ExtAPIGateway adds every API Gateway extension: integrations and the
	// API-level ones (gateway responses, binary media types, ...).
	ExtAPIGateway = "apigateway"
	// ExtAuthorizers adds the Lambda and Cognito authorizers: their
	// security schemes with x-amazon-apigateway-authorizer, and the
	// methods' requirements of them.
	ExtAuthorizers = "authorizers"
)

// ExportOptions describe an export.
type ExportOptions struct {
	// Format is FormatSwagger or FormatOAS30.
	Format string
	// Extensions holds the requested extension sets (ExtIntegrations,
	// ExtAPIGateway, ExtAuthorizers). Without any, the export is plain
	// OpenAPI, as on AWS.
	Extensions map[string]bool
	// YAML selects YAML output instead of JSON.
	YAML bool
	// Host is the API's execute-api host name, e.g.
	// "abc123.execute-api.us-east-1.amazonaws.com".
	Host string
	// Stage is the exported stage; the base path is "/{stage}".
	Stage string
	// Created is the API's creation date, the document's version when the
	// API has none (as AWS's exports show).
	Created time.Time
}

// Export writes the deployed snapshot s as an OpenAPI document.
func Export(s model.Snapshot, opts ExportOptions) ([]byte, error) {
	oas3 := opts.Format == FormatOAS30
	apigw := opts.Extensions[ExtAPIGateway]
	// The extension sets asked for; apigateway includes the others.
	sets := func(set string) bool { return apigw || opts.Extensions[set] }
	info := object{"title": s.API.Name}
	if s.API.Description != "" {
		info["description"] = s.API.Description
	}
	info["version"] = s.API.Version
	if s.API.Version == "" {
		info["version"] = opts.Created.UTC().Format(time.RFC3339)
	}
	doc := object{"info": info}
	basePath := "/" + opts.Stage
	if oas3 {
		doc["openapi"] = "3.0.1"
		doc["servers"] = []any{object{
			"url":       "https://" + opts.Host + "/{basePath}",
			"variables": object{"basePath": object{"default": basePath}},
		}}
	} else {
		doc["swagger"] = "2.0"
		doc["host"] = opts.Host
		doc["basePath"] = basePath
		doc["schemes"] = []any{"https"}
	}
	schemes := object{}
	paths := object{}
	ex := exporter{snap: s, oas3: oas3, sets: sets, schemes: schemes}
	// Every resource with methods is a path; so is every leaf without
	// methods (an empty path item), so that importing the export recreates
	// it. Intermediate resources come back as ancestors of their children.
	parents := map[string]bool{}
	for _, r := range s.Resources {
		if r.Path != "/" {
			parents[r.Path[:max(strings.LastIndexByte(r.Path, '/'), 1)]] = true
		}
	}
	for _, r := range s.Resources {
		if len(r.Methods) == 0 && (parents[r.Path] || r.Path == "/") {
			continue
		}
		item := object{}
		for _, verb := range slices.Sorted(maps.Keys(r.Methods)) {
			key := strings.ToLower(verb)
			if verb == "ANY" {
				key = anyMethodExtension
			}
			item[key] = ex.method(r.ID, r.Methods[verb])
		}
		paths[r.Path] = item
	}
	doc["paths"] = paths
	if sets(ExtAuthorizers) {
		// Authorizers no method uses are exported too, so that importing
		// the export recreates them (Gantry's choice: AWS's handling of
		// unused authorizers in exports is not recorded).
		for _, a := range s.Authorizers {
			if _, ok := schemes[a.Name]; !ok {
				schemes[a.Name] = authorizerScheme(a)
			}
		}
	}
	components := object{}
	if len(schemes) > 0 {
		if oas3 {
			components["securitySchemes"] = schemes
		} else {
			doc["securityDefinitions"] = schemes
		}
	}
	if defs := exportModels(s.Models, oas3); len(defs) > 0 {
		if oas3 {
			components["schemas"] = defs
		} else {
			doc["definitions"] = defs
		}
	}
	if len(components) > 0 {
		doc["components"] = components
	}
	if apigw {
		exportAPIExtensions(doc, s)
	}
	if opts.YAML {
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(yamlNumbers(doc)); err != nil {
			return nil, err
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return json.MarshalIndent(doc, "", "  ")
}

// apiExportExtensions write the API-level extensions of an export with
// extensions=apigateway, one entry per extension: each returns the
// extension's value, or false when there is nothing to write. Exporting one
// more extension is one more entry (its import is in apiExtensions).
var apiExportExtensions = map[string]func(s model.Snapshot) (any, bool){
	"x-amazon-apigateway-gateway-responses": func(s model.Snapshot) (any, bool) {
		grs := object{}
		for t, g := range s.GatewayResponses {
			e := object{}
			if g.StatusCode != "" {
				e["statusCode"] = g.StatusCode
			}
			if len(g.ResponseParameters) > 0 {
				e["responseParameters"] = g.ResponseParameters
			}
			if len(g.ResponseTemplates) > 0 {
				e["responseTemplates"] = g.ResponseTemplates
			}
			grs[t] = e
		}
		return grs, len(grs) > 0
	},
	"x-amazon-apigateway-binary-media-types": func(s model.Snapshot) (any, bool) {
		return s.API.BinaryMediaTypes, len(s.API.BinaryMediaTypes) > 0
	},
	"x-amazon-apigateway-minimum-compression-size": func(s model.Snapshot) (any, bool) {
		if s.API.MinimumCompressionSize == nil {
			return nil, false
		}
		return *s.API.MinimumCompressionSize, true
	},
	"x-amazon-apigateway-api-key-source": func(s model.Snapshot) (any, bool) {
		return s.API.APIKeySource, s.API.APIKeySource != ""
	},
	"x-amazon-apigateway-policy": func(s model.Snapshot) (any, bool) {
		doc := abbreviatePolicy(s.API.Policy, s.API.ID)
		var policy any
		if json.Unmarshal([]byte(doc), &policy) == nil {
			return policy, true
		}
		return doc, doc != ""
	},
	"x-amazon-apigateway-request-validators": func(s model.Snapshot) (any, bool) {
		vs := object{}
		for _, v := range s.RequestValidators {
			vs[v.Name] = object{"validateRequestBody": v.ValidateRequestBody, "validateRequestParameters": v.ValidateRequestParameters}
		}
		return vs, len(vs) > 0
	},
	endpointConfigurationExtension: func(s model.Snapshot) (any, bool) {
		ec := object{}
		if ids := s.API.EndpointConfiguration.VPCEndpointIDs; len(ids) > 0 {
			ec["vpcEndpointIds"] = ids
		}
		if s.API.DisableExecuteAPIEndpoint {
			ec["disableExecuteApiEndpoint"] = true
		}
		return ec, len(ec) > 0
	},
}

// exportAPIExtensions adds the API-level extensions to doc.
func exportAPIExtensions(doc object, s model.Snapshot) {
	for name, fn := range apiExportExtensions {
		v, ok := fn(s)
		if !ok {
			continue
		}
		// AWS documents the endpoint configuration at the root of Swagger
		// 2.0 documents and on the server object of OpenAPI 3.0 ones.
		if servers, isOAS3 := doc["servers"].([]any); isOAS3 && name == endpointConfigurationExtension {
			servers[0].(object)[name] = v
			continue
		}
		doc[name] = v
	}
}

// exporter holds one export in progress.
type exporter struct {
	snap model.Snapshot
	oas3 bool
	// sets says whether an extension set was asked for.
	sets func(string) bool
	// schemes collects the security schemes the methods use.
	schemes object
}

// method writes one method of the resource resourceID as an operation,
// adding the security schemes it uses to ex.schemes.
func (ex exporter) method(resourceID string, m model.Method) object {
	oas3, sets, schemes := ex.oas3, ex.sets, ex.schemes
	op := object{}
	if m.OperationName != "" {
		op["operationId"] = m.OperationName
	}
	var params []any
	for _, loc := range []string{"path", "querystring", "header"} {
		for _, k := range slices.Sorted(maps.Keys(m.RequestParameters)) {
			name, ok := strings.CutPrefix(k, "method.request."+loc+".")
			if !ok {
				continue
			}
			in := loc
			if loc == "querystring" {
				in = "query"
			}
			p := object{"name": name, "in": in, "required": m.RequestParameters[k]}
			if oas3 {
				p["schema"] = object{"type": "string"}
			} else {
				p["type"] = "string"
			}
			params = append(params, p)
		}
	}
	if name, types := bodyModel(m.RequestModels); name != "" {
		if oas3 {
			op["requestBody"] = object{"content": contentOf(m.RequestModels, oas3), "required": true}
		} else {
			op["consumes"] = types
			params = append(params, object{"in": "body", "name": name, "required": true, "schema": modelRef(name, oas3)})
		}
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	var produces []string
	responses := object{}
	for code, r := range m.Responses {
		resp := object{"description": code + " response"}
		headers := object{}
		for k := range r.ResponseParameters {
			if name, ok := strings.CutPrefix(k, "method.response.header."); ok {
				if oas3 {
					headers[name] = object{"schema": object{"type": "string"}}
				} else {
					headers[name] = object{"type": "string"}
				}
			}
		}
		if len(headers) > 0 {
			resp["headers"] = headers
		}
		if name, types := bodyModel(r.ResponseModels); name != "" {
			if oas3 {
				resp["content"] = contentOf(r.ResponseModels, oas3)
			} else {
				resp["schema"] = modelRef(name, oas3)
				produces = append(produces, types...)
			}
		}
		responses[code] = resp
	}
	if len(produces) > 0 {
		slices.Sort(produces)
		op["produces"] = slices.Compact(produces)
	}
	op["responses"] = responses
	var security []any
	if m.AuthorizationType == "AWS_IAM" {
		schemes["sigv4"] = object{"type": "apiKey", "name": "Authorization", "in": "header",
			"x-amazon-apigateway-authtype": "awsSigv4"}
		security = append(security, object{"sigv4": []any{}})
	}
	if a, ok := ex.authorizer(m); ok && sets(ExtAuthorizers) {
		schemes[a.Name] = authorizerScheme(a)
		scopes := []any{}
		for _, sc := range m.AuthorizationScopes {
			scopes = append(scopes, sc)
		}
		security = append(security, object{a.Name: scopes})
	}
	if m.APIKeyRequired {
		schemes["api_key"] = object{"type": "apiKey", "name": "x-api-key", "in": "header"}
		security = append(security, object{"api_key": []any{}})
	}
	if security != nil {
		op["security"] = security
	}
	for name, x := range methodExportExtensions {
		if !sets(x.set) {
			continue
		}
		if v, ok := x.value(ex.snap, resourceID, m); ok {
			op[name] = v
		}
	}
	return op
}

// authorizer returns the authorizer a CUSTOM or COGNITO_USER_POOLS method
// uses.
func (ex exporter) authorizer(m model.Method) (model.Authorizer, bool) {
	if m.AuthorizationType != "CUSTOM" && m.AuthorizationType != "COGNITO_USER_POOLS" {
		return model.Authorizer{}, false
	}
	i := slices.IndexFunc(ex.snap.Authorizers, func(a model.Authorizer) bool { return a.ID == m.AuthorizerID })
	if i < 0 {
		return model.Authorizer{}, false
	}
	return ex.snap.Authorizers[i], true
}

// methodExport writes one extension of an operation.
type methodExport struct {
	// set is the extension set (ExtIntegrations, ExtAuthorizers, or
	// ExtAPIGateway) that includes the extension.
	set string
	// value returns the extension's value for the method of the resource
	// resourceID, or false when there is nothing to write.
	value func(s model.Snapshot, resourceID string, m model.Method) (any, bool)
}

// methodExportExtensions write the extensions of each operation, one entry
// per extension (their import is in operationExtensions).
var methodExportExtensions = map[string]methodExport{
	"x-amazon-apigateway-integration": {ExtIntegrations, func(_ model.Snapshot, resourceID string, m model.Method) (any, bool) {
		if m.Integration == nil {
			return nil, false
		}
		return exportIntegration(resourceID, *m.Integration), true
	}},
	"x-amazon-apigateway-request-validator": {ExtAPIGateway, func(s model.Snapshot, _ string, m model.Method) (any, bool) {
		i := slices.IndexFunc(s.RequestValidators, func(v model.RequestValidator) bool { return v.ID == m.RequestValidatorID })
		if m.RequestValidatorID == "" || i < 0 {
			return nil, false
		}
		return s.RequestValidators[i].Name, true
	}},
}

// exportIntegration writes x-amazon-apigateway-integration, with the type
// and passthrough behaviour in lower case as AWS's exports show them. The
// cache namespace is left out when it is the default (the resource's id),
// which means nothing in another API.
func exportIntegration(resourceID string, ig model.Integration) object {
	e := object{"type": strings.ToLower(ig.Type)}
	set := stringSetter(e)
	set("httpMethod", ig.HTTPMethod)
	set("uri", ig.URI)
	set("credentials", ig.Credentials)
	set("connectionType", ig.ConnectionType)
	set("connectionId", ig.ConnectionID)
	set("passthroughBehavior", strings.ToLower(ig.PassthroughBehavior))
	set("contentHandling", ig.ContentHandling)
	set("responseTransferMode", ig.ResponseTransferMode)
	set("integrationTarget", ig.IntegrationTarget)
	if ig.CacheNamespace != resourceID {
		set("cacheNamespace", ig.CacheNamespace)
	}
	if ig.TimeoutInMillis != 0 {
		e["timeoutInMillis"] = ig.TimeoutInMillis
	}
	if len(ig.CacheKeyParameters) > 0 {
		e["cacheKeyParameters"] = ig.CacheKeyParameters
	}
	if len(ig.RequestParameters) > 0 {
		e["requestParameters"] = ig.RequestParameters
	}
	if len(ig.RequestTemplates) > 0 {
		e["requestTemplates"] = ig.RequestTemplates
	}
	if ig.TLSInsecureSkipVerify != nil {
		e["tlsConfig"] = object{"insecureSkipVerification": *ig.TLSInsecureSkipVerify}
	}
	if len(ig.Responses) > 0 {
		rs := object{}
		for _, r := range ig.Responses {
			key := r.SelectionPattern
			if key == "" {
				key = "default"
			}
			x := object{"statusCode": r.StatusCode}
			if len(r.ResponseParameters) > 0 {
				x["responseParameters"] = r.ResponseParameters
			}
			if len(r.ResponseTemplates) > 0 {
				x["responseTemplates"] = r.ResponseTemplates
			}
			if r.ContentHandling != "" {
				x["contentHandling"] = r.ContentHandling
			}
			rs[key] = x
		}
		e["responses"] = rs
	}
	return e
}

// FileName is the name AWS gives an export in Content-Disposition.
func FileName(format, stage string, yamlOut bool) string {
	ext := "json"
	if yamlOut {
		ext = "yaml"
	}
	return fmt.Sprintf("%s_%s.%s", format, stage, ext)
}

// bodyModel chooses the model that stands for a requestModels or
// responseModels map in a Swagger 2.0 document, which has one schema per
// body: the model of application/json if there is one, else of the first
// media type; types are the media types that map to it.
func bodyModel(models map[string]string) (name string, types []string) {
	if len(models) == 0 {
		return "", nil
	}
	keys := slices.Sorted(maps.Keys(models))
	name = models[keys[0]]
	if n, ok := models[modelContentType]; ok {
		name = n
	}
	for _, k := range keys {
		if models[k] == name {
			types = append(types, k)
		}
	}
	return name, types
}

// contentOf writes an OpenAPI 3.0 content object: each media type with a
// reference to its model.
func contentOf(models map[string]string, oas3 bool) object {
	c := object{}
	for t, name := range models {
		c[t] = object{"schema": modelRef(name, oas3)}
	}
	return c
}

// modelRef is a reference to a model's schema in the export.
func modelRef(name string, oas3 bool) object {
	if oas3 {
		return object{"$ref": "#/components/schemas/" + name}
	}
	return object{"$ref": "#/definitions/" + name}
}

// exportModels writes the models as the document's schemas, with their
// canonical model URLs turned back into local references and without
// $schema, as AWS's exports show them. A schema that is not JSON is left
// out.
func exportModels(models []model.Model, oas3 bool) object {
	defs := object{}
	for _, m := range models {
		dec := json.NewDecoder(strings.NewReader(m.Schema))
		dec.UseNumber()
		var doc any
		if dec.Decode(&doc) != nil {
			continue
		}
		o, ok := doc.(object)
		if !ok {
			continue
		}
		delete(o, "$schema")
		defs[m.Name] = mapRefs(o, func(ref string) string {
			rest, ok := strings.CutPrefix(ref, model.ModelURLPrefix)
			if !ok {
				return ref
			}
			_, rest, ok = strings.Cut(rest, "/models/")
			if !ok {
				return ref
			}
			name, frag, _ := strings.Cut(rest, "#")
			return modelRef(name, oas3)["$ref"].(string) + frag
		})
	}
	return defs
}

// authorizerScheme writes an authorizer as the apiKey security scheme with
// x-amazon-apigateway-authorizer that AWS's exports show: the header (or
// query parameter) of a single identity source is the scheme's name, other
// identity sources are named "Unused" in the header, as AWS's
// "x-amazon-apigateway-authorizer object" describes.
func authorizerScheme(a model.Authorizer) object {
	name, in := "Unused", "header"
	if !strings.Contains(a.IdentitySource, ",") {
		if h, ok := strings.CutPrefix(a.IdentitySource, "method.request.header."); ok {
			name = h
		} else if q, ok := strings.CutPrefix(a.IdentitySource, "method.request.querystring."); ok && a.Type == model.AuthorizerRequest {
			name, in = q, "query"
		}
	}
	ext := object{"type": strings.ToLower(a.Type), "authorizerResultTtlInSeconds": a.ResultTTLInSeconds}
	set := stringSetter(ext)
	set("authorizerUri", a.AuthorizerURI)
	set("authorizerCredentials", a.AuthorizerCredentials)
	set("identitySource", a.IdentitySource)
	set("identityValidationExpression", a.IdentityValidationExpression)
	if len(a.ProviderARNs) > 0 {
		ext["providerARNs"] = a.ProviderARNs
	}
	scheme := object{"type": "apiKey", "name": name, "in": in, authorizerExtension: ext}
	if a.AuthType != "" {
		scheme["x-amazon-apigateway-authtype"] = a.AuthType
	}
	return scheme
}

// yamlNumbers copies v with its JSON numbers (from model schemas) as YAML
// numbers written as in the schema; the YAML encoder would quote them.
func yamlNumbers(v any) any {
	switch x := v.(type) {
	case object:
		out := make(object, len(x))
		for k, e := range x {
			out[k] = yamlNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = yamlNumbers(e)
		}
		return out
	case json.Number:
		tag := "!!int"
		if strings.ContainsAny(string(x), ".eE") {
			tag = "!!float"
		}
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: string(x)}
	}
	return v
}

// ownAPIArn matches the execute-api ARN prefix of any region and account.
var ownAPIArn = regexp.MustCompile(`arn:aws:execute-api:[a-z0-9-]*:[0-9]*:([A-Za-z0-9]+)/`)

// abbreviatePolicy writes the API's own execute-api ARNs in a policy back
// in the abbreviated form execute-api:/<stage>/<METHOD>/<path>, which an
// import expands to the importing API's ARN. Gantry's choice (AWS's export
// of policies is not recorded): it makes an export importable as another
// API without granting access to the original one.
func abbreviatePolicy(doc, apiID string) string {
	return ownAPIArn.ReplaceAllStringFunc(doc, func(arn string) string {
		if ownAPIArn.FindStringSubmatch(arn)[1] != apiID {
			return arn
		}
		return "execute-api:/"
	})
}
