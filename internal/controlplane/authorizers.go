package controlplane

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"

	"github.com/gantryproject/gantry/internal/authorizer"
	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/ids"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

// AuthorizerRunner connects TestInvokeAuthorizer and
// FlushStageAuthorizersCache to the data plane, which runs authorizers and
// keeps their cached results.
type AuthorizerRunner interface {
	// TestInvokeAuthorizer runs authorizer a of apiID on a simulated
	// request, as a deployed method would, without caching.
	TestInvokeAuthorizer(ctx context.Context, scope model.Scope, apiID string, a model.Authorizer, in authorizer.TestRequest) (authorizer.TestResult, error)
	// FlushAuthorizerCache drops the cached authorizer results of one
	// deployed stage.
	FlushAuthorizerCache(scope model.Scope, apiID, stage string)
}

// AWS's texts for authorizers. Recorded from real AWS unless noted.
const (
	msgAuthorizerNotFound = "Invalid Authorizer identifier specified"
	// msgAuthorizerInUse is AWS's ConflictException (recorded in
	// hashicorp/terraform issue 25980): the method is "GET//test" for GET
	// on /test.
	msgAuthorizerInUse = "Cannot delete authorizer '%s', is referenced in method: %s/%s"
	// The texts below are Gantry's: AWS's are unrecorded.
	msgProviderARNs   = "ProviderARNs need to be specified for a COGNITO_USER_POOLS authorizer"
	msgIdentityNeeded = "Identity source is required for this authorizer type"
	msgRequestCaching = "Identity source is required for a REQUEST authorizer when authorization caching is enabled"
	msgTTLRange       = "Authorizer result TTL must be between 0 and 3600 seconds"
	msgValidationExpr = "Invalid identity validation expression specified: %s"
)

// authorizerTypes is the service model's AuthorizerType enum.
var authorizerTypes = []string{model.AuthorizerToken, model.AuthorizerRequest, model.AuthorizerCognito}

func authorizerNotFound() error { return awserr.NotFound(msgAuthorizerNotFound) }

// authorizerJSON is the wire form of the Authorizer shape.
type authorizerJSON struct {
	ID                           string   `json:"id"`
	Name                         string   `json:"name"`
	Type                         string   `json:"type"`
	ProviderARNs                 []string `json:"providerARNs,omitempty"`
	AuthType                     string   `json:"authType,omitempty"`
	AuthorizerURI                string   `json:"authorizerUri,omitempty"`
	AuthorizerCredentials        string   `json:"authorizerCredentials,omitempty"`
	IdentitySource               string   `json:"identitySource,omitempty"`
	IdentityValidationExpression string   `json:"identityValidationExpression,omitempty"`
	ResultTTLInSeconds           int64    `json:"authorizerResultTtlInSeconds"`
}

func authorizerOut(a model.Authorizer) authorizerJSON {
	return authorizerJSON{
		ID: a.ID, Name: a.Name, Type: a.Type, ProviderARNs: a.ProviderARNs, AuthType: a.AuthType,
		AuthorizerURI: a.AuthorizerURI, AuthorizerCredentials: a.AuthorizerCredentials,
		IdentitySource: a.IdentitySource, IdentityValidationExpression: a.IdentityValidationExpression,
		ResultTTLInSeconds: a.ResultTTLInSeconds,
	}
}

type authorizersJSON struct {
	Items    []authorizerJSON `json:"item"`
	Position string           `json:"position,omitempty"`
}

func authorizerID(a model.Authorizer) string { return a.ID }

func loadAuthorizer(tx store.ReadTx, apiID, id string) (model.Authorizer, error) {
	a, err := tx.Authorizer(apiID, id)
	return a, notFoundAs(err, authorizerNotFound())
}

// loadAPIAuthorizer reads an authorizer once its API is known to exist, so
// that an unknown API is reported as such.
func loadAPIAuthorizer(tx store.ReadTx, scope model.Scope, apiID, id string) (model.Authorizer, error) {
	if _, err := loadAPI(tx, scope, apiID); err != nil {
		return model.Authorizer{}, err
	}
	return loadAuthorizer(tx, apiID, id)
}

// checkAuthorizer validates a whole authorizer, as CreateAuthorizer and
// UpdateAuthorizer leave it: a TOKEN or REQUEST authorizer needs a Lambda
// invocation URI, a Cognito one its user pools; identity sources follow
// their type's grammar.
func checkAuthorizer(a model.Authorizer) error {
	badRequest := func(err error) error {
		var ae *authorizer.Error
		if errors.As(err, &ae) {
			return awserr.BadRequest("%s", ae.Msg)
		}
		return err
	}
	if a.ResultTTLInSeconds < 0 || a.ResultTTLInSeconds > 3600 {
		return awserr.BadRequest(msgTTLRange)
	}
	switch a.Type {
	case model.AuthorizerToken, model.AuthorizerRequest:
		if _, err := authorizer.FunctionOf(a.AuthorizerURI); err != nil {
			if a.AuthorizerURI == "" {
				return awserr.BadRequest("Invalid Authorizer URI: null. Authorizer URI should be a valid API Gateway ARN that represents a Lambda function invocation.")
			}
			return badRequest(err)
		}
	case model.AuthorizerCognito:
		if len(a.ProviderARNs) == 0 {
			return awserr.BadRequest(msgProviderARNs)
		}
		for _, arn := range a.ProviderARNs {
			if _, err := authorizer.ParseUserPool(arn); err != nil {
				return badRequest(err)
			}
		}
	}
	token := a.Type != model.AuthorizerRequest
	sources, err := authorizer.ParseSources(a.IdentitySource, token)
	if err != nil {
		return badRequest(err)
	}
	if len(sources) == 0 {
		if token {
			return awserr.BadRequest(msgIdentityNeeded)
		}
		if a.ResultTTLInSeconds > 0 {
			return awserr.BadRequest(msgRequestCaching)
		}
	}
	if a.IdentityValidationExpression != "" {
		if _, err := regexp.Compile(a.IdentityValidationExpression); err != nil {
			return awserr.BadRequest(msgValidationExpr, a.IdentityValidationExpression)
		}
	}
	return nil
}

type createAuthorizerInput struct {
	Name                         *string  `json:"name"`
	Type                         *string  `json:"type"`
	ProviderARNs                 []string `json:"providerARNs"`
	AuthType                     string   `json:"authType"`
	AuthorizerURI                string   `json:"authorizerUri"`
	AuthorizerCredentials        string   `json:"authorizerCredentials"`
	IdentitySource               string   `json:"identitySource"`
	IdentityValidationExpression string   `json:"identityValidationExpression"`
	ResultTTLInSeconds           *int64   `json:"authorizerResultTtlInSeconds"`
}

func (h *Handler) createAuthorizer(c *call) (any, error) {
	var in createAuthorizerInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	var v awserr.Validation
	if in.Name == nil {
		v.NotNull("createAuthorizerInput.name")
	}
	if in.Type == nil {
		v.NotNull("createAuthorizerInput.type")
	} else if !slices.Contains(authorizerTypes, *in.Type) {
		v.Enum("createAuthorizerInput.type", *in.Type, authorizerTypes)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	a := model.Authorizer{
		ID: ids.New(6), Name: *in.Name, Type: *in.Type, ProviderARNs: in.ProviderARNs, AuthType: in.AuthType,
		AuthorizerURI: in.AuthorizerURI, AuthorizerCredentials: in.AuthorizerCredentials,
		IdentitySource: in.IdentitySource, IdentityValidationExpression: in.IdentityValidationExpression,
		ResultTTLInSeconds: model.DefaultAuthorizerTTL,
	}
	if in.ResultTTLInSeconds != nil {
		a.ResultTTLInSeconds = *in.ResultTTLInSeconds
	}
	apiID := c.params["restapi_id"]
	err := h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		if err := checkAuthorizer(a); err != nil {
			return err
		}
		return tx.CreateAuthorizer(apiID, a)
	})
	if err != nil {
		return nil, err
	}
	return authorizerOut(a), nil
}

func (h *Handler) getAuthorizer(c *call) (any, error) {
	var out authorizerJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		a, err := loadAPIAuthorizer(tx, c.scope, c.params["restapi_id"], c.params["authorizer_id"])
		out = authorizerOut(a)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (h *Handler) getAuthorizers(c *call) (any, error) {
	limit, err := c.limit()
	if err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	out := authorizersJSON{Items: []authorizerJSON{}}
	err = h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		all, err := tx.Authorizers(apiID)
		if err != nil {
			return err
		}
		page, next, err := pageByID(all, authorizerID, c.query.Get("position"), limit)
		for _, a := range page {
			out.Items = append(out.Items, authorizerOut(a))
		}
		out.Position = next
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// authorizerPaths is the Authorizer grammar of AWS's PATCH reference:
// replace on each scalar field, add and remove on /providerARNs (the ARN as
// the value).
var authorizerPaths = pathRules{
	{"/authType", []patch.Op{patch.Replace}},
	{"/authorizerCredentials", []patch.Op{patch.Replace}},
	{"/authorizerResultTtlInSeconds", []patch.Op{patch.Replace}},
	{"/authorizerUri", []patch.Op{patch.Replace}},
	{"/identitySource", []patch.Op{patch.Replace}},
	{"/identityValidationExpression", []patch.Op{patch.Replace}},
	{"/name", []patch.Op{patch.Replace}},
	{"/providerARNs", []patch.Op{patch.Add, patch.Remove}},
	{"/type", []patch.Op{patch.Replace}},
}

func patchAuthorizer(a *model.Authorizer, o patch.Operation) error {
	op, segs, value, err := opTarget(o)
	if err != nil {
		return err
	}
	if len(segs) == 0 {
		return patch.InvalidPath(o)
	}
	path := *o.Path
	if err := authorizerPaths.check(op, "/"+segs[0], path); err != nil {
		return err
	}
	if len(segs) != 1 {
		return patch.InvalidPath(o)
	}
	switch segs[0] {
	case "authType":
		a.AuthType = value
	case "authorizerCredentials":
		a.AuthorizerCredentials = value
	case "authorizerResultTtlInSeconds":
		n, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return badPatchValue(path, value)
		}
		a.ResultTTLInSeconds = n
	case "authorizerUri":
		a.AuthorizerURI = value
	case "identitySource":
		a.IdentitySource = value
	case "identityValidationExpression":
		a.IdentityValidationExpression = value
	case "name":
		if value == "" {
			return badPatchValue(path, value)
		}
		a.Name = value
	case "type":
		if !slices.Contains(authorizerTypes, value) {
			return badPatchValue(path, value)
		}
		a.Type = value
	case "providerARNs":
		return patchListEntry(&a.ProviderARNs, op, value)
	}
	return nil
}

// updateAuthorizer applies a PATCH document; the result must be a valid
// authorizer as a whole, or nothing is changed.
func (h *Handler) updateAuthorizer(c *call) (any, error) {
	ops, _, err := c.patchOps("updateAuthorizerInput", false)
	if err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	var out authorizerJSON
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		a, err := loadAPIAuthorizer(tx, c.scope, apiID, c.params["authorizer_id"])
		if err != nil {
			return err
		}
		a.ProviderARNs = slices.Clone(a.ProviderARNs)
		for _, o := range ops {
			if err := patchAuthorizer(&a, o); err != nil {
				return err
			}
		}
		if len(a.ProviderARNs) == 0 {
			a.ProviderARNs = nil
		}
		if err := checkAuthorizer(a); err != nil {
			return err
		}
		out = authorizerOut(a)
		return tx.PutAuthorizer(apiID, a)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// deleteAuthorizer refuses, as AWS does, an authorizer that a method uses.
func (h *Handler) deleteAuthorizer(c *call) (any, error) {
	apiID, id := c.params["restapi_id"], c.params["authorizer_id"]
	return nil, h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		a, err := loadAPIAuthorizer(tx, c.scope, apiID, id)
		if err != nil {
			return err
		}
		resources, err := tx.Resources(apiID)
		if err != nil {
			return err
		}
		for _, r := range resources {
			for _, verb := range keysInOrder(r.Methods) {
				if m := r.Methods[verb]; m.AuthorizerID == id && needsAuthorizer(m.AuthorizationType) {
					return awserr.Conflict(msgAuthorizerInUse, a.Name, verb, r.Path)
				}
			}
		}
		return tx.DeleteAuthorizer(apiID, id)
	})
}

// checkMethodAuthorizer verifies that a method using an authorizer names
// one of the API's, of a type that fits its authorization type (CUSTOM for
// TOKEN and REQUEST, COGNITO_USER_POOLS for Cognito), with AWS's text.
func checkMethodAuthorizer(tx store.ReadTx, apiID string, m model.Method) error {
	all, err := tx.Authorizers(apiID)
	if err != nil {
		return err
	}
	return methodAuthorizerIn(all, m)
}

// methodAuthorizerIn is checkMethodAuthorizer over the API's authorizers.
func methodAuthorizerIn(all []model.Authorizer, m model.Method) error {
	if !needsAuthorizer(m.AuthorizationType) {
		return nil
	}
	i := slices.IndexFunc(all, func(a model.Authorizer) bool { return a.ID == m.AuthorizerID })
	if m.AuthorizerID == "" || i < 0 {
		return awserr.BadRequest(msgAuthorizer)
	}
	// AWS's text for a type mismatch is unrecorded; Gantry answers the
	// same "requires a valid authorizer".
	if (all[i].Type == model.AuthorizerCognito) != (m.AuthorizationType == "COGNITO_USER_POOLS") {
		return awserr.BadRequest(msgAuthorizer)
	}
	return nil
}

type testInvokeAuthorizerInput struct {
	Headers             map[string]string   `json:"headers"`
	MultiValueHeaders   map[string][]string `json:"multiValueHeaders"`
	PathWithQueryString string              `json:"pathWithQueryString"`
	Body                string              `json:"body"`
	StageVariables      map[string]string   `json:"stageVariables"`
	AdditionalContext   map[string]string   `json:"additionalContext"`
}

type testInvokeAuthorizerJSON struct {
	ClientStatus  int                 `json:"clientStatus"`
	Log           string              `json:"log,omitempty"`
	Latency       int64               `json:"latency"`
	PrincipalID   string              `json:"principalId,omitempty"`
	Policy        string              `json:"policy,omitempty"`
	Authorization map[string][]string `json:"authorization,omitempty"`
	Claims        map[string]string   `json:"claims,omitempty"`
}

// testInvokeAuthorizer runs the authorizer through the data plane on the
// simulated request. Without a data plane there is nothing to run it.
func (h *Handler) testInvokeAuthorizer(c *call) (any, error) {
	var in testInvokeAuthorizerInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	var a model.Authorizer
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		var err error
		a, err = loadAPIAuthorizer(tx, c.scope, apiID, c.params["authorizer_id"])
		return err
	})
	if err != nil {
		return nil, err
	}
	if h.opts.Authorizers == nil {
		return nil, awserr.NotImplemented("TestInvokeAuthorizer")
	}
	res, err := h.opts.Authorizers.TestInvokeAuthorizer(c.r.Context(), c.scope, apiID, a, authorizer.TestRequest{
		Headers: in.Headers, MultiValueHeaders: in.MultiValueHeaders, PathWithQueryString: in.PathWithQueryString,
		Body: in.Body, StageVariables: in.StageVariables, AdditionalContext: in.AdditionalContext,
	})
	if err != nil {
		return nil, err
	}
	return testInvokeAuthorizerJSON{
		ClientStatus: res.ClientStatus, Log: res.Log, Latency: res.LatencyMillis, PrincipalID: res.PrincipalID,
		Policy: res.Policy, Authorization: res.Authorization, Claims: res.Claims,
	}, nil
}

// flushStageAuthorizersCache drops a stage's cached authorizer results.
func (h *Handler) flushStageAuthorizersCache(c *call) (any, error) {
	apiID, name := c.params["restapi_id"], c.params["stage_name"]
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		_, err := loadStage(tx, apiID, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	if h.opts.Authorizers != nil {
		h.opts.Authorizers.FlushAuthorizerCache(c.scope, apiID, name)
	}
	return nil, nil
}

func (h *Handler) authorizerOps(m map[string]opFunc) {
	m["CreateAuthorizer"] = h.createAuthorizer
	m["GetAuthorizer"] = h.getAuthorizer
	m["GetAuthorizers"] = h.getAuthorizers
	m["UpdateAuthorizer"] = h.updateAuthorizer
	m["DeleteAuthorizer"] = h.deleteAuthorizer
	m["TestInvokeAuthorizer"] = h.testInvokeAuthorizer
	m["FlushStageAuthorizersCache"] = h.flushStageAuthorizersCache
}
