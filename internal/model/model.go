// Package model holds the API Gateway resource model that Gantry stores:
// REST APIs, their resources and their gateway-response customizations.
//
// The types here are the persistent, wire-independent form. The control
// plane turns them into AWS's JSON shapes; the store persists them; the data
// plane compiles them into immutable snapshots.
package model

import "time"

// DefaultAccount is the account used when a request's access key id is not a
// 12-digit AWS account number (LocalStack's convention).
const DefaultAccount = "000000000000"

// DefaultRegion is the region used when a request carries no SigV4 credential
// scope.
const DefaultRegion = "us-east-1"

// Scope is the AWS account and region a resource lives in. APIs of one scope
// are invisible from every other scope, as on AWS.
type Scope struct {
	Account string
	Region  string
}

// RestAPI is a REST API (API Gateway v1).
type RestAPI struct {
	ID          string    `json:"id,omitempty"`
	Name        string    `json:"name,omitempty"`
	Description string    `json:"description,omitempty"`
	Version     string    `json:"version,omitempty"`
	CreatedDate time.Time `json:"createdDate,omitempty"`
	// BinaryMediaTypes lists the media types treated as binary, in the order
	// they were added.
	BinaryMediaTypes []string `json:"binaryMediaTypes,omitempty"`
	// MinimumCompressionSize is nil when compression is disabled.
	MinimumCompressionSize *int64 `json:"minimumCompressionSize,omitempty"`
	// APIKeySource is HEADER or AUTHORIZER.
	APIKeySource              string                `json:"apiKeySource,omitempty"`
	EndpointConfiguration     EndpointConfiguration `json:"endpointConfiguration,omitempty"`
	Policy                    string                `json:"policy,omitempty"`
	DisableExecuteAPIEndpoint bool                  `json:"disableExecuteApiEndpoint,omitempty"`
	RootResourceID            string                `json:"rootResourceId,omitempty"`
	SecurityPolicy            string                `json:"securityPolicy,omitempty"`
	EndpointAccessMode        string                `json:"endpointAccessMode,omitempty"`
	Warnings                  []string              `json:"warnings,omitempty"`
}

// EndpointConfiguration is a REST API's endpoint types and IP address type.
type EndpointConfiguration struct {
	Types          []string `json:"types,omitempty"`
	IPAddressType  string   `json:"ipAddressType,omitempty"`
	VPCEndpointIDs []string `json:"vpcEndpointIds,omitempty"`
}

// Resource is one path segment of a REST API's resource tree, with the
// methods defined on it.
type Resource struct {
	ID       string `json:"id,omitempty"`
	ParentID string `json:"parentId,omitempty"` // empty for the root resource
	PathPart string `json:"pathPart,omitempty"` // empty for the root resource
	Path     string `json:"path,omitempty"`
	// Methods maps an HTTP method (GET, POST, ..., or ANY) to its method.
	Methods map[string]Method `json:"resourceMethods,omitempty"`
}

// GatewayResponse is a user's customization of one gateway response type.
// Only customized types are stored; the built-in defaults are computed.
type GatewayResponse struct {
	// Type is one of the 21 response types, e.g. "DEFAULT_4XX".
	Type string `json:"type,omitempty"`
	// StatusCode is empty when the user did not set one. It is kept empty
	// (not filled with the type's default) because the data plane then uses
	// the error's own status: AWS shows 504 for INTEGRATION_FAILURE in the
	// control plane but answers 500 or 502 at run time.
	StatusCode string `json:"statusCode,omitempty"`
	// ResponseParameters maps "gatewayresponse.header.<Name>" to a mapping
	// expression.
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	// ResponseTemplates maps a media type to a body template.
	ResponseTemplates map[string]string `json:"responseTemplates,omitempty"`
}
