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
// of features Gantry does not serve yet (documentation) are listed with an
// importer that warns, so that adding the feature is replacing one entry.

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
	"x-amazon-apigateway-request-validators":   importRequestValidators,
	"x-amazon-apigateway-request-validator": func(im *importer, v any) {
		im.validator = im.validatorName("the API", v)
	},
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
	"x-amazon-apigateway-request-validator": func(im *importer, m *model.Method, where string, v any) {
		m.RequestValidatorID = im.validatorName("method "+where, v)
	},
}

// securityUse is one security scheme an operation requires: where the
// operation is, the scheme's name and the scopes the requirement lists.
type securityUse struct {
	where, scheme string
	scopes        []string
}

// securitySchemeExtensions import the extensions of a security scheme that
// an operation requires.
var securitySchemeExtensions = map[string]func(im *importer, m *model.Method, use securityUse, v any){
	"x-amazon-apigateway-authtype": func(im *importer, m *model.Method, use securityUse, v any) {
		s, _ := v.(string)
		if strings.EqualFold(s, "awsSigv4") {
			m.AuthorizationType = "AWS_IAM"
		}
		// Any other value is the free-form auth type of the scheme's
		// x-amazon-apigateway-authorizer (its authType); without an
		// authorizer it has no effect.
	},
	authorizerExtension: func(im *importer, m *model.Method, use securityUse, _ any) {
		i, ok := im.authorizers[use.scheme]
		if !ok {
			return // the authorizer was refused: reported already
		}
		m.AuthorizerID = use.scheme
		m.AuthorizationType = "CUSTOM"
		if im.api.Authorizers[i].Type == model.AuthorizerCognito {
			m.AuthorizationType = "COGNITO_USER_POOLS"
			// The scopes of a Cognito requirement are the method's
			// authorization scopes (none: nil, however the document
			// wrote the empty list).
			if len(use.scopes) > 0 {
				m.AuthorizationScopes = use.scopes
			}
		}
	},
}

const authorizerExtension = "x-amazon-apigateway-authorizer"

// importRequestValidators imports x-amazon-apigateway-request-validators:
// validator name → {validateRequestBody, validateRequestParameters}.
func importRequestValidators(im *importer, v any) {
	o, ok := v.(object)
	if !ok {
		im.errorf("Invalid x-amazon-apigateway-request-validators: must be an object")
		return
	}
	for _, name := range slices.Sorted(maps.Keys(o)) {
		vo, ok := o[name].(object)
		if !ok {
			im.errorf("Unable to create request validator '%s': must be an object", name)
			continue
		}
		rv := model.RequestValidator{Name: name}
		for key, dst := range map[string]*bool{"validateRequestBody": &rv.ValidateRequestBody, "validateRequestParameters": &rv.ValidateRequestParameters} {
			if x, present := vo[key]; present {
				b, ok := x.(bool)
				if !ok {
					im.errorf("Unable to create request validator '%s': %s must be a boolean", name, key)
				}
				*dst = b
			}
		}
		im.api.RequestValidators = append(im.api.RequestValidators, rv)
	}
}

// validatorName reads an x-amazon-apigateway-request-validator value: the
// name of one of the document's validators (Gantry's texts; AWS's are
// unrecorded).
func (im *importer) validatorName(where string, v any) string {
	name, ok := v.(string)
	if !ok {
		im.errorf("Invalid x-amazon-apigateway-request-validator on %s: must be a string", where)
		return ""
	}
	if !slices.ContainsFunc(im.api.RequestValidators, func(rv model.RequestValidator) bool { return rv.Name == name }) {
		im.errorf("Invalid x-amazon-apigateway-request-validator on %s: no request validator named '%s' in x-amazon-apigateway-request-validators", where, name)
		return ""
	}
	return name
}

// authorizerTypes maps the type of an x-amazon-apigateway-authorizer to the
// authorizer's.
var authorizerTypes = map[string]string{
	"token": model.AuthorizerToken, "request": model.AuthorizerRequest, "cognito_user_pools": model.AuthorizerCognito,
}

// importAuthorizers imports every security scheme with an
// x-amazon-apigateway-authorizer as an authorizer named after the scheme
// (AWS's "x-amazon-apigateway-authorizer object"). The identity source of a
// TOKEN or Cognito authorizer that gives none is the header the scheme names
// (name, in: header); so is a REQUEST authorizer's. A scheme named "Unused"
// (the placeholder of exports) gives none. The result TTL defaults to 300 seconds, as CreateAuthorizer's.
func importAuthorizers(im *importer) {
	im.authorizers = map[string]int{}
	for _, name := range slices.Sorted(maps.Keys(im.schemes)) {
		s, err := im.refs.resolve(im.schemes[name])
		scheme, _ := s.(object)
		raw, present := scheme[authorizerExtension]
		if err != nil || !present {
			continue
		}
		ao, ok := raw.(object)
		bad := func(format string, args ...any) {
			im.errorf("Unable to create authorizer '%s': "+format, append([]any{name}, args...)...)
			ok = false
		}
		if !ok {
			bad("x-amazon-apigateway-authorizer must be an object")
			continue
		}
		typ, _ := str(ao, "type")
		a := model.Authorizer{Name: name, Type: authorizerTypes[strings.ToLower(typ)], ResultTTLInSeconds: model.DefaultAuthorizerTTL}
		if a.Type == "" {
			bad("Invalid authorizer type '%s': must be one of [token, request, cognito_user_pools]", typ)
		}
		for key, dst := range map[string]*string{"authorizerUri": &a.AuthorizerURI, "authorizerCredentials": &a.AuthorizerCredentials,
			"identitySource": &a.IdentitySource, "identityValidationExpression": &a.IdentityValidationExpression} {
			if x, present := ao[key]; present {
				if *dst, ok = x.(string); !ok {
					bad("%s must be a string", key)
				}
			}
		}
		if x, present := scheme["x-amazon-apigateway-authtype"]; present {
			a.AuthType, _ = x.(string)
		}
		integerField(ao, "authorizerResultTtlInSeconds", &a.ResultTTLInSeconds, bad)
		var err2 error
		if a.ProviderARNs, err2 = stringList(ao["providerARNs"]); err2 != nil {
			bad("providerARNs %v", err2)
		}
		if a.IdentitySource == "" {
			header, _ := str(scheme, "name")
			in, _ := str(scheme, "in")
			switch {
			case header == "" || header == "Unused":
				// "Unused" is the placeholder name exports give a scheme
				// whose authorizer has no single header as identity source.
			case in == "header":
				a.IdentitySource = "method.request.header." + header
			case in == "query" && a.Type == model.AuthorizerRequest:
				a.IdentitySource = "method.request.querystring." + header
			}
		}
		if !ok {
			continue
		}
		im.authorizers[name] = len(im.api.Authorizers)
		im.api.Authorizers = append(im.api.Authorizers, a)
	}
}

// unsupported returns an importer that ignores an extension of a feature
// Gantry does not serve yet, with a warning. AWS imports these; Gantry's
// warning is its own text.
func unsupported(feature string) func(im *importer, v any) {
	return func(im *importer, _ any) {
		im.warnf("Gantry does not support %s yet: their extensions were ignored", feature)
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
	integerField(o, "timeoutInMillis", &ig.TimeoutInMillis, bad)
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
