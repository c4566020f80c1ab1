package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
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
	// ExtAuthorizers adds authorizers (Gantry has none to add yet).
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
			item[key] = exportMethod(r.ID, r.Methods[verb], oas3, sets, schemes)
		}
		paths[r.Path] = item
	}
	doc["paths"] = paths
	if len(schemes) > 0 {
		if oas3 {
			doc["components"] = object{"securitySchemes": schemes}
		} else {
			doc["securityDefinitions"] = schemes
		}
	}
	if apigw {
		exportAPIExtensions(doc, s)
	}
	if opts.YAML {
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
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
		var policy any
		if json.Unmarshal([]byte(s.API.Policy), &policy) == nil {
			return policy, true
		}
		return s.API.Policy, s.API.Policy != ""
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

// exportMethod writes one method of the resource resourceID as an
// operation, adding the security schemes it uses to schemes.
func exportMethod(resourceID string, m model.Method, oas3 bool, sets func(string) bool, schemes object) object {
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
	if len(params) > 0 {
		op["parameters"] = params
	}
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
		responses[code] = resp
	}
	op["responses"] = responses
	var security []any
	if m.AuthorizationType == "AWS_IAM" {
		schemes["sigv4"] = object{"type": "apiKey", "name": "Authorization", "in": "header",
			"x-amazon-apigateway-authtype": "awsSigv4"}
		security = append(security, object{"sigv4": []any{}})
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
		if v, ok := x.value(resourceID, m); ok {
			op[name] = v
		}
	}
	return op
}

// methodExport writes one extension of an operation.
type methodExport struct {
	// set is the extension set (ExtIntegrations, ExtAuthorizers, or
	// ExtAPIGateway) that includes the extension.
	set string
	// value returns the extension's value for the method of the resource
	// resourceID, or false when there is nothing to write.
	value func(resourceID string, m model.Method) (any, bool)
}

// methodExportExtensions write the extensions of each operation, one entry
// per extension (their import is in operationExtensions).
var methodExportExtensions = map[string]methodExport{
	"x-amazon-apigateway-integration": {ExtIntegrations, func(resourceID string, m model.Method) (any, bool) {
		if m.Integration == nil {
			return nil, false
		}
		return exportIntegration(resourceID, *m.Integration), true
	}},
}

// exportIntegration writes x-amazon-apigateway-integration, with the type
// and passthrough behaviour in lower case as AWS's exports show them. The
// cache namespace is left out when it is the default (the resource's id),
// which means nothing in another API.
func exportIntegration(resourceID string, ig model.Integration) object {
	e := object{"type": strings.ToLower(ig.Type)}
	set := func(k, v string) {
		if v != "" {
			e[k] = v
		}
	}
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
