package dataplane

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/mediatype"
)

// compileLambda compiles the target of an AWS or AWS_PROXY integration: the
// Lambda function named in its URI, with any ${stageVariables.x} left to
// substitute per request. Integrations with other AWS services are not
// supported.
func compileLambda(ci *integration, uri string) error {
	fn, err := lambda.FunctionFromURI(uri)
	if err != nil {
		return fmt.Errorf("integration type %s: only Lambda function invocations are supported yet: %w", ci.kind, err)
	}
	ci.function, err = parseURITemplate(fn)
	return err
}

// functionName substitutes the stage variables of the integration's
// function reference. An undefined or empty stage variable leaves no
// function to call: AWS reports such a URI as an invalid configuration
// (Gantry answers API_CONFIGURATION_ERROR, the type AWS documents for an
// invalid endpoint).
func (in *integration) functionName(stageVars map[string]string) (string, error) {
	var b strings.Builder
	for _, p := range in.function.parts {
		switch p.kind {
		case uriStageVariable:
			v := stageVars[p.text]
			if v == "" {
				return "", fmt.Errorf("invalid Lambda function %q: stage variable %s is not defined", in.function.raw, p.text)
			}
			b.WriteString(v)
		case uriPathParam:
			b.WriteString(p.raw)
		default:
			b.WriteString(p.text)
		}
	}
	return b.String(), nil
}

// errLambdaMethod is the cause of the INTEGRATION_FAILURE of a Lambda
// integration whose integration httpMethod is not POST.
var errLambdaMethod = errors.New("Lambda integrations must use the POST integration method")

// invokeLambda calls the integration's function with payload within the
// integration's timeout. Failures that produced no function result become
// gateway errors (see lambdaInvokeError).
func (q *request) invokeLambda(in *integration, payload []byte, opts lambda.Options) (lambda.Result, error) {
	if in.httpMethod != http.MethodPost {
		// AWS answers 500 INTEGRATION_FAILURE when an AWS_PROXY Lambda
		// integration uses another method (reference §4.3, [AWS-REC]);
		// Gantry applies the same rule to non-proxy Lambda integrations,
		// which call the same Invoke API (an inference).
		return lambda.Result{}, gatewayresponse.NewError(gatewayresponse.IntegrationFailure).
			WithStatus(http.StatusInternalServerError).WithCause(errLambdaMethod)
	}
	fn, err := in.functionName(q.stage.variables)
	if err != nil {
		return lambda.Result{}, configError(err)
	}
	ctx, timedOut, cancel := withTimeout(q.context(), in)
	defer cancel()
	var res lambda.Result
	if oi, ok := q.h.lambda.(lambda.OptionsInvoker); ok && opts != (lambda.Options{}) {
		res, err = oi.InvokeWith(ctx, fn, payload, opts)
	} else {
		res, err = q.h.lambda.Invoke(ctx, fn, payload)
	}
	if err != nil {
		return res, lambdaInvokeError(err, timedOut())
	}
	return res, nil
}

// lambdaInvokeError classifies an invocation that produced no function
// result. A timeout is INTEGRATION_TIMEOUT (504). An error answer of the
// Lambda service (unknown function, throttling, invalid request) is
// INTEGRATION_FAILURE with status 502, but 500 when the service denied
// access, as LocalStack recorded it from AWS. An endpoint that did not
// answer (refused, reset: only possible with an emulator) is
// INTEGRATION_FAILURE 500, like a network error of an HTTP integration.
func lambdaInvokeError(err error, timedOut bool) *gatewayresponse.Error {
	e := integrationError(err, timedOut)
	var ie *lambda.InvokeError
	if !timedOut && errors.As(err, &ie) && ie.StatusCode != 0 &&
		ie.StatusCode != http.StatusForbidden && ie.Code != "AccessDeniedException" {
		e.Status = http.StatusBadGateway
	}
	return e
}

// lambdaProxy serves an AWS_PROXY integration with a Lambda function: the
// whole request goes to the function as a proxy event (payload format 1.0)
// and the function's output, {"statusCode", "headers", "multiValueHeaders",
// "body", "isBase64Encoded"}, becomes the response.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
func (q *request) lambdaProxy(in *integration) error {
	event, err := q.proxyEvent()
	if err != nil {
		return err
	}
	res, err := q.invokeLambda(in, event, lambda.Options{})
	if err != nil {
		return err
	}
	if res.FunctionError != "" {
		// "Lambda execution failed with status 200 due to customer
		// function error": 502 INTEGRATION_FAILURE (reference §3.2, §4.3).
		return gatewayresponse.NewError(gatewayresponse.IntegrationFailure).
			WithStatus(http.StatusBadGateway).
			WithCause(fmt.Errorf("Lambda function error (%s): %s", res.FunctionError, truncate(res.Payload, 512)))
	}
	out, err := parseProxyResponse(res.Payload)
	if err != nil {
		return malformedProxyResponse(err)
	}
	return q.writeProxyResponse(out)
}

// malformedProxyResponse is AWS's answer to a Lambda proxy output it cannot
// use ("Execution failed due to configuration error: Malformed Lambda proxy
// response"): a DEFAULT_5XX with status 502 whose built-in body is
// {"message": "Internal server error"}, with a space after the colon
// (reference §3.2, [AWS-REC] LocalStack's AWS-validated snapshots).
func malformedProxyResponse(cause error) *gatewayresponse.Error {
	e := gatewayresponse.NewError(gatewayresponse.Default5XX).
		WithStatus(http.StatusBadGateway).
		WithCause(fmt.Errorf("malformed Lambda proxy response: %w", cause))
	e.Body = []byte(`{"message": "Internal server error"}`)
	return e
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// proxyEvent is the Lambda proxy integration's input, payload format 1.0,
// with its fields in the order AWS sends them. Absent maps and an empty
// body are JSON null, as on AWS.
type proxyEvent struct {
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  proxyRequestContext `json:"requestContext"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

type proxyRequestContext struct {
	ResourceID        string        `json:"resourceId"`
	OperationName     string        `json:"operationName,omitempty"`
	Authorizer        any           `json:"authorizer,omitempty"`
	ResourcePath      string        `json:"resourcePath"`
	HTTPMethod        string        `json:"httpMethod"`
	ExtendedRequestID string        `json:"extendedRequestId"`
	RequestTime       string        `json:"requestTime"`
	Path              string        `json:"path"`
	AccountID         string        `json:"accountId"`
	Protocol          string        `json:"protocol"`
	Stage             string        `json:"stage"`
	DomainPrefix      string        `json:"domainPrefix"`
	RequestTimeEpoch  int64         `json:"requestTimeEpoch"`
	RequestID         string        `json:"requestId"`
	Identity          proxyIdentity `json:"identity"`
	DomainName        string        `json:"domainName"`
	DeploymentID      string        `json:"deploymentId"`
	APIID             string        `json:"apiId"`
}

// proxyIdentity is requestContext.identity, in AWS's field order; fields
// without a value are null. apiKey and apiKeyId appear when the caller
// presented an accepted API key.
type proxyIdentity struct {
	CognitoIdentityPoolID         *string `json:"cognitoIdentityPoolId"`
	AccountID                     *string `json:"accountId"`
	CognitoIdentityID             *string `json:"cognitoIdentityId"`
	Caller                        *string `json:"caller"`
	APIKey                        *string `json:"apiKey,omitempty"`
	APIKeyID                      *string `json:"apiKeyId,omitempty"`
	SourceIP                      *string `json:"sourceIp"`
	PrincipalOrgID                *string `json:"principalOrgId"`
	AccessKey                     *string `json:"accessKey"`
	CognitoAuthenticationType     *string `json:"cognitoAuthenticationType"`
	CognitoAuthenticationProvider *string `json:"cognitoAuthenticationProvider"`
	UserArn                       *string `json:"userArn"`
	UserAgent                     *string `json:"userAgent"`
	User                          *string `json:"user"`
}

// proxyEvent builds the event of a Lambda proxy integration.
func (q *request) proxyEvent() ([]byte, error) {
	body, err := q.readBody()
	if err != nil {
		return nil, err
	}
	ev := proxyEvent{
		Resource:       q.resource.path,
		Path:           q.addr.path,
		HTTPMethod:     q.httpMethod,
		StageVariables: q.stage.variables,
	}
	if len(ev.StageVariables) == 0 {
		ev.StageVariables = nil
	}
	ev.Headers, ev.MultiValueHeaders = q.proxyHeaders()
	if query := q.queryValues(); len(query) > 0 {
		ev.QueryStringParameters = make(map[string]string, len(query))
		ev.MultiValueQueryStringParameters = make(map[string][]string, len(query))
		for k, v := range query {
			ev.QueryStringParameters[k] = v[len(v)-1]
			ev.MultiValueQueryStringParameters[k] = v
		}
	}
	if len(q.pathParams) > 0 {
		ev.PathParameters = q.pathParams
	}
	if len(body) > 0 {
		s := string(body)
		if q.stage.isBinary(q.headerValue("Content-Type")) {
			s = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
		ev.Body = &s
	}
	ctxv := func(name string) string { v, _ := q.contextValue(name); return v }
	rc := &ev.RequestContext
	rc.ResourceID = q.resource.id
	rc.OperationName = q.method.operationName
	rc.ResourcePath = q.resource.path
	rc.HTTPMethod = q.httpMethod
	rc.ExtendedRequestID = q.extendedID
	rc.RequestTime = ctxv("requestTime")
	rc.Path = ctxv("path")
	rc.AccountID = q.stage.scope.Account
	rc.Protocol = q.proto
	rc.Stage = q.stage.name
	rc.DomainPrefix = ctxv("domainPrefix")
	rc.RequestTimeEpoch = q.start.UnixMilli()
	rc.RequestID = q.requestID
	rc.DomainName = q.addr.domainName
	rc.DeploymentID = q.stage.deploymentID
	rc.APIID = q.stage.apiID
	id := func(name string) *string {
		if v, ok := q.contextValue("identity." + name); ok {
			return &v
		}
		return nil
	}
	rc.Identity = proxyIdentity{
		CognitoIdentityPoolID:         id("cognitoIdentityPoolId"),
		AccountID:                     id("accountId"),
		CognitoIdentityID:             id("cognitoIdentityId"),
		Caller:                        id("caller"),
		APIKey:                        id("apiKey"),
		APIKeyID:                      id("apiKeyId"),
		SourceIP:                      id("sourceIp"),
		PrincipalOrgID:                id("principalOrgId"),
		AccessKey:                     id("accessKey"),
		CognitoAuthenticationType:     id("cognitoAuthenticationType"),
		CognitoAuthenticationProvider: id("cognitoAuthenticationProvider"),
		UserArn:                       id("userArn"),
		UserAgent:                     id("userAgent"),
		User:                          id("user"),
	}
	// $context.authorizer, when an authorizer ran: its principalId and
	// context (Lambda authorizers) or claims (Cognito), as templates see it.
	if a := q.authorizerMap(); a != nil {
		rc.Authorizer = a
	}
	return json.Marshal(&ev)
}

// proxyHeaders returns the request's headers in the event's two forms, with
// the headers API Gateway adds on the way in (Host, X-Forwarded-For,
// X-Forwarded-Port, X-Forwarded-Proto, X-Amzn-Trace-Id). A repeated header
// shows its last value in the single-value form. Go canonicalizes header
// names (x-custom arrives as X-Custom), so the event cannot keep the
// caller's spelling as AWS does.
func (q *request) proxyHeaders() (map[string]string, map[string][]string) {
	multi := make(map[string][]string, len(q.header())+5)
	for k, v := range q.header() {
		multi[k] = v
	}
	for _, h := range hopHeaders {
		delete(multi, h)
	}
	// AWS leaves Content-Length out of the event (LocalStack's
	// AWS-validated events agree).
	delete(multi, "Content-Length")
	if q.host() != "" {
		multi["Host"] = []string{q.host()}
	}
	ip, port := q.contextValueOr("identity.sourceIp"), "80"
	if q.ctx.IsTLS() {
		port = "443"
	}
	if _, p, err := net.SplitHostPort(q.host()); err == nil {
		port = p
	}
	if prior := multi["X-Forwarded-For"]; len(prior) > 0 {
		ip = strings.Join(prior, ", ") + ", " + ip
	}
	multi["X-Forwarded-For"] = []string{ip}
	multi["X-Forwarded-Port"] = []string{port}
	proto := "http"
	if q.ctx.IsTLS() {
		proto = "https"
	}
	multi["X-Forwarded-Proto"] = []string{proto}
	if _, ok := multi["X-Amzn-Trace-Id"]; !ok {
		multi["X-Amzn-Trace-Id"] = []string{traceID(q.start.Unix())}
	}
	single := make(map[string]string, len(multi))
	for k, v := range multi {
		single[k] = v[len(v)-1]
	}
	return single, multi
}

func (q *request) contextValueOr(name string) string {
	v, _ := q.contextValue(name)
	return v
}

// traceID returns an X-Ray trace header value as API Gateway adds it:
// Root=1-{epoch seconds, 8 hex digits}-{96 random bits, 24 hex digits}.
func traceID(epoch int64) string {
	var b [12]byte
	rand.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s", uint32(epoch), hex.EncodeToString(b[:]))
}

// isBinary reports whether contentType is one of the API's binary media
// types. Types may use * wildcards (image/*, */*).
func (s *stage) isBinary(contentType string) bool {
	if len(s.binaryMediaTypes) == 0 || contentType == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	typ, sub, _ := strings.Cut(mt, "/")
	for _, b := range s.binaryMediaTypes {
		bt, bs, _ := strings.Cut(strings.ToLower(b), "/")
		if (bt == "*" || bt == typ) && (bs == "*" || bs == sub) {
			return true
		}
	}
	return false
}

// proxyResponse is a Lambda proxy integration's output.
type proxyResponse struct {
	status          int
	headers         http.Header
	body            []byte
	isBase64Encoded bool
}

// proxyResponseKeys are the keys a proxy integration's output may have.
var proxyResponseKeys = map[string]bool{
	"statusCode": true, "headers": true, "multiValueHeaders": true, "body": true, "isBase64Encoded": true,
}

// parseProxyResponse reads a Lambda proxy integration's output as AWS does:
// a JSON object whose fields are all optional but limited to statusCode (an
// integer, 200 when absent), headers (name → value), multiValueHeaders
// (name → list of values), body (a string) and isBase64Encoded. Anything
// else is malformed: not an object, a statusCode that is not an integer, a
// body that is not a string, a header value that is neither a string nor a
// boolean, an unknown key such as the HTTP-API-only "cookies".
//
// These rules follow the behaviour LocalStack validated against AWS (all
// fields optional, no others, header values strings or booleans); a
// statusCode written as a numeric string is accepted, and null stands for
// an absent field.
func parseProxyResponse(payload []byte) (*proxyResponse, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("output is not a JSON object: %w", err)
	}
	if raw == nil {
		return nil, errors.New("output is null")
	}
	for k := range raw {
		if !proxyResponseKeys[k] {
			return nil, fmt.Errorf("unexpected key %q", k)
		}
	}
	out := &proxyResponse{headers: http.Header{}}
	status, err := parseStatusCode(raw["statusCode"])
	if err != nil {
		return nil, err
	}
	out.status = status
	if v := raw["multiValueHeaders"]; !isNull(v) {
		var mv map[string][]json.RawMessage
		if err := json.Unmarshal(v, &mv); err != nil {
			return nil, fmt.Errorf("multiValueHeaders: %w", err)
		}
		for k, vals := range mv {
			for _, rv := range vals {
				s, err := headerScalar(rv)
				if err != nil {
					return nil, fmt.Errorf("multiValueHeaders %s: %w", k, err)
				}
				out.headers.Add(k, s)
			}
		}
	}
	if v := raw["headers"]; !isNull(v) {
		var hv map[string]json.RawMessage
		if err := json.Unmarshal(v, &hv); err != nil {
			return nil, fmt.Errorf("headers: %w", err)
		}
		for k, rv := range hv {
			s, err := headerScalar(rv)
			if err != nil {
				return nil, fmt.Errorf("headers %s: %w", k, err)
			}
			// AWS merges the two forms into one list per header; a
			// name-value pair present in both appears once.
			if !slices.Contains(out.headers.Values(k), s) {
				out.headers.Add(k, s)
			}
		}
	}
	if v := raw["isBase64Encoded"]; !isNull(v) {
		if err := json.Unmarshal(v, &out.isBase64Encoded); err != nil {
			return nil, fmt.Errorf("isBase64Encoded: %w", err)
		}
	}
	if v := raw["body"]; !isNull(v) {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("body is not a string: %w", err)
		}
		out.body = []byte(s)
	}
	return out, nil
}

func isNull(v json.RawMessage) bool { return len(v) == 0 || string(v) == "null" }

func parseStatusCode(v json.RawMessage) (int, error) {
	if isNull(v) {
		return http.StatusOK, nil
	}
	s := string(v)
	if s[0] == '"' {
		if err := json.Unmarshal(v, &s); err != nil {
			return 0, err
		}
	}
	code, err := strconv.Atoi(s)
	if err != nil || code < 100 || code > 599 {
		return 0, fmt.Errorf("statusCode %s is not an HTTP status", v)
	}
	return code, nil
}

// headerScalar renders a JSON string or boolean as a header value.
func headerScalar(v json.RawMessage) (string, error) {
	v = bytes.TrimSpace(v)
	switch {
	case len(v) > 0 && v[0] == '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err
	case string(v) == "true", string(v) == "false":
		return string(v), nil
	}
	return "", fmt.Errorf("value %s is neither a string nor a boolean", v)
}

// writeProxyResponse writes a Lambda proxy integration's output. A base64
// body is decoded only when the request's first Accept media type is one of
// the API's binary media types; otherwise the base64 text passes through,
// as AWS does ("API Gateway uses the first Accept header from clients to
// determine if a response should return binary media").
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html
func (q *request) writeProxyResponse(out *proxyResponse) error {
	body := out.body
	if out.isBase64Encoded && q.stage.isBinary(mediatype.FirstAccepted(q.headerValue("Accept"))) {
		b, err := base64.StdEncoding.DecodeString(string(body))
		if err != nil {
			// AWS lists a failed base64 decoding among the causes of
			// API_CONFIGURATION_ERROR (reference §1.2).
			return configError(fmt.Errorf("Lambda proxy response body is not valid base64: %w", err))
		}
		body = b
	}
	w := q.w.Header()
	copyProxyHeaders(w, out.headers)
	if w.Get("Content-Type") == "" {
		w.Set("Content-Type", "application/json")
	}
	w.Del("Content-Length")
	w.Set("Content-Length", strconv.Itoa(len(body)))
	q.setStandardHeaders()
	q.w.WriteHeader(out.status)
	if q.httpMethod != http.MethodHead {
		q.w.Write(body)
	}
	return nil
}

// lambdaAWS serves a non-proxy AWS integration with a Lambda function: the
// request template (or the passthrough body) is the payload, and mapped
// X-Amz-Invocation-Type and X-Amz-Client-Context headers become the Invoke
// API's options; a function
// error's errorMessage selects the integration response by selectionPattern
// (a whole-string match), a success the default response; response
// templates see the function's output (or error object) as $input.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html
func (q *request) lambdaAWS(in *integration) error {
	ir, err := q.mapRequest(in)
	if err != nil {
		return err
	}
	payload, ov, err := q.transformRequest(in)
	if err != nil {
		return err
	}
	ir.applyOverrides(ov)
	if len(payload) == 0 {
		// Gantry's choice where AWS is not documented: an empty
		// payload is sent as an empty JSON object, which every
		// runtime can decode.
		payload = []byte("{}")
	}
	// The Invoke API's own headers may be mapped, as on AWS:
	// integration.request.header.X-Amz-Invocation-Type = 'Event' queues
	// the function and answers at once with the default response.
	// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-integration-async.html
	opts := lambda.Options{
		InvocationType: ir.header.Get("X-Amz-Invocation-Type"),
		ClientContext:  ir.header.Get("X-Amz-Client-Context"),
	}
	res, err := q.invokeLambda(in, payload, opts)
	if err != nil {
		return err
	}
	var r *integrationResponse
	if res.FunctionError != "" {
		r = in.selectLambdaError(lambdaErrorMessage(res.Payload))
	} else {
		r = in.fallback
	}
	if r == nil {
		return noIntegrationResponse("function result")
	}
	return q.writeIntegrationResponse(r, nil, res.Payload)
}

// lambdaErrorMessage is the errorMessage of a function error's payload;
// "" when there is none.
func lambdaErrorMessage(payload []byte) string {
	var e struct {
		ErrorMessage any `json:"errorMessage"`
	}
	if json.Unmarshal(payload, &e) != nil {
		return ""
	}
	switch m := e.ErrorMessage.(type) {
	case string:
		return m
	case nil:
		return ""
	}
	b, _ := json.Marshal(e.ErrorMessage)
	return string(b)
}

// selectLambdaError picks the integration response for a function error:
// the first whose selectionPattern matches the whole errorMessage, else the
// default one.
func (in *integration) selectLambdaError(msg string) *integrationResponse {
	for _, r := range in.responses {
		if r.pattern.MatchString(msg) {
			return r
		}
	}
	return in.fallback
}

// lambdaInvoker returns the configured Invoker, or a Client with the default
// configuration (AWS Lambda's regional endpoints).
func lambdaInvoker(inv lambda.Invoker) lambda.Invoker {
	if inv != nil {
		return inv
	}
	c, err := lambda.New(lambda.Config{})
	if err != nil {
		// The zero Config has no endpoint to reject.
		panic(err)
	}
	return c
}
