package model

import "time"

// APIKey is an API key: a secret value callers send (in x-api-key, or
// through an authorizer) to methods that require one, metered and limited by
// the usage plans it belongs to. API keys belong to an account and region,
// not to one API.
type APIKey struct {
	ID          string `json:"id,omitempty"`
	Value       string `json:"value,omitempty"`
	Name        string `json:"name,omitempty"`
	CustomerID  string `json:"customerId,omitempty"`
	Description string `json:"description,omitempty"`
	// Enabled is false for a key that callers cannot use. CreateApiKey
	// creates disabled keys unless asked otherwise, as AWS does.
	Enabled         bool      `json:"enabled,omitempty"`
	CreatedDate     time.Time `json:"createdDate,omitempty"`
	LastUpdatedDate time.Time `json:"lastUpdatedDate,omitempty"`
	// StageKeys lists "{restApiId}/{stageName}" pairs, the legacy way of
	// associating a key with stages (kept and shown, not enforced: AWS
	// enforces usage plans only).
	StageKeys []string `json:"stageKeys,omitempty"`
}

// ThrottleSettings is a token bucket: RateLimit requests per second on
// average, bursts of up to BurstLimit requests.
type ThrottleSettings struct {
	BurstLimit int64   `json:"burstLimit"`
	RateLimit  float64 `json:"rateLimit"`
}

// Quota periods.
const (
	QuotaDay   = "DAY"
	QuotaWeek  = "WEEK"
	QuotaMonth = "MONTH"
)

// QuotaSettings is the number of requests each API key of a usage plan may
// make per period.
type QuotaSettings struct {
	Limit int64 `json:"limit"`
	// Offset is the number of requests subtracted from Limit in the first
	// period (AWS's API reference, QuotaSettings).
	Offset int64  `json:"offset"`
	Period string `json:"period,omitempty"`
}

// APIStage is one stage of one API that a usage plan applies to, with its
// optional per-method throttles keyed "{resourcePath}/{httpMethod}", e.g.
// "/pets/GET".
type APIStage struct {
	APIID    string                      `json:"apiId"`
	Stage    string                      `json:"stage"`
	Throttle map[string]ThrottleSettings `json:"throttle,omitempty"`
}

// UsagePlan grants the API keys added to it access to its API stages, with
// per-key throttling and quotas.
type UsagePlan struct {
	ID          string            `json:"id,omitempty"`
	Name        string            `json:"name,omitempty"`
	Description string            `json:"description,omitempty"`
	ProductCode string            `json:"productCode,omitempty"`
	APIStages   []APIStage        `json:"apiStages,omitempty"`
	Throttle    *ThrottleSettings `json:"throttle,omitempty"`
	Quota       *QuotaSettings    `json:"quota,omitempty"`
	CreatedDate time.Time         `json:"createdDate,omitempty"`
}

// Account holds the settings of one account in one region.
type Account struct {
	CloudwatchRoleARN string `json:"cloudwatchRoleArn,omitempty"`
	// Throttle is the account-level token bucket every API of the account
	// and region shares.
	Throttle ThrottleSettings `json:"throttle"`
	Features []string         `json:"features,omitempty"`
}

// DefaultAccountSettings returns the settings of an account that was never changed:
// AWS's default account-level throttle of 10,000 requests per second with
// bursts of 5,000 ("Amazon API Gateway quotas").
func DefaultAccountSettings() Account {
	return Account{Throttle: ThrottleSettings{BurstLimit: 5000, RateLimit: 10000}}
}

// DailyUsage is what one API key did under one usage plan on one UTC day.
type DailyUsage struct {
	KeyID string `json:"keyId"`
	// Day is the UTC date, "2006-01-02".
	Day string `json:"day"`
	// Used counts the requests let through.
	Used int64 `json:"used"`
	// Granted is what UpdateUsage added to (or, negative, took from) the
	// remaining quota on that day.
	Granted int64 `json:"granted"`
}

// DayLayout is the layout of DailyUsage.Day and of GetUsage's dates.
const DayLayout = "2006-01-02"
