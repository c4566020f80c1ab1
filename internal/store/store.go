// Package store defines Gantry's persistent storage: one interface that every
// backend (the embedded SQLite store, and later PostgreSQL) implements and
// that the shared conformance suite in package storetest checks.
//
// All access goes through transactions. A read-write transaction commits
// atomically or not at all, so a failed request never leaves a half-written
// change, and a committed one survives a crash.
package store

import (
	"context"
	"errors"

	"github.com/gantryproject/gantry/internal/model"
)

// ErrNotFound is returned when the requested object does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrExists is returned when creating an object whose key is taken.
var ErrExists = errors.New("store: already exists")

// ErrBadPosition is returned for a pagination position the store did not issue.
var ErrBadPosition = errors.New("store: invalid position")

// Store is a transactional store of API Gateway configuration.
type Store interface {
	// View runs fn in a read-only transaction over scope.
	View(ctx context.Context, scope model.Scope, fn func(ReadTx) error) error
	// Update runs fn in a read-write transaction over scope. The changes are
	// committed, durably, if and only if fn returns nil.
	Update(ctx context.Context, scope model.Scope, fn func(Tx) error) error
	// Scopes lists every account and region that holds at least one API,
	// so that the data plane can load all deployed stages at start-up.
	Scopes(ctx context.Context) ([]model.Scope, error)
	// Close releases the store's resources.
	Close() error
}

// Page asks for one page of a listing.
type Page struct {
	// Limit is the most items to return; zero means no limit.
	Limit int
	// Position is the value a previous page returned, or "" for the first.
	Position string
}

// ReadTx reads within one scope.
type ReadTx interface {
	// RestAPI returns the API with the given id, or ErrNotFound.
	RestAPI(id string) (model.RestAPI, error)
	// RestAPIs lists APIs in creation order. next is "" on the last page.
	RestAPIs(p Page) (apis []model.RestAPI, next string, err error)
	// Resource returns one resource of an API, with its methods, or
	// ErrNotFound.
	Resource(apiID, id string) (model.Resource, error)
	// Resources lists an API's resources, with their methods, in creation
	// order.
	Resources(apiID string) ([]model.Resource, error)
	// Deployment returns one deployment of an API, or ErrNotFound.
	Deployment(apiID, id string) (model.Deployment, error)
	// Deployments lists an API's deployments in creation order.
	Deployments(apiID string) ([]model.Deployment, error)
	// Stage returns one stage of an API, or ErrNotFound.
	Stage(apiID, name string) (model.Stage, error)
	// Stages lists an API's stages in creation order.
	Stages(apiID string) ([]model.Stage, error)
	// GatewayResponses returns an API's customized gateway responses keyed by
	// type.
	GatewayResponses(apiID string) (map[string]model.GatewayResponse, error)
	// Model returns one model of an API by name, or ErrNotFound.
	Model(apiID, name string) (model.Model, error)
	// Models lists an API's models in creation order.
	Models(apiID string) ([]model.Model, error)
	// RequestValidator returns one request validator of an API, or
	// ErrNotFound.
	RequestValidator(apiID, id string) (model.RequestValidator, error)
	// RequestValidators lists an API's request validators in creation order.
	RequestValidators(apiID string) ([]model.RequestValidator, error)
	// Authorizer returns one authorizer of an API, or ErrNotFound.
	Authorizer(apiID, id string) (model.Authorizer, error)
	// Authorizers lists an API's authorizers in creation order.
	Authorizers(apiID string) ([]model.Authorizer, error)
	// Tags returns the tags of the resource at the given path, such as
	// "/restapis/abc123defg" (an ARN's resource part). Never nil.
	Tags(resource string) (map[string]string, error)

	// APIKey returns one API key, or ErrNotFound.
	APIKey(id string) (model.APIKey, error)
	// APIKeys lists the scope's API keys in creation order.
	APIKeys() ([]model.APIKey, error)
	// UsagePlan returns one usage plan, or ErrNotFound.
	UsagePlan(id string) (model.UsagePlan, error)
	// UsagePlans lists the scope's usage plans in creation order.
	UsagePlans() ([]model.UsagePlan, error)
	// UsagePlanKeys lists the ids of the API keys added to a plan, in the
	// order they were added; ErrNotFound if the plan does not exist.
	UsagePlanKeys(planID string) ([]string, error)
	// Account returns the scope's account settings, or ErrNotFound if they
	// were never changed.
	Account() (model.Account, error)
	// Usage returns a plan's daily usage records for days from..to
	// (inclusive, "2006-01-02"), of one key or, with keyID "", of all keys,
	// ordered by key then day. Days without a record are left out.
	Usage(planID, keyID, from, to string) ([]model.DailyUsage, error)
}

// Tx reads and writes within one scope.
type Tx interface {
	ReadTx
	// CreateRestAPI stores a new API with its root resource; ErrExists if the
	// id is taken in this scope.
	CreateRestAPI(api model.RestAPI, root model.Resource) error
	// PutRestAPI replaces an existing API's attributes; ErrNotFound if absent.
	PutRestAPI(api model.RestAPI) error
	// DeleteRestAPI removes an API and everything under it (resources,
	// deployments, stages, gateway responses, models, request validators,
	// tags); ErrNotFound if absent.
	DeleteRestAPI(id string) error
	// PutResource creates a resource or replaces it (with its methods);
	// ErrNotFound if the API does not exist.
	PutResource(apiID string, r model.Resource) error
	// DeleteResource removes one resource (not its children: callers delete
	// a subtree resource by resource); ErrNotFound if absent.
	DeleteResource(apiID, id string) error
	// CreateDeployment stores a new deployment; ErrExists if the id is
	// taken, ErrNotFound if the API does not exist.
	CreateDeployment(apiID string, d model.Deployment) error
	// PutDeployment replaces an existing deployment; ErrNotFound if absent.
	PutDeployment(apiID string, d model.Deployment) error
	// DeleteDeployment removes a deployment; ErrNotFound if absent.
	DeleteDeployment(apiID, id string) error
	// CreateStage stores a new stage; ErrExists if the name is taken,
	// ErrNotFound if the API does not exist.
	CreateStage(apiID string, s model.Stage) error
	// PutStage replaces an existing stage; ErrNotFound if absent.
	PutStage(apiID string, s model.Stage) error
	// DeleteStage removes a stage; ErrNotFound if absent.
	DeleteStage(apiID, name string) error
	// PutGatewayResponse creates or replaces a customization; ErrNotFound if
	// the API does not exist.
	PutGatewayResponse(apiID string, gr model.GatewayResponse) error
	// DeleteGatewayResponse removes a customization; ErrNotFound if absent.
	DeleteGatewayResponse(apiID, responseType string) error
	// CreateModel stores a new model; ErrExists if its name is taken in the
	// API, ErrNotFound if the API does not exist.
	CreateModel(apiID string, m model.Model) error
	// PutModel replaces an existing model (found by name); ErrNotFound if
	// absent.
	PutModel(apiID string, m model.Model) error
	// DeleteModel removes a model; ErrNotFound if absent.
	DeleteModel(apiID, name string) error
	// CreateRequestValidator stores a new request validator; ErrExists if
	// its id is taken, ErrNotFound if the API does not exist.
	CreateRequestValidator(apiID string, v model.RequestValidator) error
	// PutRequestValidator replaces an existing request validator;
	// ErrNotFound if absent.
	PutRequestValidator(apiID string, v model.RequestValidator) error
	// DeleteRequestValidator removes a request validator; ErrNotFound if
	// absent.
	DeleteRequestValidator(apiID, id string) error
	// CreateAuthorizer stores a new authorizer; ErrExists if the id is
	// taken, ErrNotFound if the API does not exist.
	CreateAuthorizer(apiID string, a model.Authorizer) error
	// PutAuthorizer replaces an existing authorizer; ErrNotFound if absent.
	PutAuthorizer(apiID string, a model.Authorizer) error
	// DeleteAuthorizer removes an authorizer; ErrNotFound if absent.
	DeleteAuthorizer(apiID, id string) error
	// TagResource adds or overwrites tags on a resource.
	TagResource(resource string, tags map[string]string) error
	// UntagResource removes the given tag keys; absent keys are ignored.
	UntagResource(resource string, keys []string) error

	// CreateAPIKey stores a new API key; ErrExists if its id or its value is
	// taken in this scope.
	CreateAPIKey(k model.APIKey) error
	// PutAPIKey replaces an existing key; ErrNotFound if absent, ErrExists
	// if its value is another key's in this scope.
	PutAPIKey(k model.APIKey) error
	// DeleteAPIKey removes a key and its usage-plan memberships; ErrNotFound
	// if absent.
	DeleteAPIKey(id string) error
	// CreateUsagePlan stores a new plan; ErrExists if the id is taken.
	CreateUsagePlan(p model.UsagePlan) error
	// PutUsagePlan replaces an existing plan; ErrNotFound if absent.
	PutUsagePlan(p model.UsagePlan) error
	// DeleteUsagePlan removes a plan, its key memberships and its usage
	// records; ErrNotFound if absent.
	DeleteUsagePlan(id string) error
	// AddUsagePlanKey adds a key to a plan; ErrNotFound if either does not
	// exist, ErrExists if the key is already in the plan.
	AddUsagePlanKey(planID, keyID string) error
	// RemoveUsagePlanKey removes a key from a plan; ErrNotFound if it is not
	// in the plan.
	RemoveUsagePlanKey(planID, keyID string) error
	// PutAccount replaces the scope's account settings.
	PutAccount(a model.Account) error
	// AddUsage adds each record's Used and Granted to what is stored for
	// that plan, key and day (a missing day counts as zero). Records of
	// plans that no longer exist are dropped without error.
	AddUsage(planID string, days []model.DailyUsage) error
}
