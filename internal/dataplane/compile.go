package dataplane

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/mapping"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/ratelimit"
	"github.com/gantryproject/gantry/internal/router"
)

// stage is one deployed stage compiled for serving: immutable, shared by
// every request that reaches it, and replaced as a whole when the stage
// changes.
type stage struct {
	scope        model.Scope
	apiID        string
	name         string
	deploymentID string
	variables    map[string]string
	router       *router.Router
	resources    []*resource // indexed by the router's match index
	responses    *gatewayresponse.Responses
	// binaryMediaTypes are the API's binary media types at deployment.
	binaryMediaTypes []string
	// disabled is the API's disableExecuteApiEndpoint at deployment: like
	// every API setting, it reaches a stage through a deployment.
	disabled bool
	// apiKeySource is the API's apiKeySource at deployment: HEADER or
	// AUTHORIZER.
	apiKeySource string
	// authCache holds the stage's cached authorizer results; a new
	// deployment starts with an empty one.
	authCache *authCache
	// policy is the API's resource policy at deployment; nil when it has
	// none.
	policy *resourcePolicy
	// userAgent is the User-Agent API Gateway sends back ends on its own
	// behalf: AmazonAPIGateway_<api id>.
	userAgent string
}

// resource is a compiled resource of a deployment.
type resource struct {
	id      string
	path    string // e.g. /pets/{petId}
	methods map[string]*method
}

// method is a compiled method with its integration.
type method struct {
	httpMethod string
	// operationName is the method's operationName, reported in Lambda
	// proxy events.
	operationName string
	resource      *resource
	// invalid, when set, is the error every call of this method answers:
	// a configuration that passed the control plane's checks but cannot be
	// served (for example, a template that does not parse).
	invalid *gatewayresponse.Error
	integ   *integration
	// apiKeyRequired methods admit only callers with an API key of a usage
	// plan that covers the stage.
	apiKeyRequired bool
	// iam methods (authorization type AWS_IAM) admit only SigV4-signed
	// calls that verify against the credential store.
	iam bool
	// throttle is the stage's per-method token bucket (from its method
	// settings); nil when the stage sets none.
	throttle *ratelimit.Bucket
	// planKey keys this method's throttle in a usage plan's API stage:
	// "{resourcePath}/{httpMethod}", e.g. "/pets/GET".
	planKey string
	// validation is the method's request validation; nil when it validates
	// nothing.
	validation *validation
	// authorizer is the method's CUSTOM or COGNITO_USER_POOLS authorizer;
	// nil when it has none. scopes are its authorizationScopes.
	authorizer *authz
	scopes     []string
}

// integration is a compiled integration.
type integration struct {
	kind       string // model.Integration* constants
	httpMethod string
	uri        uriTemplate
	// function is the Lambda function of an AWS or AWS_PROXY integration,
	// as a name or ARN that may reference stage variables.
	function    uriTemplate
	timeout     time.Duration
	passthrough string
	params      []paramMapping
	// templates are the request templates by lower-cased content type.
	templates map[string]*mapping.Template
	responses []*integrationResponse // with a selection pattern, in status order
	fallback  *integrationResponse   // the one without a selection pattern
}

// integrationResponse is a compiled integration response.
type integrationResponse struct {
	status    int
	pattern   *regexp.Regexp
	params    []paramMapping
	templates map[string]*mapping.Template
	// templateTypes lists the template keys: the first one is the fallback
	// when neither the Accept type nor application/json has a template.
	templateTypes []string
}

// compileStage compiles a stage of the given deployment. Its throttles come
// from buckets, so that they keep their state across recompilations.
func compileStage(scope model.Scope, st model.Stage, d model.Deployment, buckets *ratelimit.Buckets) (*stage, error) {
	snap := d.Snapshot
	s := &stage{
		scope:            scope,
		apiID:            snap.API.ID,
		userAgent:        "AmazonAPIGateway_" + snap.API.ID,
		name:             st.Name,
		deploymentID:     d.ID,
		variables:        st.Variables,
		binaryMediaTypes: snap.API.BinaryMediaTypes,
		disabled:         snap.API.DisableExecuteAPIEndpoint,
		apiKeySource:     snap.API.APIKeySource,
		authCache:        newAuthCache(),
		policy:           compilePolicy(scope, snap.API.ID, snap.API.Policy),
	}
	authorizers := make(map[string]*authz, len(snap.Authorizers))
	for _, a := range snap.Authorizers {
		authorizers[a.ID] = compileAuthorizer(a)
	}
	if s.variables == nil {
		s.variables = map[string]string{}
	}
	var err error
	if s.responses, err = gatewayresponse.Compile(snap.GatewayResponses); err != nil {
		return nil, fmt.Errorf("gateway responses: %w", err)
	}
	paths := make([]string, 0, len(snap.Resources))
	validations := newValidationCompiler(snap)
	for _, r := range snap.Resources {
		res := &resource{id: r.ID, path: r.Path, methods: make(map[string]*method, len(r.Methods))}
		for verb, m := range r.Methods {
			cm := compileMethod(res, verb, m)
			cm.apiKeyRequired = m.APIKeyRequired
			cm.iam = isIAM(m)
			cm.throttle = stageThrottle(st, buckets, r.Path, verb)
			cm.planKey = r.Path + "/" + verb
			cm.validation = validations.compile(m)
			if m.AuthorizationType == "CUSTOM" || m.AuthorizationType == "COGNITO_USER_POOLS" {
				cm.scopes = m.AuthorizationScopes
				if cm.authorizer = authorizers[m.AuthorizerID]; cm.authorizer == nil {
					// The control plane refuses this; a snapshot can only
					// hold it from before authorizers were checked.
					cm.authorizer = &authz{id: m.AuthorizerID, err: fmt.Errorf("%s %s: authorizer %q does not exist", verb, r.Path, m.AuthorizerID)}
				}
			}
			res.methods[verb] = cm
		}
		s.resources = append(s.resources, res)
		paths = append(paths, r.Path)
	}
	if s.router, err = router.New(paths); err != nil {
		return nil, fmt.Errorf("routes: %w", err)
	}
	return s, nil
}

// configError is an API_CONFIGURATION_ERROR carrying cause for the logs.
func configError(cause error) *gatewayresponse.Error {
	e := gatewayresponse.NewError(gatewayresponse.APIConfigurationError)
	e.Err = cause
	return e
}

func compileMethod(res *resource, verb string, m model.Method) *method {
	cm := &method{httpMethod: verb, resource: res, operationName: m.OperationName}
	if m.Integration == nil {
		// CreateDeployment refuses methods without integrations; a
		// snapshot without one can only come from an older store.
		cm.invalid = configError(fmt.Errorf("%s %s has no integration", verb, res.path))
		return cm
	}
	integ, err := compileIntegration(m.Integration)
	if err != nil {
		cm.invalid = configError(fmt.Errorf("%s %s: %w", verb, res.path, err))
		return cm
	}
	cm.integ = integ
	return cm
}

func compileIntegration(in *model.Integration) (*integration, error) {
	ci := &integration{
		kind:        in.Type,
		httpMethod:  in.HTTPMethod,
		passthrough: in.PassthroughBehavior,
		timeout:     time.Duration(in.TimeoutInMillis) * time.Millisecond,
	}
	if ci.timeout <= 0 {
		ci.timeout = model.DefaultTimeoutMillis * time.Millisecond
	}
	if ci.passthrough == "" {
		ci.passthrough = model.PassthroughWhenNoMatch
	}
	switch in.Type {
	case model.IntegrationMock, model.IntegrationHTTP, model.IntegrationHTTPProxy:
	case model.IntegrationAWS, model.IntegrationAWSProxy:
		if err := compileLambda(ci, in.URI); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("integration type %s is not supported yet", in.Type)
	}
	if in.Type == model.IntegrationHTTP || in.Type == model.IntegrationHTTPProxy {
		var err error
		if ci.uri, err = parseURITemplate(in.URI); err != nil {
			return nil, err
		}
	}
	var err error
	if ci.params, err = compileMappings(in.RequestParameters, "integration.request.", "method.request."); err != nil {
		return nil, err
	}
	if ci.templates, _, err = compileTemplates("request", in.RequestTemplates); err != nil {
		return nil, err
	}
	for code, r := range in.Responses {
		cr, err := compileIntegrationResponse(code, r)
		if err != nil {
			return nil, err
		}
		if r.SelectionPattern == "" {
			ci.fallback = cr
			continue
		}
		ci.responses = append(ci.responses, cr)
	}
	// Patterns are tried in a fixed order (AWS does not document one when
	// several match; status-code order is deterministic).
	slices.SortFunc(ci.responses, func(a, b *integrationResponse) int { return a.status - b.status })
	return ci, nil
}

func compileIntegrationResponse(code string, r model.IntegrationResponse) (*integrationResponse, error) {
	status, err := strconv.Atoi(code)
	if err != nil {
		return nil, fmt.Errorf("integration response status %q: %w", code, err)
	}
	cr := &integrationResponse{status: status}
	if r.SelectionPattern != "" {
		// API Gateway matches the whole string, as Java's String.matches.
		re, err := regexp.Compile(`^(?:` + r.SelectionPattern + `)$`)
		if err != nil {
			return nil, fmt.Errorf("selection pattern %q: %w", r.SelectionPattern, err)
		}
		cr.pattern = re
	}
	if cr.params, err = compileMappings(r.ResponseParameters, "method.response.", "integration.response."); err != nil {
		return nil, err
	}
	if cr.templates, cr.templateTypes, err = compileTemplates("response", r.ResponseTemplates); err != nil {
		return nil, err
	}
	return cr, nil
}

func compileMappings(m map[string]string, targetPrefix, sourcePrefix string) ([]paramMapping, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]paramMapping, 0, len(keys))
	for _, k := range keys {
		to, err := parseTarget(k, targetPrefix)
		if err != nil {
			return nil, err
		}
		from, err := parseExpr(m[k], sourcePrefix)
		if err != nil {
			return nil, err
		}
		out = append(out, paramMapping{to: to, from: from})
	}
	return out, nil
}

// compileTemplates compiles templates keyed by content type. It returns the
// compiled templates by lower-cased content type and the keys in sorted
// order (the stored map has no order; sorting keeps the choice stable).
func compileTemplates(kind string, src map[string]string) (map[string]*mapping.Template, []string, error) {
	if len(src) == 0 {
		return nil, nil, nil
	}
	out := make(map[string]*mapping.Template, len(src))
	keys := make([]string, 0, len(src))
	for ct, body := range src {
		t, err := templates.compile(kind+" template "+ct, body)
		if err != nil {
			return nil, nil, fmt.Errorf("%s template for %s: %w", kind, ct, err)
		}
		out[strings.ToLower(ct)] = t
		keys = append(keys, strings.ToLower(ct))
	}
	slices.Sort(keys)
	return out, keys, nil
}

// uriTemplate is an integration URI split once, at deployment, into
// literal text, ${stageVariables.name} references and {name} path-parameter
// placeholders.
type uriTemplate struct {
	raw   string
	parts []uriPart
	// static is the parsed URI of a template without placeholders that
	// expands to a valid endpoint, parsed once here instead of per request.
	static *url.URL
}

type uriPart struct {
	kind uint8  // uriLiteral, uriStageVariable or uriPathParam
	text string // literal text, or the variable's or parameter's name
	raw  string // a placeholder as written, kept when it has no value
}

const (
	uriLiteral = iota
	uriStageVariable
	uriPathParam
)

func parseURITemplate(raw string) (uriTemplate, error) {
	if raw == "" {
		return uriTemplate{}, fmt.Errorf("integration has no URI")
	}
	u := uriTemplate{raw: raw}
	lit := func(t string) {
		if n := len(u.parts); n > 0 && u.parts[n-1].kind == uriLiteral {
			u.parts[n-1].text += t
			return
		}
		u.parts = append(u.parts, uriPart{kind: uriLiteral, text: t})
	}
	for s := raw; s != ""; {
		i := strings.IndexAny(s, "${")
		if i < 0 {
			lit(s)
			break
		}
		lit(s[:i])
		s = s[i:]
		end := strings.IndexByte(s, '}')
		switch {
		case strings.HasPrefix(s, "${stageVariables.") && end > 0:
			u.parts = append(u.parts, uriPart{kind: uriStageVariable, text: s[len("${stageVariables."):end]})
			s = s[end+1:]
		case s[0] == '{' && end > 1:
			u.parts = append(u.parts, uriPart{kind: uriPathParam, text: strings.TrimSuffix(s[1:end], "+"), raw: s[:end+1]})
			s = s[end+1:]
		default:
			lit(s[:1])
			s = s[1:]
		}
	}
	if len(u.parts) == 1 && u.parts[0].kind == uriLiteral {
		if target, err := u.expand(nil, nil); err == nil {
			u.static = target
		}
	}
	return u, nil
}

// expand substitutes stage variables and path parameters into the URI and
// parses the result. An undefined stage variable or a result that is not an
// absolute http(s) URL is an invalid endpoint: API_CONFIGURATION_ERROR. A
// placeholder without a parameter stays as written.
func (u uriTemplate) expand(stageVars map[string]string, pathParams map[string]string) (*url.URL, error) {
	if u.static != nil {
		target := *u.static // a copy: callers change theirs
		return &target, nil
	}
	var b strings.Builder
	b.Grow(len(u.raw) + 64)
	for _, p := range u.parts {
		switch p.kind {
		case uriLiteral:
			b.WriteString(p.text)
		case uriStageVariable:
			v := stageVars[p.text]
			if v == "" {
				return nil, fmt.Errorf("invalid endpoint address %q: stage variable %s is not defined", u.raw, p.text)
			}
			b.WriteString(v)
		case uriPathParam:
			if v, ok := pathParams[p.text]; ok {
				b.WriteString(escapePathParam(v))
			} else {
				b.WriteString(p.raw)
			}
		}
	}
	target, err := url.Parse(b.String())
	if err != nil || (target.Scheme != "http" && target.Scheme != "https") || target.Host == "" {
		return nil, fmt.Errorf("invalid endpoint address %q", b.String())
	}
	// As http.NewRequest does with the URL it parses: an empty port
	// ("host:") is dropped.
	target.Host = strings.TrimSuffix(target.Host, ":")
	return target, nil
}

// escapePathParam escapes a decoded path parameter for a URI path, keeping
// the slashes of a greedy {proxy+} value. A "." or ".." segment (sent as
// %2e%2e, say) is escaped too, so that a caller cannot climb out of the
// back-end path the integration URI names: the back end sees a segment
// named "..", not a step up (Gantry's choice; AWS's handling is not
// recorded).
func escapePathParam(v string) string {
	if !strings.ContainsFunc(v, needsPathEscape) && !hasDotSegment(v) {
		return v // what the escaping below would give, without copying
	}
	parts := strings.Split(v, "/")
	for i, p := range parts {
		switch p {
		case ".":
			parts[i] = "%2E"
		case "..":
			parts[i] = "%2E%2E"
		default:
			parts[i] = url.PathEscape(p)
		}
	}
	return strings.Join(parts, "/")
}

// hasDotSegment reports whether a slash-separated value has a "." or ".."
// segment.
func hasDotSegment(v string) bool {
	for seg := range strings.SplitSeq(v, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// needsPathEscape reports whether url.PathEscape changes r, or r is a '/'
// (which escapePathParam keeps): the unreserved characters and the
// sub-delimiters PathEscape leaves alone pass.
func needsPathEscape(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return false
	}
	return !strings.ContainsRune("-_.~$&+=:@/", r)
}
