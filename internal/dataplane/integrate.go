package dataplane

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gantryproject/gantry/internal/gatewayresponse"
	"github.com/gantryproject/gantry/internal/mapping"
	"github.com/gantryproject/gantry/internal/mediatype"
	"github.com/gantryproject/gantry/internal/model"
)

// integrate runs the method's integration and writes its response.
func (q *request) integrate(in *integration) error {
	switch in.kind {
	case model.IntegrationMock:
		return q.mock(in)
	case model.IntegrationHTTPProxy:
		return q.httpProxy(in)
	case model.IntegrationHTTP:
		return q.http(in)
	case model.IntegrationAWSProxy:
		return q.lambdaProxy(in)
	case model.IntegrationAWS:
		return q.lambdaAWS(in)
	}
	return configError(fmt.Errorf("integration type %s is not supported", in.kind))
}

// integrationRequest is the integration request's parameters after mapping.
type integrationRequest struct {
	header http.Header
	query  url.Values
	path   map[string]string
}

// mapRequest evaluates the integration's requestParameters against the
// method request.
func (q *request) mapRequest(in *integration) (*integrationRequest, error) {
	q.ir = integrationRequest{}
	ir := &q.ir
	if len(in.params) == 0 {
		return ir, nil
	}
	src := q.methodSource()
	for _, m := range in.params {
		vals, ok, err := src.eval(m.from)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		switch m.to.kind {
		case exprHeader:
			ir.headers().Set(m.to.name, vals[len(vals)-1])
		case exprMultiHeader:
			for _, v := range vals {
				ir.headers().Add(m.to.name, v)
			}
		case exprQuery:
			ir.values().Set(m.to.name, vals[len(vals)-1])
		case exprMultiQuery:
			for _, v := range vals {
				ir.values().Add(m.to.name, v)
			}
		case exprPath:
			if ir.path == nil {
				ir.path = map[string]string{}
			}
			ir.path[m.to.name] = vals[len(vals)-1]
		}
	}
	return ir, nil
}

func (ir *integrationRequest) headers() http.Header {
	if ir.header == nil {
		ir.header = http.Header{}
	}
	return ir.header
}

func (ir *integrationRequest) values() url.Values {
	if ir.query == nil {
		ir.query = url.Values{}
	}
	return ir.query
}

// applyOverrides applies a request template's $context.requestOverride.
func (ir *integrationRequest) applyOverrides(ov *mapping.Overrides) {
	if ov == nil {
		return
	}
	for k, v := range ov.RequestHeaders {
		ir.headers().Set(k, v)
	}
	for k, v := range ov.RequestQuery {
		ir.values().Set(k, v)
	}
	for k, v := range ov.RequestPath {
		if ir.path == nil {
			ir.path = map[string]string{}
		}
		ir.path[k] = v
	}
}

// uriParams are the values substituted into the URI's {name} placeholders:
// the mapped integration.request.path parameters, falling back to the method
// request's path parameter of the same name.
//
// AWS substitutes only mapped parameters; every tool that writes a proxy
// resource (console, CDK, SAM, Serverless) adds the identity mapping
// integration.request.path.proxy = method.request.path.proxy, so falling
// back to the method's own parameter serves the same APIs and also those
// written by hand without the mapping.
func (q *request) uriParams(ir *integrationRequest) map[string]string {
	if len(ir.path) == 0 {
		return q.pathParams
	}
	out := make(map[string]string, len(q.pathParams)+len(ir.path))
	for k, v := range q.pathParams {
		out[k] = v
	}
	for k, v := range ir.path {
		out[k] = v
	}
	return out
}

// mappingInput is what mapping template t sees: body as $input (the method
// request's body for request templates, the back end's for response
// templates) and the method request's parameters for $input.params. Only
// what t references is prepared.
//
// The Input is the request's own, rewritten on each call: a rendering uses
// it only while it runs.
func (q *request) mappingInput(t *mapping.Template, body []byte) *mapping.Input {
	in := &q.input
	*in = mapping.Input{Body: body, PathParams: q.pathParams, StageVariables: q.stage.variables}
	if t.References("input") {
		rawQuery := q.queryValues()
		query := make(map[string]string, len(rawQuery))
		for k, v := range rawQuery {
			query[k] = v[len(v)-1]
		}
		in.QueryParams, in.Headers = query, q.joinedHeaders()
	}
	if t.References("context") {
		in.ContextFunc = q.contextMap
	}
	return in
}

// render renders mapping template t over body and the method request. A
// static template (plain text) is its own output, with no input prepared.
func (q *request) render(t *mapping.Template, body []byte) (string, *mapping.Overrides, error) {
	if _, ok := t.Static(); ok {
		return mapping.Render(q.context(), t, nil)
	}
	return mapping.Render(q.context(), t, q.mappingInput(t, body))
}

// requestContentType is the media type that selects a request template:
// the request's Content-Type without parameters, application/json when
// absent (as AWS).
func requestContentType(ct string) string {
	if ct == "" {
		return "application/json"
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}

// transformRequest produces a non-proxy integration's request body: the
// request template chosen by Content-Type, or the body passed through as
// passthroughBehavior allows; otherwise UNSUPPORTED_MEDIA_TYPE.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
func (q *request) transformRequest(in *integration) ([]byte, *mapping.Overrides, error) {
	body, err := q.readBody()
	if err != nil {
		return nil, nil, err
	}
	t := in.templates[requestContentType(q.headerValue("Content-Type"))]
	if t == nil {
		switch {
		case in.passthrough == model.PassthroughNever,
			in.passthrough == model.PassthroughWhenNoTemplates && len(in.templates) > 0:
			return nil, nil, gatewayresponse.NewError(gatewayresponse.UnsupportedMediaType)
		}
		return body, nil, nil
	}
	out, ov, err := q.render(t, body)
	if err != nil {
		return nil, nil, configError(fmt.Errorf("request template: %w", err))
	}
	return []byte(out), ov, nil
}

// mock serves a MOCK integration: the request template's JSON output
// chooses the status code ({"statusCode": 200}), which selects the
// integration response.
func (q *request) mock(in *integration) error {
	ir, err := q.mapRequest(in)
	if err != nil {
		return err
	}
	body, ov, err := q.transformRequest(in)
	if err != nil {
		return err
	}
	ir.applyOverrides(ov)
	status, ok := simpleStatusCode(body)
	if !ok {
		var spec struct {
			StatusCode json.Number `json:"statusCode"`
		}
		// AWS: "Execution failed due to configuration error: Unable to
		// parse statusCode. It should be an integer that is defined in the
		// request template." A MOCK request with no template and no body
		// fails so.
		if err := json.Unmarshal(body, &spec); err != nil || spec.StatusCode == "" {
			return configError(errors.New("unable to parse statusCode from the MOCK request template"))
		}
		status, err = strconv.Atoi(spec.StatusCode.String())
		if err != nil {
			return configError(fmt.Errorf("unable to parse statusCode %q", spec.StatusCode))
		}
	}
	return q.respond(in, status, nil, nil)
}

// simpleStatusCode reads the usual MOCK request template output,
// {"statusCode": 200}, without a JSON decoder: an object whose only member
// is "statusCode" with a non-negative integer of up to 9 digits (no leading
// zero), JSON whitespace allowed between tokens. ok is false for anything
// else, which the JSON decoder then handles; for what it accepts, the
// result is the decoder's.
func simpleStatusCode(b []byte) (status int, ok bool) {
	i := 0
	ws := func() {
		for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
			i++
		}
	}
	lit := func(s string) bool {
		ws()
		if len(b)-i < len(s) || string(b[i:i+len(s)]) != s {
			return false
		}
		i += len(s)
		return true
	}
	if !lit("{") || !lit(`"statusCode"`) || !lit(":") {
		return 0, false
	}
	ws()
	start := i
	for i < len(b) && '0' <= b[i] && b[i] <= '9' {
		status = status*10 + int(b[i]-'0')
		i++
	}
	if n := i - start; n == 0 || n > 9 || n > 1 && b[start] == '0' {
		return 0, false
	}
	if !lit("}") {
		return 0, false
	}
	ws()
	return status, i == len(b)
}

// selectResponse picks the integration response for a back-end status code:
// the first whose selectionPattern matches, else the default one.
func (in *integration) selectResponse(status int) *integrationResponse {
	if len(in.responses) > 0 {
		code := strconv.Itoa(status)
		for _, r := range in.responses {
			if r.pattern.MatchString(code) {
				return r
			}
		}
	}
	return in.fallback
}

// respond writes a non-proxy integration's method response from the
// back end's status, headers and body.
func (q *request) respond(in *integration, status int, hdr http.Header, body []byte) error {
	r := in.selectResponse(status)
	if r == nil {
		return noIntegrationResponse("status " + strconv.Itoa(status))
	}
	return q.writeIntegrationResponse(r, hdr, body)
}

// noIntegrationResponse is the failure of a back-end answer (what) that no
// integration response matches when none is the default. AWS: "Execution
// failed due to configuration error: No match for output mapping and no
// default output mapping configured."
func noIntegrationResponse(what string) error {
	return configError(fmt.Errorf("no integration response matches %s and none is the default", what))
}

// writeIntegrationResponse writes the method response that integration
// response r makes of a back end's headers and body.
func (q *request) writeIntegrationResponse(r *integrationResponse, hdr http.Header, body []byte) error {
	// Mapped headers are collected apart, so that a failing template
	// leaves none of them on the gateway response that reports it.
	var out http.Header
	if len(r.params) > 0 {
		out = http.Header{}
		src := &valueSource{header: hdr, body: func() []byte { return body }, stageVars: q.stage.variables, context: q.contextValue}
		for _, m := range r.params {
			vals, ok, err := src.eval(m.from)
			if err != nil {
				return configError(err)
			}
			if ok {
				out.Set(m.to.name, vals[len(vals)-1])
			}
		}
	}
	code := r.status
	// The response body: body as the back end sent it, or (replacing it)
	// text, the template's output.
	var text string
	contentType := "application/json"
	if ct := hdr.Get("Content-Type"); ct != "" {
		contentType = ct
	}
	if len(r.templates) > 0 {
		key := selectTemplate(r.templateTypes, q.headerValue("Accept"))
		contentType = key
		rendered, ov, err := q.render(r.templates[key], body)
		if err != nil {
			return configError(fmt.Errorf("response template: %w", err))
		}
		body, text = nil, rendered
		if ov.Status != 0 {
			code = ov.Status
		}
		for k, v := range ov.ResponseHeaders {
			if out == nil {
				out = http.Header{}
			}
			out.Set(k, v)
		}
	}
	w := q.w.Header()
	for k, v := range out {
		w[k] = v
	}
	if w.Get("Content-Type") == "" {
		q.hv.set(w, "Content-Type", contentType)
	}
	q.hv.setStandard(w, q)
	q.hv.set(w, "Content-Length", strconv.Itoa(len(body)+len(text)))
	q.w.WriteHeader(code)
	if q.httpMethod != http.MethodHead {
		q.w.Write(body)
		q.w.WriteString(text)
	}
	return nil
}

// setStandardHeaders adds the headers API Gateway puts on every response.
func (q *request) setStandardHeaders() {
	q.hv.setStandard(q.w.Header(), q)
}

// x-amzn-RequestId and x-amz-apigw-id in AWS's spelling (not Go's
// canonical form), as gateway responses write them too.
const (
	headerRequestID  = "x-amzn-RequestId"
	headerExtendedID = "x-amz-apigw-id"
)

// headerValues hands out the values of single-valued headers from one
// backing array, so that a response's headers cost one allocation at most.
// Each value slice has capacity 1: an append by later code copies instead
// of overwriting a neighbour. Values are only ever appended, never
// rewritten, so a slice handed out stays valid when the array is
// outgrown.
type headerValues []string

// set sets header k, spelled as it is to be sent, to v.
func (hv *headerValues) set(h http.Header, k, v string) {
	i := len(*hv)
	*hv = append(*hv, v)
	h[k] = (*hv)[i : i+1 : i+1]
}

// add adds v to the values of header k, spelled as it is to be sent.
func (hv *headerValues) add(h http.Header, k, v string) {
	if prior, ok := h[k]; ok {
		h[k] = append(prior, v) // copies: capacity 1
		return
	}
	hv.set(h, k, v)
}

// setStandard sets the request ids API Gateway puts on every response.
func (hv *headerValues) setStandard(h http.Header, q *request) {
	hv.set(h, headerRequestID, q.requestID)
	hv.set(h, headerExtendedID, q.extendedID)
}

// selectTemplate chooses among template keys (sorted, lower-case) for a
// request's Accept header: the first Accept media type if a template has
// it, else application/json, else the first key. API Gateway honours only
// the first media type of an Accept list.
func selectTemplate(keys []string, accept string) string {
	if accept != "" {
		first := strings.ToLower(mediatype.FirstAccepted(accept))
		for _, k := range keys {
			if k == first {
				return k
			}
		}
	}
	for _, k := range keys {
		if k == "application/json" {
			return k
		}
	}
	return keys[0]
}

// withTimeout returns a context cancelled after the integration's timeout,
// and a function that reports whether the timeout fired.
func withTimeout(parent context.Context, in *integration) (context.Context, func() bool, context.CancelFunc) {
	ctx, cancel := context.WithTimeoutCause(parent, in.timeout, errIntegrationTimeout)
	return ctx, func() bool { return errors.Is(context.Cause(ctx), errIntegrationTimeout) }, cancel
}

var errIntegrationTimeout = errors.New("integration timed out")
