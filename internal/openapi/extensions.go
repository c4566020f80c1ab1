package openapi

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	gr "github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/model"
)

// The extension tables. Each entry imports one x-amazon-apigateway-*
// extension; an extension not listed is ignored with a warning. Extensions
// of features Gantry does not serve yet (request validators, authorizers,
// documentation, models) are listed with an importer that warns, so that
// adding the feature is replacing one entry.

// apiExtensions import the extensions of the document's root object.
var apiExtensions = map[string]func(im *importer, v any){
	"x-amazon-apigateway-gateway-responses": importGatewayResponses,
	"x-amazon-apigateway-api-key-source": func(im *importer, v any) {
		s, ok := v.(string)
		if !ok {
			im.errorf("Invalid x-amazon-apigateway-api-key-source: must be a string")
			return
		}
		im.api.RestAPI.APIKeySource = strings.ToUpper(s)
		im.api.Set["apiKeySource"] = true
	},
	"x-amazon-apigateway-binary-media-types": func(im *importer, v any) {
		list, err := stringList(v)
		if err != nil {
			im.errorf("Invalid x-amazon-apigateway-binary-media-types: %v", err)
			return
		}
		im.api.RestAPI.BinaryMediaTypes = list
		im.api.Set["binaryMediaTypes"] = true
	},
	"x-amazon-apigateway-minimum-compression-size": func(im *importer, v any) {
		n, ok := integer(v)
		if !ok {
			im.errorf("Invalid x-amazon-apigateway-minimum-compression-size: must be an integer")
			return
		}
		im.api.RestAPI.MinimumCompressionSize = &n
		im.api.Set["minimumCompressionSize"] = true
	},
	"x-amazon-apigateway-policy": func(im *importer, v any) {
		s, err := policyString(v)
		if err != nil {
			im.errorf("Invalid x-amazon-apigateway-policy: %v", err)
			return
		}
		im.api.RestAPI.Policy = s
		im.api.Set["policy"] = true
	},
	endpointConfigurationExtension: importEndpointConfiguration,
	// AWS writes the version of its import/export format in OpenAPI 3.0
	// exports; there is nothing to import.
	"x-amazon-apigateway-importexport-version": func(*importer, any) {},
	"x-amazon-apigateway-request-validators":   unsupported("request validators"),
	"x-amazon-apigateway-request-validator":    unsupported("request validators"),
	"x-amazon-apigateway-documentation": func(im *importer, v any) {
		if !im.opts.IgnoreDocumentation {
			unsupported("documentation parts")(im, v)
		}
	},
}

// operationExtensions import the extensions of an operation.
var operationExtensions = map[string]func(im *importer, m *model.Method, where string, v any){
	"x-amazon-apigateway-integration": func(im *importer, m *model.Method, where string, v any) {
		ig, problems := importIntegration(v)
		for _, p := range problems {
			im.errorf("Unable to put integration on %s: %s", where, p)
		}
		if len(problems) == 0 {
			m.Integration = ig
		}
	},
	"x-amazon-apigateway-auth": func(im *importer, m *model.Method, where string, v any) {
		typ, _ := str(asObject(v), "type")
		switch strings.ToUpper(typ) {
		case "NONE":
			m.AuthorizationType = "NONE"
		case "AWS_IAM":
			m.AuthorizationType = "AWS_IAM"
		default:
			im.errorf("Unable to put method %s: invalid x-amazon-apigateway-auth type '%s'", where, typ)
		}
	},
	"x-amazon-apigateway-request-validator": func(im *importer, _ *model.Method, _ string, v any) {
		unsupported("request validators")(im, v)
	},
}

// securitySchemeExtensions import the extensions of a security scheme that
// an operation requires.
var securitySchemeExtensions = map[string]func(im *importer, m *model.Method, where, scheme string, v any){
	"x-amazon-apigateway-authtype": func(im *importer, m *model.Method, where, scheme string, v any) {
		s, _ := v.(string)
		switch strings.ToLower(s) {
		case "awssigv4":
			m.AuthorizationType = "AWS_IAM"
		case "custom", "cognito_user_pools", "oauth2":
			// Described by x-amazon-apigateway-authorizer.
		default:
			im.warnf("Unsupported x-amazon-apigateway-authtype '%s' of security scheme '%s' ignored", s, scheme)
		}
	},
	"x-amazon-apigateway-authorizer": func(im *importer, _ *model.Method, _, _ string, v any) {
		unsupported("authorizers")(im, v)
	},
}

// unsupported returns an importer that ignores an extension of a feature
// Gantry does not serve yet, with a warning. AWS imports these; Gantry's
// warning is its own text.
func unsupported(feature string) func(im *importer, v any) {
	return func(im *importer, _ any) {
		im.warnf("Gantry does not support %s yet: their extensions were ignored", feature)
	}
}

// importModels handles the document's schemas (Swagger 2.0 definitions,
// OpenAPI 3.0 components.schemas), which API Gateway imports as models.
// Gantry does not serve models yet: they are ignored with a warning.
func importModels(im *importer, root object) {
	schemas := obj(root, "definitions")
	if im.oas3 {
		schemas = obj(obj(root, "components"), "schemas")
	}
	if len(schemas) > 0 {
		im.warnf("Gantry does not support models yet: the schemas %s were ignored",
			strings.Join(slices.Sorted(maps.Keys(schemas)), ", "))
	}
}

func asObject(v any) object {
	o, _ := v.(object)
	return o
}

// importGatewayResponses imports x-amazon-apigateway-gateway-responses:
// response type → {statusCode, responseParameters, responseTemplates}. The
// status code may be written as a number or a string (AWS's examples use
// both).
func importGatewayResponses(im *importer, v any) {
	o, ok := v.(object)
	if !ok {
		im.errorf("Invalid x-amazon-apigateway-gateway-responses: must be an object")
		return
	}
	for _, name := range slices.Sorted(maps.Keys(o)) {
		t, ok := gr.Parse(name)
		if !ok {
			im.errorf("Unable to put gateway response '%s': invalid response type", name)
			continue
		}
		ro, ok := o[name].(object)
		if !ok {
			im.errorf("Unable to put gateway response '%s': must be an object", name)
			continue
		}
		resp := model.GatewayResponse{Type: string(t)}
		if sc, ok := ro["statusCode"]; ok {
			n, isInt := integer(sc)
			code := fmt.Sprint(n)
			if !isInt || !gr.ValidStatusCode(code) {
				im.errorf("Unable to put gateway response '%s': invalid status code '%v'", name, sc)
				continue
			}
			resp.StatusCode = code
		}
		var err error
		if resp.ResponseParameters, err = stringMap(ro["responseParameters"]); err != nil {
			im.errorf("Unable to put gateway response '%s': responseParameters %v", name, err)
			continue
		}
		if resp.ResponseTemplates, err = stringMap(ro["responseTemplates"]); err != nil {
			im.errorf("Unable to put gateway response '%s': responseTemplates %v", name, err)
			continue
		}
		if im.api.GatewayResponses == nil {
			im.api.GatewayResponses = map[string]model.GatewayResponse{}
		}
		im.api.GatewayResponses[resp.Type] = resp
	}
}

// importEndpointConfiguration imports x-amazon-apigateway-endpoint-configuration:
// vpcEndpointIds, disableExecuteApiEndpoint and ipAddressType. The endpoint
// types come from ImportRestApi's endpointConfigurationTypes parameter. In
// Swagger 2.0 the extension is at the root; in OpenAPI 3.0 AWS documents it
// on a server object (Gantry also accepts it at the root).
func importEndpointConfiguration(im *importer, v any) {
	o, ok := v.(object)
	if !ok {
		im.errorf("Invalid x-amazon-apigateway-endpoint-configuration: must be an object")
		return
	}
	ec := &im.api.RestAPI.EndpointConfiguration
	var err error
	if ec.VPCEndpointIDs, err = stringList(o["vpcEndpointIds"]); err != nil {
		im.errorf("Invalid x-amazon-apigateway-endpoint-configuration vpcEndpointIds: %v", err)
	}
	if s, ok := str(o, "ipAddressType"); ok {
		ec.IPAddressType = s
	}
	im.api.Set["endpointConfiguration"] = true
	if d, ok := o["disableExecuteApiEndpoint"]; ok {
		b, ok := d.(bool)
		if !ok {
			im.errorf("Invalid x-amazon-apigateway-endpoint-configuration disableExecuteApiEndpoint: must be a boolean")
			return
		}
		im.api.RestAPI.DisableExecuteAPIEndpoint = b
		im.api.Set["disableExecuteApiEndpoint"] = true
	}
}

// integrationTypes are the x-amazon-apigateway-integration types, which
// AWS's examples write in lower case.
var integrationTypes = []string{model.IntegrationHTTP, model.IntegrationHTTPProxy, model.IntegrationAWS,
	model.IntegrationAWSProxy, model.IntegrationMock}

// importIntegration reads an x-amazon-apigateway-integration object. The
// defaults are PutIntegration's: passthroughBehavior WHEN_NO_MATCH and
// connectionType INTERNET for every type but MOCK.
func importIntegration(v any) (*model.Integration, []string) {
	o, ok := v.(object)
	if !ok {
		return nil, []string{"the integration must be an object"}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	typ, _ := str(o, "type")
	ig := &model.Integration{Type: strings.ToUpper(typ), PassthroughBehavior: model.PassthroughWhenNoMatch}
	if !slices.Contains(integrationTypes, ig.Type) {
		bad("Invalid integration type '%s'", typ)
	}
	strField := func(key string, dst *string, upper bool) {
		x, present := o[key]
		if !present {
			return
		}
		s, ok := x.(string)
		if !ok {
			bad("%s must be a string", key)
			return
		}
		if upper {
			s = strings.ToUpper(s)
		}
		*dst = s
	}
	strField("httpMethod", &ig.HTTPMethod, true)
	strField("uri", &ig.URI, false)
	strField("credentials", &ig.Credentials, false)
	strField("connectionType", &ig.ConnectionType, true)
	strField("connectionId", &ig.ConnectionID, false)
	strField("passthroughBehavior", &ig.PassthroughBehavior, true)
	strField("contentHandling", &ig.ContentHandling, true)
	strField("cacheNamespace", &ig.CacheNamespace, false)
	strField("responseTransferMode", &ig.ResponseTransferMode, true)
	strField("integrationTarget", &ig.IntegrationTarget, false)
	if ig.ConnectionType == "" && ig.Type != model.IntegrationMock {
		ig.ConnectionType = "INTERNET"
	}
	if t, ok := o["timeoutInMillis"]; ok {
		n, isInt := integer(t)
		if !isInt {
			bad("timeoutInMillis must be an integer")
		}
		ig.TimeoutInMillis = n
	}
	var err error
	if ig.CacheKeyParameters, err = stringList(o["cacheKeyParameters"]); err != nil {
		bad("cacheKeyParameters %v", err)
	}
	if ig.RequestParameters, err = stringMap(o["requestParameters"]); err != nil {
		bad("requestParameters %v", err)
	}
	if ig.RequestTemplates, err = stringMap(o["requestTemplates"]); err != nil {
		bad("requestTemplates %v", err)
	}
	if tls := asObject(o["tlsConfig"]); tls != nil {
		if skip, ok := tls["insecureSkipVerification"].(bool); ok {
			ig.TLSInsecureSkipVerify = &skip
		}
	}
	if rs, present := o["responses"]; present {
		ro, ok := rs.(object)
		if !ok {
			bad("responses must be an object")
		}
		for _, pattern := range slices.Sorted(maps.Keys(ro)) {
			r, p := importIntegrationResponse(pattern, ro[pattern])
			problems = append(problems, p...)
			if len(p) > 0 {
				continue
			}
			if ig.Responses == nil {
				ig.Responses = map[string]model.IntegrationResponse{}
			}
			if prev, dup := ig.Responses[r.StatusCode]; dup {
				// API Gateway keys integration responses by status code,
				// so two patterns cannot share one (Gantry's text).
				bad("the response patterns '%s' and '%s' both map to status code %s",
					prev.SelectionPattern, pattern, r.StatusCode)
				continue
			}
			ig.Responses[r.StatusCode] = r
		}
	}
	return ig, problems
}

// importIntegrationResponse reads one entry of an integration's responses:
// the key is the selection pattern, or "default" for the response without
// one.
func importIntegrationResponse(pattern string, v any) (model.IntegrationResponse, []string) {
	o, ok := v.(object)
	if !ok {
		return model.IntegrationResponse{}, []string{fmt.Sprintf("the response '%s' must be an object", pattern)}
	}
	var problems []string
	r := model.IntegrationResponse{}
	if pattern != "default" {
		r.SelectionPattern = pattern
	}
	n, isInt := integer(o["statusCode"])
	code := fmt.Sprint(n)
	if !isInt || !gr.ValidStatusCode(code) {
		problems = append(problems, fmt.Sprintf("invalid status code '%v' for the response '%s'", o["statusCode"], pattern))
	}
	r.StatusCode = code
	var err error
	if r.ResponseParameters, err = stringMap(o["responseParameters"]); err != nil {
		problems = append(problems, fmt.Sprintf("responseParameters of the response '%s' %v", pattern, err))
	}
	if r.ResponseTemplates, err = stringMap(o["responseTemplates"]); err != nil {
		problems = append(problems, fmt.Sprintf("responseTemplates of the response '%s' %v", pattern, err))
	}
	if ch, ok := str(o, "contentHandling"); ok {
		r.ContentHandling = strings.ToUpper(ch)
	}
	return r, problems
}
