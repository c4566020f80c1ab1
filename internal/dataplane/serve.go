package dataplane

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/gantryproject/gantry/internal/front"
	"github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/ids"
	"github.com/gantryproject/gantry/internal/mapping"
	"github.com/gantryproject/gantry/internal/router"
	"github.com/gantryproject/gantry/internal/sigv4"
)

// request is one invocation being served.
type request struct {
	h     *Handler
	ctx   *fasthttp.RequestCtx
	w     front.ResponseWriter
	start time.Time
	addr  address
	stage *stage

	requestID  string
	extendedID string

	// Set once a resource matches.
	resource   *resource
	method     *method
	pathParams map[string]string // decoded
	query      url.Values

	// apiKey is the API key the caller presented, once it was accepted.
	apiKey *apiKey
	// auth is what the method's authorizer established; nil when the
	// method has none.
	auth *authResult
	// caller is the verified SigV4 signer of a call to an AWS_IAM method.
	caller *sigv4.Signed

	// ir and input hold what mapRequest and mappingInput make, once per
	// request (the state is recycled with the request).
	ir    integrationRequest
	input mapping.Input

	// hv hands out the values of the method response's headers, from
	// hvs while it has room (see headerValues).
	hv  headerValues
	hvs [8]string

	// body is the request body when it has been read into memory.
	body     []byte
	bodyRead bool

	inbound
}

// Serve answers an invocation of a deployed stage, and any other request
// with 404.
func (h *Handler) Serve(ctx *fasthttp.RequestCtx) {
	h.Handler(notFound)(ctx)
}

func notFound(ctx *fasthttp.RequestCtx) {
	ctx.Error("404 page not found", http.StatusNotFound)
}

// Handler returns a handler that answers invocations of deployed stages
// (recognised by their address form) and passes every other request to
// next, such as the control plane.
func (h *Handler) Handler(next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		addr, ok := parseAddress(front.Host(ctx), requestPath(ctx))
		if !ok {
			next(ctx)
			return
		}
		h.invoke(ctx, addr)
	}
}

// requests recycles the state of served requests: nothing keeps a request
// once invoke returns (the server writes the response from ctx).
var requests = sync.Pool{New: func() any { return new(request) }}

// invoke serves one invocation of a deployed stage.
func (h *Handler) invoke(ctx *fasthttp.RequestCtx, addr address) {
	requestID, extendedID := newRequestIDs()
	q := requests.Get().(*request)
	defer requests.Put(q)
	w := q.w // its header map, emptied by init, is reused
	*q = request{h: h, ctx: ctx, w: w, start: h.opts.Now(), addr: addr, requestID: requestID, extendedID: extendedID}
	q.hv = q.hvs[:0]
	q.init(ctx)
	apis := *h.apis.Load()
	var st *stage
	if api := apis[addr.apiID]; api != nil {
		st = api.stages[addr.stage]
	}
	if st == nil || st.disabled {
		// An unknown API or stage (or a disabled default endpoint) has no
		// deployment, so no gateway responses: AWS answers a plain 403
		// {"message":"Forbidden"}.
		gatewayresponse.WriteForbidden(&q.w, q.requestID, q.extendedID)
		return
	}
	q.stage = st
	if err := q.serve(); err != nil {
		q.fail(err)
	}
}

// fail answers the request with the gateway response for err: the one place
// where the data plane turns a rejection into a response.
func (q *request) fail(err error) {
	ge, ok := asGatewayError(err)
	if !ok {
		ge = gatewayresponse.NewError(gatewayresponse.Default5XX)
		ge.Err = err
	}
	if ge.Err != nil {
		q.h.opts.Logger.Warn("data plane: request failed", "api", q.stage.apiID, "stage", q.stage.name,
			"method", q.httpMethod, "path", q.addr.path, "type", string(ge.Type), "error", ge.Err.Error())
	}
	if q.w.Written() {
		// An integration failed after starting its response (reading a
		// back end's body, say): the gateway response replaces it.
		q.w.Reset(q.ctx)
	}
	q.stage.responses.Write(&q.w, ge, q.gatewayRequest())
}

// asGatewayError is errors.As for a *gatewayresponse.Error. The usual case,
// err itself, costs no allocation.
func asGatewayError(err error) (*gatewayresponse.Error, bool) {
	if ge, ok := err.(*gatewayresponse.Error); ok {
		return ge, true
	}
	var ge *gatewayresponse.Error
	ok := errors.As(err, &ge)
	return ge, ok
}

// gatewayRequest is what gateway responses may read from this request.
func (q *request) gatewayRequest() *gatewayresponse.Request {
	return &gatewayresponse.Request{
		Accept:         q.headerValue("Accept"),
		Header:         q.header,
		Query:          q.queryValues(),
		PathParams:     q.pathParams,
		StageVariables: q.stage.variables,
		Context:        q.contextValue,
	}
}

// queryValues returns the parsed query string; nil (an empty url.Values
// for reading) when there is none.
func (q *request) queryValues() url.Values {
	if q.query == nil && q.rawQuery != "" {
		q.query, _ = url.ParseQuery(q.rawQuery)
	}
	return q.query
}

// serve runs the pipeline: payload limit, route, method, IAM signature,
// resource policy, authorizer, API key and throttling, validation,
// integration.
func (q *request) serve() error {
	if front.ContentLength(q.ctx) > MaxPayloadBytes {
		return gatewayresponse.NewError(gatewayresponse.RequestTooLarge)
	}
	var buf [8]router.Param
	idx, params := q.stage.router.Match(q.addr.path, buf[:0])
	if idx < 0 {
		return q.missingToken()
	}
	q.resource = q.stage.resources[idx]
	if len(params) > 0 {
		q.pathParams = make(map[string]string, len(params)) // nil (and read as empty) without
	}
	for _, p := range params {
		v, err := url.PathUnescape(p.Value)
		if err != nil {
			v = p.Value
		}
		q.pathParams[p.Name] = v
	}
	m := q.resource.methods[q.httpMethod]
	if m == nil {
		m = q.resource.methods["ANY"]
	}
	if m == nil {
		// AWS answers a known path with an undefined method exactly like an
		// unknown path (REST APIs never send 404 or 405 for routing).
		return q.missingToken()
	}
	q.method = m
	// A method is authorized by at most one of these: its authorization
	// type is AWS_IAM, CUSTOM or COGNITO_USER_POOLS.
	if err := q.checkIAM(m); err != nil {
		return err
	}
	// The resource policy: after IAM authentication, before any authorizer.
	if err := q.checkResourcePolicy(m); err != nil {
		return err
	}
	if err := q.authorize(m); err != nil {
		return err
	}
	if err := q.checkLimits(m); err != nil {
		return err
	}
	if err := q.validate(m); err != nil {
		return err
	}
	if m.invalid != nil {
		return m.invalid
	}
	return q.integrate(m.integ)
}

// missingToken is the MISSING_AUTHENTICATION_TOKEN error of a request that
// matched no method. When the request carries an Authorization header that
// is not a complete SigV4 signature (a bearer token, say), AWS reports the
// parse failure instead, as IncompleteSignatureException; the response type
// (and so its customization) stays MISSING_AUTHENTICATION_TOKEN.
func (q *request) missingToken() *gatewayresponse.Error {
	e := gatewayresponse.NewError(gatewayresponse.MissingAuthenticationToken)
	if len(q.ctx.Request.Header.Peek("Authorization")) == 0 {
		return e
	}
	if msg, ok := sigv4.IncompleteSignature(q.header()); ok {
		msg := msg // allocated only here
		e.Message = &msg
		e.ErrorType = "IncompleteSignatureException"
	}
	return e
}

// readBody reads the whole request body into memory, bounded by the 10 MiB
// payload limit.
func (q *request) readBody() ([]byte, error) {
	if q.bodyRead {
		return q.body, nil
	}
	q.bodyRead = true
	if front.ContentLength(q.ctx) == 0 {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(front.Body(q.ctx), MaxPayloadBytes+1))
	if err != nil {
		e := gatewayresponse.NewError(gatewayresponse.Default4XX)
		e.Err = err
		return nil, e
	}
	if len(b) > MaxPayloadBytes {
		return nil, gatewayresponse.NewError(gatewayresponse.RequestTooLarge)
	}
	q.body = b
	return b, nil
}

// newRequestIDs returns a request's ids, in one allocation: a UUID, the
// form of x-amzn-RequestId, and a value in the form of
// $context.extendedRequestId and the x-amz-apigw-id header, 16 characters
// of base64 ending in "=".
func newRequestIDs() (requestID, extendedID string) {
	var buf [36 + 16]byte
	var r [16 + 11]byte // one read for both
	rand.Read(r[:])
	ids.AppendUUID(buf[:0], [16]byte(r[:16]))
	base64.StdEncoding.Encode(buf[36:], r[16:])
	s := string(buf[:])
	return s[:36], s[36:]
}

// contextValue resolves a $context variable (without the "$context."
// prefix) for gateway responses and parameter mappings.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference
func (q *request) contextValue(name string) (string, bool) {
	switch name {
	case "requestId", "awsEndpointRequestId":
		return q.requestID, true
	case "extendedRequestId":
		return q.extendedID, true
	case "apiId":
		return q.stage.apiID, true
	case "accountId":
		return q.stage.scope.Account, true
	case "stage":
		return q.stage.name, true
	case "deploymentId":
		return q.stage.deploymentID, true
	case "domainName":
		return q.addr.domainName, true
	case "domainPrefix":
		prefix, _, _ := strings.Cut(q.addr.domainName, ".")
		return prefix, true
	case "httpMethod":
		return q.httpMethod, true
	case "path":
		return "/" + q.stage.name + q.addr.path, true
	case "protocol":
		return q.proto, true
	case "resourcePath":
		if q.resource == nil {
			return "", false
		}
		return q.resource.path, true
	case "resourceId":
		if q.resource == nil {
			return "", false
		}
		return q.resource.id, true
	case "requestTime":
		return q.start.UTC().Format("02/Jan/2006:15:04:05 -0700"), true
	case "requestTimeEpoch":
		return strconv.FormatInt(q.start.UnixMilli(), 10), true
	case "identity.sourceIp":
		return q.sourceIP(), true
	case "identity.userAgent":
		return q.headerValue("User-Agent"), true
	case "identity.apiKey":
		if q.apiKey == nil {
			return "", false
		}
		return q.apiKey.value, true
	case "identity.apiKeyId":
		if q.apiKey == nil {
			return "", false
		}
		return q.apiKey.id, true
	case "authorizer.principalId":
		return q.authorizerValue("principalId")
	case "identity.accountId", "identity.caller", "identity.user", "identity.userArn", "identity.accessKey":
		return q.identityValue(name)
	case "identity.cognitoIdentityId", "identity.cognitoIdentityPoolId",
		"identity.cognitoAuthenticationType", "identity.cognitoAuthenticationProvider",
		"identity.principalOrgId":
		// No Cognito identity: AWS renders these as null in templates,
		// i.e. empty here.
		return "", false
	}
	if key, ok := strings.CutPrefix(name, "authorizer."); ok {
		return q.authorizerValue(key)
	}
	return "", false
}

// contextNames are the $context variables offered to mapping templates,
// from the table of AWS's mapping template reference. Those without a value
// for this request (the caller identity without IAM authorization, say) are
// present and null, which templates render as "".
var contextNames = []string{
	"requestId", "awsEndpointRequestId", "extendedRequestId", "apiId", "accountId", "stage", "deploymentId",
	"domainName", "domainPrefix", "httpMethod", "path", "protocol", "resourcePath", "resourceId", "requestTime",
	"identity.sourceIp", "identity.userAgent", "identity.accountId", "identity.apiKey", "identity.apiKeyId",
	"identity.caller", "identity.user", "identity.userArn", "identity.accessKey", "identity.principalOrgId",
	"identity.cognitoIdentityId", "identity.cognitoIdentityPoolId", "identity.cognitoAuthenticationType",
	"identity.cognitoAuthenticationProvider",
}
