// Package gatewayresponse knows API Gateway's 21 gateway response types: their
// built-in defaults, how a customization of DEFAULT_4XX or DEFAULT_5XX is
// inherited by the types of its family, and which response parameters a
// customization may carry. It also renders gateway responses on live traffic:
// the data plane turns every rejection into an [Error] and writes it with
// [Responses.Write], using the deployment's customizations compiled by
// [Compile].
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
package gatewayresponse

import "github.com/gantryproject/gantry/internal/model"

// Type is a gateway response type such as MISSING_AUTHENTICATION_TOKEN.
type Type string

// The 21 gateway response types.
const (
	Default4XX                   Type = "DEFAULT_4XX"
	Default5XX                   Type = "DEFAULT_5XX"
	ResourceNotFound             Type = "RESOURCE_NOT_FOUND"
	Unauthorized                 Type = "UNAUTHORIZED"
	InvalidAPIKey                Type = "INVALID_API_KEY"
	AccessDenied                 Type = "ACCESS_DENIED"
	AuthorizerFailure            Type = "AUTHORIZER_FAILURE"
	AuthorizerConfigurationError Type = "AUTHORIZER_CONFIGURATION_ERROR"
	InvalidSignature             Type = "INVALID_SIGNATURE"
	ExpiredToken                 Type = "EXPIRED_TOKEN"
	MissingAuthenticationToken   Type = "MISSING_AUTHENTICATION_TOKEN"
	IntegrationFailure           Type = "INTEGRATION_FAILURE"
	IntegrationTimeout           Type = "INTEGRATION_TIMEOUT"
	APIConfigurationError        Type = "API_CONFIGURATION_ERROR"
	UnsupportedMediaType         Type = "UNSUPPORTED_MEDIA_TYPE"
	BadRequestParameters         Type = "BAD_REQUEST_PARAMETERS"
	BadRequestBody               Type = "BAD_REQUEST_BODY"
	RequestTooLarge              Type = "REQUEST_TOO_LARGE"
	Throttled                    Type = "THROTTLED"
	QuotaExceeded                Type = "QUOTA_EXCEEDED"
	WAFFiltered                  Type = "WAF_FILTERED"
)

// DefaultTemplate is the body template of every type that is not customized.
const DefaultTemplate = `{"message":$context.error.messageString}`

// DefaultMediaType is the media type under which DefaultTemplate is listed.
const DefaultMediaType = "application/json"

// ModelOrder lists the types in the order of the service model's enum.
var ModelOrder = []Type{
	Default4XX, Default5XX, ResourceNotFound, Unauthorized, InvalidAPIKey, AccessDenied,
	AuthorizerFailure, AuthorizerConfigurationError, InvalidSignature, ExpiredToken,
	MissingAuthenticationToken, IntegrationFailure, IntegrationTimeout, APIConfigurationError,
	UnsupportedMediaType, BadRequestParameters, BadRequestBody, RequestTooLarge, Throttled,
	QuotaExceeded, WAFFiltered,
}

// ListOrder is the order in which GetGatewayResponses lists the types: the
// order of the example in AWS's API reference for GetGatewayResponses (AWS does
// not sort the collection).
var ListOrder = []Type{
	IntegrationFailure, ResourceNotFound, RequestTooLarge, Throttled, UnsupportedMediaType,
	AuthorizerConfigurationError, Default5XX, Default4XX, BadRequestParameters, BadRequestBody,
	ExpiredToken, AccessDenied, InvalidAPIKey, Unauthorized, APIConfigurationError,
	QuotaExceeded, IntegrationTimeout, MissingAuthenticationToken, InvalidSignature,
	AuthorizerFailure, WAFFiltered,
}

// EnumMessageOrder is the order in which AWS lists the valid types in the
// ValidationException for an unknown type. It differs from ModelOrder (it is
// the iteration order of AWS's Java set); recorded from real AWS.
var EnumMessageOrder = []Type{
	RequestTooLarge, ResourceNotFound, AuthorizerConfigurationError, MissingAuthenticationToken,
	BadRequestBody, InvalidSignature, InvalidAPIKey, BadRequestParameters, AuthorizerFailure,
	Unauthorized, IntegrationTimeout, AccessDenied, Default4XX, Default5XX, WAFFiltered,
	QuotaExceeded, Throttled, APIConfigurationError, UnsupportedMediaType, IntegrationFailure,
	ExpiredToken,
}

var defaultStatus = map[Type]string{
	Default4XX:                   "",
	Default5XX:                   "",
	ResourceNotFound:             "404",
	Unauthorized:                 "401",
	InvalidAPIKey:                "403",
	AccessDenied:                 "403",
	AuthorizerFailure:            "500",
	AuthorizerConfigurationError: "500",
	InvalidSignature:             "403",
	ExpiredToken:                 "403",
	MissingAuthenticationToken:   "403",
	IntegrationFailure:           "504",
	IntegrationTimeout:           "504",
	APIConfigurationError:        "500",
	UnsupportedMediaType:         "415",
	BadRequestParameters:         "400",
	BadRequestBody:               "400",
	RequestTooLarge:              "413",
	Throttled:                    "429",
	QuotaExceeded:                "429",
	WAFFiltered:                  "403",
}

// Parse returns the Type named s, and whether s names one of the 21 types.
// Names are case-sensitive, as on AWS.
func Parse(s string) (Type, bool) {
	t := Type(s)
	_, ok := defaultStatus[t]
	return t, ok
}

// DefaultStatus is the status code the control plane shows for t when nothing
// is customized: "" for DEFAULT_4XX and DEFAULT_5XX, and "504" for
// INTEGRATION_FAILURE (although at run time AWS answers with the integration
// error's own status, 500 or 502).
func (t Type) DefaultStatus() string { return defaultStatus[t] }

// Family is the DEFAULT_4XX or DEFAULT_5XX type whose customization t
// inherits when t itself is not customized, or "" for the two DEFAULT types.
// The family follows the type's default status class.
func (t Type) Family() Type {
	s := defaultStatus[t]
	switch {
	case s == "":
		return ""
	case s[0] == '5':
		return Default5XX
	default:
		return Default4XX
	}
}

// Response is the control plane's view of one gateway response type: what
// GetGatewayResponse returns.
type Response struct {
	Type Type
	// StatusCode is empty for an uncustomized DEFAULT_4XX or DEFAULT_5XX.
	StatusCode         string
	ResponseParameters map[string]string
	ResponseTemplates  map[string]string
	// DefaultResponse is true when the user has not customized this type.
	DefaultResponse bool
}

// View computes the control plane's view of type t given an API's stored
// customizations (keyed by type name).
//
// A customized type shows its own customization, with fields it omitted
// filled from the built-in defaults (never from its DEFAULT_4XX/5XX family).
// A type that is not customized shows its family's customization when there
// is one (still with defaultResponse true), its own default status unless the
// family sets one; otherwise the built-in default. This inheritance is what
// real AWS shows in GetGatewayResponses.
func View(t Type, custom map[string]model.GatewayResponse) Response {
	if c, ok := custom[string(t)]; ok {
		return fill(t, c, false)
	}
	if f := t.Family(); f != "" {
		if c, ok := custom[string(f)]; ok {
			return fill(t, c, true)
		}
	}
	return Response{
		Type:               t,
		StatusCode:         t.DefaultStatus(),
		ResponseParameters: map[string]string{},
		ResponseTemplates:  map[string]string{DefaultMediaType: DefaultTemplate},
		DefaultResponse:    true,
	}
}

func fill(t Type, c model.GatewayResponse, inherited bool) Response {
	r := Response{
		Type:               t,
		StatusCode:         c.StatusCode,
		ResponseParameters: c.ResponseParameters,
		ResponseTemplates:  c.ResponseTemplates,
		DefaultResponse:    inherited,
	}
	if r.StatusCode == "" {
		r.StatusCode = t.DefaultStatus()
	}
	if r.ResponseParameters == nil {
		r.ResponseParameters = map[string]string{}
	}
	if len(r.ResponseTemplates) == 0 {
		r.ResponseTemplates = map[string]string{DefaultMediaType: DefaultTemplate}
	}
	return r
}
