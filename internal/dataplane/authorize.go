package dataplane

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gantryproject/gantry/internal/authorizer"
	"github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/iampolicy"
	"github.com/gantryproject/gantry/internal/model"
)

// DefaultAuthorizerTimeout bounds one invocation of a Lambda authorizer or
// one fetch of a user pool's keys. AWS gives authorizers the integration
// maximum of 29 seconds (Gantry's reading; the limit is not documented
// apart).
const DefaultAuthorizerTimeout = 29 * time.Second

// maxAuthCacheEntries bounds a stage's authorizer result cache; when it is
// full, expired entries are dropped, and if none were, the whole cache.
const maxAuthCacheEntries = 10000

// AWS's ACCESS_DENIED messages for a Lambda authorizer's policy (reference
// §3.2, recorded): an explicit Deny, and no Allow covering the method.
const (
	msgExplicitDeny = "User is not authorized to access this resource with an explicit deny"
	msgImplicitDeny = "User is not authorized to access this resource"
)

// authz is a compiled authorizer.
type authz struct {
	id, name, typ string
	// function is the Lambda function of a TOKEN or REQUEST authorizer,
	// possibly with ${stageVariables.name} references.
	function   string
	sources    []authorizer.Source
	validation *regexp.Regexp // TOKEN and Cognito: identityValidationExpression
	ttl        time.Duration
	// pools are a Cognito authorizer's user pools.
	pools []authorizer.UserPool
	// err, when set, is why the authorizer cannot run (a configuration
	// the control plane should have refused).
	err error
}

func compileAuthorizer(a model.Authorizer) *authz {
	c := &authz{id: a.ID, name: a.Name, typ: a.Type, ttl: time.Duration(a.ResultTTLInSeconds) * time.Second}
	var err error
	switch a.Type {
	case model.AuthorizerToken, model.AuthorizerRequest:
		c.function, err = authorizer.FunctionOf(a.AuthorizerURI)
	case model.AuthorizerCognito:
		for _, arn := range a.ProviderARNs {
			p, perr := authorizer.ParseUserPool(arn)
			if perr != nil {
				err = perr
				break
			}
			c.pools = append(c.pools, p)
		}
	default:
		err = fmt.Errorf("authorizer type %q", a.Type)
	}
	if err == nil {
		c.sources, err = authorizer.ParseSources(a.IdentitySource, a.Type != model.AuthorizerRequest)
	}
	if err == nil && a.IdentityValidationExpression != "" && a.Type != model.AuthorizerRequest {
		// API Gateway matches the whole token, as Java's String.matches.
		c.validation, err = regexp.Compile(`^(?:` + a.IdentityValidationExpression + `)$`)
	}
	if err != nil {
		c.err = fmt.Errorf("authorizer %s: %w", a.ID, err)
	}
	return c
}

// authResult is what an authorizer established about a caller: the
// principal, the policy that decides each method, the context it passes to
// the integration, and the API key it chose.
type authResult struct {
	principalID string
	policy      *iampolicy.Policy // nil for Cognito: a valid token admits
	policyJSON  string
	// context holds the Lambda authorizer's context values, as strings (as
	// $context.authorizer.<key> renders them).
	context  map[string]string
	usageKey string
	// claims are a Cognito token's claims, as strings; tokenUse, scopes
	// and expires are read from them.
	claims   map[string]string
	tokenUse string
	scopes   []string
	expires  time.Time
}

// authCache caches authorizer results of one compiled stage, so that a
// redeployment starts with an empty cache (as on AWS).
type authCache struct {
	mu sync.Mutex
	m  map[string]authCacheEntry
}

type authCacheEntry struct {
	res     *authResult
	expires time.Time
}

func newAuthCache() *authCache { return &authCache{m: map[string]authCacheEntry{}} }

func (c *authCache) get(key string, now time.Time) *authResult {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return nil
	}
	if !now.Before(e.expires) {
		delete(c.m, key)
		return nil
	}
	return e.res
}

func (c *authCache) put(key string, res *authResult, expires, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxAuthCacheEntries {
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxAuthCacheEntries {
			clear(c.m)
		}
	}
	c.m[key] = authCacheEntry{res: res, expires: expires}
}

func (c *authCache) flush() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

// authInput is the request an authorizer judges: a deployed method's
// request, or TestInvokeAuthorizer's simulated one.
type authInput struct {
	header       http.Header
	query        url.Values
	stageVars    map[string]string
	context      func(name string) (string, bool)
	methodArn    string
	httpMethod   string
	path         string // the request path, e.g. /pets/5
	resourcePath string // e.g. /pets/{petId}
	pathParams   map[string]string
	// requestContext is the REQUEST event's requestContext.
	requestContext map[string]any
}

// identity reads the authorizer's identity sources. ok is false when one is
// missing or empty (AWS answers 401 without calling the authorizer). AWS
// documents this check for REQUEST authorizers with caching enabled;
// whether it also runs with caching off is unrecorded, and Gantry checks
// every configured source either way.
func (a *authz) identity(in *authInput) (values []string, ok bool) {
	values = make([]string, len(a.sources))
	for i, s := range a.sources {
		var v string
		switch s.Kind {
		case authorizer.SourceHeader:
			v = in.header.Get(s.Name)
		case authorizer.SourceQueryString:
			v = in.query.Get(s.Name)
		case authorizer.SourceStageVariable:
			v = in.stageVars[s.Name]
		case authorizer.SourceContext:
			if in.context != nil {
				v, _ = in.context(s.Name)
			}
		}
		if v == "" {
			return nil, false
		}
		values[i] = v
	}
	return values, true
}

func unauthorized() *gatewayresponse.Error {
	return gatewayresponse.NewError(gatewayresponse.Unauthorized)
}

// authConfigError is AUTHORIZER_CONFIGURATION_ERROR: {"message":null}, as
// AWS answers any authorizer failure other than "Unauthorized" (reference
// §3.2), with cause for the logs.
func authConfigError(cause error) *gatewayresponse.Error {
	return gatewayresponse.NewError(gatewayresponse.AuthorizerConfigurationError).WithCause(cause)
}

// authenticate runs the authorizer (or finds its cached result) for in. It
// does not decide whether the result admits the method: see admit.
func (h *Handler) authenticate(ctx context.Context, a *authz, in *authInput, cache *authCache, now time.Time) (*authResult, *gatewayresponse.Error) {
	if a.err != nil {
		return nil, authConfigError(a.err)
	}
	values, ok := a.identity(in)
	if !ok {
		return nil, unauthorized()
	}
	if a.validation != nil && !a.validation.MatchString(values[0]) {
		return nil, unauthorized()
	}
	// TOKEN and Cognito results are keyed by the token, REQUEST results by
	// every identity value (AWS's caching rules).
	key := ""
	if cache != nil && a.ttl > 0 && len(values) > 0 {
		key = a.id + "\x00" + strings.Join(values, "\x00")
		if res := cache.get(key, now); res != nil {
			return res, nil
		}
	}
	var res *authResult
	var gerr *gatewayresponse.Error
	if a.typ == model.AuthorizerCognito {
		res, gerr = h.verifyCognito(ctx, a, values[0], in.stageVars, now)
	} else {
		res, gerr = h.invokeAuthorizer(ctx, a, values, in)
	}
	if gerr != nil {
		// Refusals and failures are not cached: AWS documents caching of
		// the returned policy only.
		return nil, gerr
	}
	if key != "" {
		expires := now.Add(a.ttl)
		if !res.expires.IsZero() && res.expires.Before(expires) {
			expires = res.expires // a token is never used past its exp
		}
		cache.put(key, res, expires, now)
	}
	return res, nil
}

// admit decides whether res lets the caller invoke the method named by
// methodArn: the policy of a Lambda authorizer is evaluated for each
// request, so that a cached Allow for one method admits no other.
func admit(res *authResult, methodArn string) *gatewayresponse.Error {
	if res.policy == nil {
		return nil
	}
	switch res.policy.Evaluate("execute-api:Invoke", methodArn) {
	case iampolicy.Allow:
		return nil
	case iampolicy.ExplicitDeny:
		return gatewayresponse.NewError(gatewayresponse.AccessDenied).WithMessage(msgExplicitDeny)
	}
	return gatewayresponse.NewError(gatewayresponse.AccessDenied).WithMessage(msgImplicitDeny)
}

// invokeAuthorizer calls a TOKEN or REQUEST authorizer's function with the
// event AWS sends it and reads its answer.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
func (h *Handler) invokeAuthorizer(ctx context.Context, a *authz, values []string, in *authInput) (*authResult, *gatewayresponse.Error) {
	var event any
	if a.typ == model.AuthorizerToken {
		event = map[string]any{"type": "TOKEN", "authorizationToken": values[0], "methodArn": in.methodArn}
	} else {
		event = requestEvent(in)
	}
	payload, err := json.Marshal(event)
	if err != nil {
		return nil, authConfigError(err)
	}
	fn, err := expandFunction(a.function, in.stageVars)
	if err != nil {
		return nil, authConfigError(err)
	}
	ctx, cancel := context.WithTimeout(ctx, h.authTimeout)
	defer cancel()
	out, err := h.lambda.Invoke(ctx, fn, payload)
	if err != nil {
		return nil, authConfigError(err)
	}
	if out.FunctionError != "" {
		var fe struct {
			ErrorMessage string `json:"errorMessage"`
		}
		json.Unmarshal(out.Payload, &fe)
		// Only the exact message "Unauthorized" means 401 (AWS's
		// documented contract for Lambda authorizers).
		if fe.ErrorMessage == "Unauthorized" {
			return nil, unauthorized()
		}
		return nil, authConfigError(fmt.Errorf("authorizer %s: function error %s: %.200s", a.id, out.FunctionError, out.Payload))
	}
	res, err := parseAuthorizerOutput(out.Payload)
	if err != nil {
		return nil, authConfigError(fmt.Errorf("authorizer %s: %w", a.id, err))
	}
	return res, nil
}

// expandFunction substitutes ${stageVariables.name} references in a
// function name (or a user pool id).
func expandFunction(fn string, vars map[string]string) (string, error) {
	for {
		i := strings.Index(fn, "${stageVariables.")
		if i < 0 {
			return fn, nil
		}
		end := strings.IndexByte(fn[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("authorizer function %q: unterminated stage variable", fn)
		}
		name := fn[i+len("${stageVariables.") : i+end]
		v := vars[name]
		if v == "" {
			return "", fmt.Errorf("authorizer function %q: stage variable %s is not defined", fn, name)
		}
		fn = fn[:i] + v + fn[i+end+1:]
	}
}

// requestEvent is a REQUEST authorizer's input: the method request in the
// shape of a proxy event (payload version 1.0).
func requestEvent(in *authInput) map[string]any {
	headers := map[string]any{}
	multiHeaders := map[string]any{}
	for k, vs := range in.header {
		if len(vs) == 0 {
			continue
		}
		headers[k] = vs[len(vs)-1]
		multiHeaders[k] = vs
	}
	var query, multiQuery any
	if len(in.query) > 0 {
		q, mq := map[string]any{}, map[string]any{}
		for k, vs := range in.query {
			if len(vs) == 0 {
				continue
			}
			q[k] = vs[len(vs)-1]
			mq[k] = vs
		}
		query, multiQuery = q, mq
	}
	var pathParams, stageVars any
	if len(in.pathParams) > 0 {
		pathParams = in.pathParams
	}
	if len(in.stageVars) > 0 {
		stageVars = in.stageVars
	}
	return map[string]any{
		"type":                            "REQUEST",
		"methodArn":                       in.methodArn,
		"resource":                        in.resourcePath,
		"path":                            in.path,
		"httpMethod":                      in.httpMethod,
		"headers":                         headers,
		"multiValueHeaders":               multiHeaders,
		"queryStringParameters":           query,
		"multiValueQueryStringParameters": multiQuery,
		"pathParameters":                  pathParams,
		"stageVariables":                  stageVars,
		"requestContext":                  in.requestContext,
	}
}

// errMalformedOutput is wrapped by parseAuthorizerOutput's errors.
var errMalformedOutput = errors.New("malformed authorizer output")

// parseAuthorizerOutput reads a Lambda authorizer's answer as AWS does: a
// principalId, a policyDocument, an optional context whose values are
// strings, numbers or booleans, and an optional usageIdentifierKey.
// Anything else is malformed, which AWS answers with
// AUTHORIZER_CONFIGURATION_ERROR.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
func parseAuthorizerOutput(payload []byte) (*authResult, error) {
	var out struct {
		PrincipalID        *string                    `json:"principalId"`
		PolicyDocument     json.RawMessage            `json:"policyDocument"`
		Context            map[string]json.RawMessage `json:"context"`
		UsageIdentifierKey *string                    `json:"usageIdentifierKey"`
	}
	if err := json.Unmarshal(payload, &out); err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformedOutput, err)
	}
	if out.PrincipalID == nil {
		return nil, fmt.Errorf("%w: no principalId", errMalformedOutput)
	}
	if len(out.PolicyDocument) == 0 || string(out.PolicyDocument) == "null" {
		return nil, fmt.Errorf("%w: no policyDocument", errMalformedOutput)
	}
	policy, err := iampolicy.Parse(out.PolicyDocument)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errMalformedOutput, err)
	}
	res := &authResult{principalID: *out.PrincipalID, policy: policy, policyJSON: compactJSON(out.PolicyDocument)}
	if out.UsageIdentifierKey != nil {
		res.usageKey = *out.UsageIdentifierKey
	}
	if len(out.Context) > 0 {
		res.context = make(map[string]string, len(out.Context))
		for k, raw := range out.Context {
			v, err := scalarString(raw)
			if err != nil {
				return nil, fmt.Errorf("%w: context %q: %v", errMalformedOutput, k, err)
			}
			res.context[k] = v
		}
	}
	return res, nil
}

// scalarString renders a JSON string, number or boolean as
// $context.authorizer renders it; objects, arrays and null are refused.
func scalarString(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", errors.New("empty value")
	}
	switch raw[0] {
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return "", err
		}
		return strconv.FormatBool(b), nil
	case '{', '[', 'n':
		return "", errors.New("only strings, numbers and booleans are allowed")
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	return n.String(), nil
}

func compactJSON(raw []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	return b.String()
}

// methodArn is the execute-api ARN of this request, as authorizer policies
// name it: arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}.
func (q *request) methodArn() string {
	return "arn:aws:execute-api:" + q.stage.scope.Region + ":" + q.stage.scope.Account + ":" +
		q.stage.apiID + "/" + q.stage.name + "/" + q.httpMethod + q.addr.path
}

// authorize runs the method's authorizer, if any: a rejection is its
// gateway response; an admission fills $context.authorizer and, with
// apiKeySource AUTHORIZER, the API key.
func (q *request) authorize(m *method) error {
	a := m.authorizer
	if a == nil {
		return nil
	}
	arn := q.methodArn()
	in := &authInput{
		header: q.header(), query: q.queryValues(), stageVars: q.stage.variables, context: q.contextValue,
		methodArn: arn, httpMethod: q.httpMethod, path: q.addr.path, resourcePath: q.resource.path,
		pathParams: q.pathParams,
	}
	if a.typ == model.AuthorizerRequest {
		in.requestContext = q.authRequestContext()
	}
	res, gerr := q.h.authenticate(q.context(), a, in, q.stage.authCache, q.start)
	if gerr != nil {
		return gerr
	}
	// Set before the policy decides, so that an ACCESS_DENIED response can
	// show the authorizer's context (the usual way of customizing its
	// message: $context.authorizer.<key> in the template).
	q.auth = res
	if gerr := admit(res, arn); gerr != nil {
		return gerr
	}
	if gerr := checkScopes(m, res); gerr != nil {
		q.auth = nil
		return gerr
	}
	return nil
}

// authRequestContext is the requestContext of a REQUEST authorizer's
// event.
func (q *request) authRequestContext() map[string]any {
	identity := map[string]any{}
	for _, n := range []string{"sourceIp", "userAgent"} {
		if v, ok := q.contextValue("identity." + n); ok {
			identity[n] = v
		}
	}
	return map[string]any{
		"path":              "/" + q.stage.name + q.addr.path,
		"accountId":         q.stage.scope.Account,
		"resourceId":        q.resource.id,
		"stage":             q.stage.name,
		"requestId":         q.requestID,
		"extendedRequestId": q.extendedID,
		"identity":          identity,
		"resourcePath":      q.resource.path,
		"httpMethod":        q.httpMethod,
		"apiId":             q.stage.apiID,
		"protocol":          q.proto,
		"requestTimeEpoch":  q.start.UnixMilli(),
		"domainName":        q.addr.domainName,
	}
}

// authorizerValue resolves $context.authorizer.* (name without
// "authorizer."): principalId, claims.<claim>, or a context key.
func (q *request) authorizerValue(name string) (string, bool) {
	if q.auth == nil {
		return "", false
	}
	if name == "principalId" {
		if q.auth.claims != nil {
			// A Cognito authorizer has no principal.
			return "", false
		}
		return q.auth.principalID, true
	}
	if claim, ok := strings.CutPrefix(name, "claims."); ok {
		v, ok := q.auth.claims[claim]
		return v, ok
	}
	v, ok := q.auth.context[name]
	return v, ok
}

// authorizerMap is $context.authorizer for mapping templates; nil when no
// authorizer ran.
func (q *request) authorizerMap() map[string]any {
	if q.auth == nil {
		return nil
	}
	m := make(map[string]any, len(q.auth.context)+2)
	for k, v := range q.auth.context {
		m[k] = v
	}
	if q.auth.claims != nil {
		claims := make(map[string]any, len(q.auth.claims))
		for k, v := range q.auth.claims {
			claims[k] = v
		}
		m["claims"] = claims
	} else {
		m["principalId"] = q.auth.principalID
	}
	return m
}

// FlushAuthorizerCache drops the cached authorizer results of a deployed
// stage: FlushStageAuthorizersCache.
func (h *Handler) FlushAuthorizerCache(scope model.Scope, apiID, stageName string) {
	api := (*h.apis.Load())[apiID]
	if api == nil || api.scope != scope {
		return
	}
	if st := api.stages[stageName]; st != nil {
		st.authCache.flush()
	}
}

// TestInvokeAuthorizer runs authorizer a on a simulated request, as
// TestInvokeAuthorizer does: no cache, and the method ARN AWS uses for
// tests (stage ESTestInvoke-stage, GET on the request path). ClientStatus
// is 200 when the authorizer authenticated the caller (the policy it
// returned is answered as is, not evaluated), 401 when it refused them, and
// 500 when it failed.
func (h *Handler) TestInvokeAuthorizer(ctx context.Context, scope model.Scope, apiID string, a model.Authorizer, in authorizer.TestRequest) (authorizer.TestResult, error) {
	start := time.Now()
	header := http.Header{}
	for k, vs := range in.MultiValueHeaders {
		for _, v := range vs {
			header.Add(k, v)
		}
	}
	for k, v := range in.Headers {
		header.Set(k, v)
	}
	path, rawQuery, _ := strings.Cut(in.PathWithQueryString, "?")
	if path == "" {
		path = "/"
	}
	query, _ := url.ParseQuery(rawQuery)
	if query == nil {
		query = url.Values{}
	}
	arn := "arn:aws:execute-api:" + scope.Region + ":" + scope.Account + ":" + apiID + "/ESTestInvoke-stage/GET" + path
	ai := &authInput{
		header: header, query: query, stageVars: in.StageVariables, methodArn: arn, httpMethod: "GET", path: path, resourcePath: path,
		context: func(name string) (string, bool) {
			v, ok := in.AdditionalContext[name]
			return v, ok
		},
		requestContext: map[string]any{"path": path, "accountId": scope.Account, "stage": "ESTestInvoke-stage", "apiId": apiID, "httpMethod": "GET", "resourcePath": path},
	}
	res, gerr := h.authenticate(ctx, compileAuthorizer(a), ai, nil, h.opts.Now())
	out := authorizer.TestResult{LatencyMillis: time.Since(start).Milliseconds()}
	if gerr != nil {
		out.ClientStatus = gerr.Status
		if out.ClientStatus == 0 {
			out.ClientStatus = (*gatewayresponse.Responses)(nil).Status(gerr)
		}
		out.Log = "Execution failed: " + string(gerr.Type)
		return out, nil
	}
	out.ClientStatus = http.StatusOK
	out.PrincipalID = res.principalID
	out.Policy = res.policyJSON
	out.Claims = res.claims
	if res.context != nil {
		out.Authorization = map[string][]string{}
		for k, v := range res.context {
			out.Authorization[k] = []string{v}
		}
	}
	out.Log = "Authorizer succeeded"
	return out, nil
}
