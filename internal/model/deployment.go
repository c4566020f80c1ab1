package model

import "time"

// Deployment is an immutable snapshot of a REST API, taken by
// CreateDeployment. Stages serve deployments, never the live configuration:
// on AWS a change to an API (its gateway responses included) reaches callers
// only through a new deployment.
type Deployment struct {
	ID          string    `json:"id,omitempty"`
	Description string    `json:"description,omitempty"`
	CreatedDate time.Time `json:"createdDate,omitempty"`
	// Snapshot is the API as it was when the deployment was created.
	Snapshot Snapshot `json:"snapshot"`
}

// Snapshot is the deployable state of an API.
type Snapshot struct {
	API              RestAPI                    `json:"api"`
	Resources        []Resource                 `json:"resources,omitempty"`
	GatewayResponses map[string]GatewayResponse `json:"gatewayResponses,omitempty"`
	// Models are the API's models, in creation order.
	Models []Model `json:"models,omitempty"`
	// RequestValidators are the API's request validators, in creation order.
	RequestValidators []RequestValidator `json:"requestValidators,omitempty"`
	// Authorizers are the API's authorizers, in creation order.
	Authorizers []Authorizer `json:"authorizers,omitempty"`
}

// Stage is a named reference to a deployment, with its variables and
// settings; it is what callers invoke.
type Stage struct {
	Name                 string            `json:"stageName,omitempty"`
	DeploymentID         string            `json:"deploymentId,omitempty"`
	Description          string            `json:"description,omitempty"`
	ClientCertificateID  string            `json:"clientCertificateId,omitempty"`
	CacheClusterEnabled  bool              `json:"cacheClusterEnabled,omitempty"`
	CacheClusterSize     string            `json:"cacheClusterSize,omitempty"`
	CacheClusterStatus   string            `json:"cacheClusterStatus,omitempty"`
	Variables            map[string]string `json:"variables,omitempty"`
	DocumentationVersion string            `json:"documentationVersion,omitempty"`
	TracingEnabled       bool              `json:"tracingEnabled,omitempty"`
	WebACLArn            string            `json:"webAclArn,omitempty"`
	// MethodSettings maps "{resourcePath}/{httpMethod}" (or "*/*") to its
	// settings.
	MethodSettings    map[string]MethodSetting `json:"methodSettings,omitempty"`
	AccessLogSettings *AccessLogSettings       `json:"accessLogSettings,omitempty"`
	CanarySettings    *CanarySettings          `json:"canarySettings,omitempty"`
	CreatedDate       time.Time                `json:"createdDate,omitempty"`
	LastUpdatedDate   time.Time                `json:"lastUpdatedDate,omitempty"`
}

// MethodSetting is a stage's settings for one method (or all, under "*/*").
type MethodSetting struct {
	MetricsEnabled                         bool    `json:"metricsEnabled"`
	LoggingLevel                           string  `json:"loggingLevel,omitempty"`
	DataTraceEnabled                       bool    `json:"dataTraceEnabled"`
	ThrottlingBurstLimit                   int64   `json:"throttlingBurstLimit"`
	ThrottlingRateLimit                    float64 `json:"throttlingRateLimit"`
	CachingEnabled                         bool    `json:"cachingEnabled"`
	CacheTTLInSeconds                      int64   `json:"cacheTtlInSeconds"`
	CacheDataEncrypted                     bool    `json:"cacheDataEncrypted"`
	RequireAuthorizationForCacheControl    bool    `json:"requireAuthorizationForCacheControl"`
	UnauthorizedCacheControlHeaderStrategy string  `json:"unauthorizedCacheControlHeaderStrategy,omitempty"`
}

// AccessLogSettings says where a stage's access logs go and their format.
type AccessLogSettings struct {
	Format         string `json:"format,omitempty"`
	DestinationArn string `json:"destinationArn,omitempty"`
}

// CanarySettings are a stage's canary release settings.
type CanarySettings struct {
	PercentTraffic         float64           `json:"percentTraffic,omitempty"`
	DeploymentID           string            `json:"deploymentId,omitempty"`
	StageVariableOverrides map[string]string `json:"stageVariableOverrides,omitempty"`
	UseStageCache          bool              `json:"useStageCache,omitempty"`
}
