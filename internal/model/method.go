package model

// Method is a method request on a resource: how callers are authorized, which
// parameters they send, the responses it declares and the integration that
// serves it.
type Method struct {
	HTTPMethod         string `json:"httpMethod,omitempty"`
	AuthorizationType  string `json:"authorizationType,omitempty"` // NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS
	AuthorizerID       string `json:"authorizerId,omitempty"`
	APIKeyRequired     bool   `json:"apiKeyRequired,omitempty"`
	RequestValidatorID string `json:"requestValidatorId,omitempty"`
	OperationName      string `json:"operationName,omitempty"`
	// RequestParameters maps "method.request.{path|querystring|header}.<name>"
	// to whether the parameter is required.
	RequestParameters map[string]bool `json:"requestParameters,omitempty"`
	// RequestModels maps a content type to a model name.
	RequestModels       map[string]string `json:"requestModels,omitempty"`
	AuthorizationScopes []string          `json:"authorizationScopes,omitempty"`
	// Responses maps a status code to its method response.
	Responses map[string]MethodResponse `json:"methodResponses,omitempty"`
	// Integration is nil until PutIntegration.
	Integration *Integration `json:"methodIntegration,omitempty"`
}

// MethodResponse declares a status code a method may return, with the
// headers and models it may carry.
type MethodResponse struct {
	StatusCode string `json:"statusCode,omitempty"`
	// ResponseParameters maps "method.response.header.<name>" to whether it
	// is required.
	ResponseParameters map[string]bool   `json:"responseParameters,omitempty"`
	ResponseModels     map[string]string `json:"responseModels,omitempty"`
}

// Integration types.
const (
	IntegrationMock      = "MOCK"
	IntegrationHTTP      = "HTTP"
	IntegrationHTTPProxy = "HTTP_PROXY"
	IntegrationAWS       = "AWS"
	IntegrationAWSProxy  = "AWS_PROXY"
)

// Passthrough behaviours of a non-proxy integration.
const (
	PassthroughWhenNoMatch     = "WHEN_NO_MATCH"
	PassthroughWhenNoTemplates = "WHEN_NO_TEMPLATES"
	PassthroughNever           = "NEVER"
)

// DefaultTimeoutMillis is an integration's timeout when none is set, which
// is also the largest allowed (29 seconds); MinTimeoutMillis is the smallest.
const (
	DefaultTimeoutMillis = 29000
	MinTimeoutMillis     = 50
)

// Integration is the back end a method sends requests to.
type Integration struct {
	Type           string `json:"type,omitempty"`
	HTTPMethod     string `json:"httpMethod,omitempty"`
	URI            string `json:"uri,omitempty"`
	ConnectionType string `json:"connectionType,omitempty"` // INTERNET or VPC_LINK
	ConnectionID   string `json:"connectionId,omitempty"`
	Credentials    string `json:"credentials,omitempty"`
	// RequestParameters maps "integration.request.{path|querystring|header}.<name>"
	// to a mapping expression.
	RequestParameters map[string]string `json:"requestParameters,omitempty"`
	// RequestTemplates maps a content type to a VTL template.
	RequestTemplates    map[string]string `json:"requestTemplates,omitempty"`
	PassthroughBehavior string            `json:"passthroughBehavior,omitempty"`
	ContentHandling     string            `json:"contentHandling,omitempty"`
	// TimeoutInMillis is 0 when unset (meaning DefaultTimeoutMillis).
	TimeoutInMillis       int64    `json:"timeoutInMillis,omitempty"`
	CacheNamespace        string   `json:"cacheNamespace,omitempty"`
	CacheKeyParameters    []string `json:"cacheKeyParameters,omitempty"`
	TLSInsecureSkipVerify *bool    `json:"tlsInsecureSkipVerification,omitempty"`
	ResponseTransferMode  string   `json:"responseTransferMode,omitempty"`
	IntegrationTarget     string   `json:"integrationTarget,omitempty"`
	// Responses maps a status code to its integration response.
	Responses map[string]IntegrationResponse `json:"integrationResponses,omitempty"`
}

// IntegrationResponse maps a back-end response, chosen by SelectionPattern,
// to a method response status, headers and body.
type IntegrationResponse struct {
	StatusCode string `json:"statusCode,omitempty"`
	// SelectionPattern is a regular expression matched against the back-end
	// status code (HTTP) or error message (Lambda); empty for the default.
	SelectionPattern string `json:"selectionPattern,omitempty"`
	// ResponseParameters maps "method.response.header.<name>" to a mapping
	// expression.
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
	ContentHandling    string            `json:"contentHandling,omitempty"`
}

// Authorizer types.
const (
	AuthorizerToken   = "TOKEN"
	AuthorizerRequest = "REQUEST"
	AuthorizerCognito = "COGNITO_USER_POOLS"
)

// DefaultAuthorizerTTL is the authorizerResultTtlInSeconds of an authorizer
// created without one (AWS's API reference, Authorizer).
const DefaultAuthorizerTTL = 300

// Authorizer is a REST API's Lambda (TOKEN or REQUEST) or Cognito user pool
// authorizer, which methods with authorizationType CUSTOM or
// COGNITO_USER_POOLS name by id.
type Authorizer struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// Type is TOKEN, REQUEST or COGNITO_USER_POOLS.
	Type string `json:"type,omitempty"`
	// ProviderARNs are the Cognito user pools of a COGNITO_USER_POOLS
	// authorizer, e.g. arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc.
	ProviderARNs []string `json:"providerARNs,omitempty"`
	AuthType     string   `json:"authType,omitempty"`
	// AuthorizerURI is the Lambda function invocation URI of a TOKEN or
	// REQUEST authorizer: arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations.
	AuthorizerURI         string `json:"authorizerUri,omitempty"`
	AuthorizerCredentials string `json:"authorizerCredentials,omitempty"`
	// IdentitySource is a comma-separated list of mapping expressions
	// (method.request.header.X, method.request.querystring.X,
	// stageVariables.X, context.X) naming where the identity comes from.
	IdentitySource               string `json:"identitySource,omitempty"`
	IdentityValidationExpression string `json:"identityValidationExpression,omitempty"`
	// ResultTTLInSeconds is how long a result is cached; 0 disables
	// caching.
	ResultTTLInSeconds int64 `json:"authorizerResultTtlInSeconds"`
}
