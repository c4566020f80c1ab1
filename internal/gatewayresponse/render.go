package gatewayresponse

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gantryproject/gantry/internal/mediatype"
	"github.com/gantryproject/gantry/internal/model"
)

// Request is what a gateway response may read from the request being
// answered: the sources of header mappings (reference §4.4) and of template
// variables (§4.5). Fields may be nil; a nil *Request is an empty request.
type Request struct {
	// Accept is the request's Accept header, raw. Only its first media type
	// counts when choosing a template, as API Gateway honours only the first
	// media type of a multi-type Accept (reference §4.5, AWS known issues).
	Accept string
	// Header returns the request headers, for method.request.header.* and
	// method.request.multivalueheader.*; it is called only when a mapping
	// reads a header, so the map is built only then. Lookups are
	// case-insensitive. Go's server moves Host out of http.Request.Header:
	// add it back for method.request.header.Host to resolve. nil means no
	// headers.
	Header func() http.Header
	// Query holds the query string, for method.request.querystring.* and
	// method.request.multivaluequerystring.*. Names are case-sensitive.
	Query url.Values
	// PathParams holds the matched resource's path parameters, for
	// method.request.path.*; nil when no resource matched.
	PathParams map[string]string
	// StageVariables holds the stage's variables, for stageVariables.* and
	// $stageVariables.*.
	StageVariables map[string]string
	// Context resolves $context variables other than error.*, by dotted name
	// without "$context.", e.g. "requestId", "extendedRequestId",
	// "identity.sourceIp", "resourcePath", "authorizer.principalId". ok=false
	// means undefined: a template renders it as the empty string and a header
	// mapping from it is omitted. nil means every such variable is undefined.
	Context func(name string) (value string, ok bool)
}

func (req *Request) header() http.Header {
	if req.Header == nil {
		return nil
	}
	return req.Header()
}

func (req *Request) context(name string) (string, bool) {
	if req.Context == nil {
		return "", false
	}
	return req.Context(name)
}

// Header names of the framing AWS puts on every gateway response (reference
// §3.1), spelled as AWS sends them. net/http writes map keys as they are, so
// these keep their case on HTTP/1.1.
const (
	headerContentType   = "Content-Type"
	headerContentLength = "Content-Length"
	headerRequestID     = "x-amzn-RequestId"
	headerExtendedID    = "x-amz-apigw-id"
	headerErrorType     = "x-amzn-ErrorType"
	headerConnection    = "Connection"
)

// unmappable lists (lowercased) the headers a responseParameters mapping may
// not set. The x-amzn-* headers and Content-Length are the gateway's own
// (reference §4.4 recommends that reserved headers cannot be overridden);
// the hop-by-hop and framing headers belong to the HTTP server. AWS rejects
// such headers in integration-response mappings (reference §3.2, DEFAULT_5XX
// row); what it does for gateway responses is unknown, so Gantry drops them.
var unmappable = map[string]bool{
	"x-amzn-errortype":  true,
	"x-amzn-requestid":  true,
	"x-amz-apigw-id":    true,
	"content-length":    true,
	"transfer-encoding": true,
	"connection":        true,
	"keep-alive":        true,
	"proxy-connection":  true,
	"te":                true,
	"trailer":           true,
	"upgrade":           true,
}

// Header sources that only header mappings have (templates reach only
// $context and $stageVariables).
const (
	refRequestHeader      refKind = iota + 100 // method.request.header.<text> (canonical name)
	refRequestMultiHeader                      // method.request.multivalueheader.<text>
	refQuery                                   // method.request.querystring.<text>
	refMultiQuery                              // method.request.multivaluequerystring.<text>
	refPath                                    // method.request.path.<text>
)

// headerMapping is one compiled gatewayresponse.header.<name> parameter.
type headerMapping struct {
	// name is the header name as written in the parameter key (case
	// preserved in the output, reference §4.4), except Content-Type, which is
	// kept canonical so that net/http sees it and does not sniff another.
	name string
	src  segment
}

// compiled is one compiled customization.
type compiled struct {
	// status is the customization's statusCode; 0 when unset.
	status  int
	headers []headerMapping
	// templates are sorted by media type.
	templates []template
	// json is the application/json template, if any.
	json *template
}

// Responses is one deployment's gateway responses, compiled once: templates
// pre-split into literal text and variable references, header mappings
// parsed. It is immutable and safe for concurrent use. A nil *Responses means
// that nothing is customized: every type renders its built-in default.
//
// Templates are not VTL: AWS documents "simple variable substitution" only
// (reference §4.5). The references substituted are $context.<name>,
// ${context.<name>}, $stageVariables.<name> and ${stageVariables.<name>},
// where <name> is one or more identifiers ([A-Za-z0-9_]+) joined by dots,
// longest match ("$context.stage." is $context.stage and a "."). Everything
// else, #if, #set, $util.*, $input.*, $foo, is sent as written. An undefined
// variable renders as the empty string. The error variables are
// $context.error.message (raw; empty when null), $context.error.messageString
// (JSON string literal, or null), $context.error.responseType (the error's
// own type, even when DEFAULT_4XX/5XX governs) and
// $context.error.validationErrorString (raw, not escaped).
type Responses struct {
	byType map[Type]*compiled
}

// defaultTemplate is DefaultTemplate compiled, for customizations without
// templates.
var defaultTemplate = compileTemplate(DefaultMediaType, DefaultTemplate)

// Compile compiles a deployment's gateway response customizations, keyed by
// type name as stored by the control plane (model.GatewayResponse.Type is
// not consulted). It fails only on input the control plane's validation
// rejects: an unknown type, a statusCode not matching [1-5]\d\d, or an
// invalid responseParameters key or mapping expression. Response templates
// are never invalid: anything that is not a $context or $stageVariables
// reference is literal text. Compile never panics.
func Compile(custom map[string]model.GatewayResponse) (*Responses, error) {
	rs := &Responses{byType: make(map[Type]*compiled, len(custom))}
	names := make([]string, 0, len(custom))
	for name := range custom {
		names = append(names, name)
	}
	slices.Sort(names)
	var errs []error
	for _, name := range names {
		t, ok := Parse(name)
		if !ok {
			errs = append(errs, fmt.Errorf("gatewayresponse: unknown response type %q", name))
			continue
		}
		c, err := compile(custom[name])
		if err != nil {
			errs = append(errs, fmt.Errorf("gatewayresponse: %s: %w", name, err))
			continue
		}
		rs.byType[t] = c
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rs, nil
}

func compile(gr model.GatewayResponse) (*compiled, error) {
	c := &compiled{}
	if gr.StatusCode != "" {
		if !ValidStatusCode(gr.StatusCode) {
			return nil, fmt.Errorf("invalid statusCode %q", gr.StatusCode)
		}
		c.status, _ = strconv.Atoi(gr.StatusCode)
		if c.status < 200 {
			// A 1xx status cannot end an HTTP exchange: net/http would send
			// it as an interim response followed by a 200. What AWS does
			// with such a statusCode is unknown; Gantry treats it as unset.
			c.status = 0
		}
	}
	if err := ValidateParameters(gr.ResponseParameters); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(gr.ResponseParameters))
	for k := range gr.ResponseParameters {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	seen := map[string]bool{}
	for _, k := range keys {
		name, ok := strings.CutPrefix(k, HeaderPrefix)
		if !ok {
			// gatewayresponse.path.* and .querystring.* are accepted by the
			// control plane and have no meaning in a response (reference §4.4).
			continue
		}
		lower := strings.ToLower(name)
		if unmappable[lower] || seen[lower] {
			// Names differing only in case: the first in byte order wins.
			continue
		}
		seen[lower] = true
		if lower == "content-type" {
			name = headerContentType
		}
		c.headers = append(c.headers, headerMapping{name: name, src: parseSource(gr.ResponseParameters[k])})
	}
	if len(gr.ResponseTemplates) > 0 {
		// Go maps do not keep the insertion order AWS would use for "the first
		// template" (reference §4.5, §7), so templates are kept sorted by
		// media type and the first in that order is the last resort.
		types := make([]string, 0, len(gr.ResponseTemplates))
		for mt := range gr.ResponseTemplates {
			types = append(types, mt)
		}
		slices.Sort(types)
		c.templates = make([]template, len(types))
		for i, mt := range types {
			c.templates[i] = compileTemplate(mt, gr.ResponseTemplates[mt])
			if c.json == nil && strings.EqualFold(mt, DefaultMediaType) {
				c.json = &c.templates[i]
			}
		}
	}
	return c, nil
}

// parseSource parses a mapping expression already checked by ValidExpression.
func parseSource(v string) segment {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		// Inner single quotes are kept: only the outer pair is stripped.
		return segment{kind: refLiteral, text: v[1 : len(v)-1]}
	}
	for _, p := range []struct {
		prefix string
		kind   refKind
	}{
		{"method.request.header.", refRequestHeader},
		{"method.request.multivalueheader.", refRequestMultiHeader},
		{"method.request.querystring.", refQuery},
		{"method.request.multivaluequerystring.", refMultiQuery},
		{"method.request.path.", refPath},
		{"stageVariables.", refStageVariable},
		{"context.", refContext},
	} {
		if name, ok := strings.CutPrefix(v, p.prefix); ok {
			switch p.kind {
			case refRequestHeader, refRequestMultiHeader:
				name = textproto.CanonicalMIMEHeaderKey(name)
			case refContext:
				return segment{kind: contextKind(name), text: name}
			}
			return segment{kind: p.kind, text: name}
		}
	}
	return segment{kind: refUndefined}
}

// governing returns the customization that governs type t (reference §4.1):
// t's own if customized, nothing merged from its family; else its family's
// DEFAULT_4XX or DEFAULT_5XX wholesale; else nil (the built-in default).
func (rs *Responses) governing(t Type) *compiled {
	if rs == nil {
		return nil
	}
	if c := rs.byType[t]; c != nil {
		return c
	}
	if f := t.Family(); f != "" {
		return rs.byType[f]
	}
	return nil
}

// Status returns the status code Write sends for e (reference §4.2): the
// governing customization's statusCode if set (a family's only when t itself
// is not customized); else e's intrinsic status, e.Status or the type's
// runtime default. A customized type without statusCode gets the intrinsic
// status even if its family sets one: AWS's behaviour is unknown and this is
// LocalStack's (reference §4.2, §7).
func (rs *Responses) Status(e *Error) int {
	if e == nil {
		e = nilError
	}
	t := normalize(e.Type, e.Status)
	if t == RequestTooLarge {
		return http.StatusRequestEntityTooLarge
	}
	return status(rs.governing(t), t, e)
}

func status(gov *compiled, t Type, e *Error) int {
	if gov != nil && gov.status != 0 {
		return gov.status
	}
	if e.Status >= 200 && e.Status <= 599 {
		return e.Status
	}
	return builtinFor(t).status
}

// nilError stands in for a nil *Error: a 500 with DEFAULT_5XX's defaults.
var nilError = &Error{Type: Default5XX, Message: builtins[Default5XX].message}

var emptyRequest Request

// headerSetter sets single-valued headers whose value slices share one
// backing array (one allocation per response). Each slice has cap 1, so an
// append by later code copies instead of overwriting a neighbour.
type headerSetter struct {
	h    http.Header
	vals []string
}

func (s *headerSetter) set(k, v string) {
	i := len(s.vals)
	s.vals = append(s.vals, v)
	s.h[k] = s.vals[i : i+1 : i+1]
}

// Write renders e as the gateway response for req and writes it to w:
// status, headers and body (reference §4). It sets Content-Type,
// Content-Length, x-amzn-RequestId (Context "requestId"), x-amz-apigw-id
// (Context "extendedRequestId"), x-amzn-ErrorType (even when the status was
// overridden, reference §3.1), Connection: close when e.Close, and the
// governing customization's mapped headers. Mapped headers may set
// Content-Type (the mapping wins) but never the x-amzn-* headers,
// Content-Length or hop-by-hop headers; a mapping whose source is missing or
// empty is omitted, never sent empty (reference §4.4).
//
// The body is the selected template rendered by simple substitution (see
// [Responses], reference §4.5), or the built-in
// {"message":$context.error.messageString} when nothing is customized
// (ACCESS_DENIED's built-in body is {"Message":...} with a capital M, as on
// AWS). REQUEST_TOO_LARGE ignores every customization: AWS sends a
// plain-text 413 that cannot be customized (reference §3.2, §4.1;
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
//
// rs may be nil (nothing customized), req may be nil (an empty request). A
// nil e is answered as a DEFAULT_5XX 500, and a type outside the 21 as
// DEFAULT_4XX or DEFAULT_5XX by its status class. Write expects w's header
// map to hold none of these headers yet.
func (rs *Responses) Write(w http.ResponseWriter, e *Error, req *Request) {
	if e == nil {
		e = nilError
	}
	if req == nil {
		req = &emptyRequest
	}
	t := normalize(e.Type, e.Status)
	b := builtins[t]
	if t == RequestTooLarge {
		writeTooLarge(w, e, req)
		return
	}
	gov := rs.governing(t)
	code := status(gov, t, e)

	var body []byte
	var length, contentType string
	var tpl *template
	if gov == nil {
		contentType = DefaultMediaType
		if e.Body != nil {
			body = e.Body
		} else if sameMessage(e.Message, b.message) {
			body, length = b.body, b.length
		} else {
			n := 16
			if e.Message != nil {
				n += len(*e.Message) + 8
			}
			body = appendDefaultBody(make([]byte, 0, n), b.capitalM, e.Message)
		}
	} else {
		tpl = gov.selectTemplate(req.Accept)
		contentType = tpl.mediaType
		if contentType == "" {
			// A template stored under an empty media type (the control
			// plane does not check keys) still gets a Content-Type.
			contentType = DefaultMediaType
		}
		r := renderer{e: e, t: t, req: req}
		body = r.render(tpl)
	}
	if length == "" {
		length = strconv.Itoa(len(body))
	}

	n := 6
	if gov != nil {
		n += len(gov.headers)
	}
	s := headerSetter{h: w.Header(), vals: make([]string, 0, n)}
	s.set(headerContentType, contentType)
	s.set(headerContentLength, length)
	setIDs(&s, req)
	if et := errorType(e, b); et != "" {
		s.set(headerErrorType, et)
	}
	if e.Close {
		s.set(headerConnection, "close")
	}
	if gov != nil {
		r := renderer{e: e, t: t, req: req}
		for _, m := range gov.headers {
			if v, ok := r.value(m.src); ok && v != "" {
				s.set(m.name, v)
			}
		}
	}
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// writeTooLarge writes AWS's plain-text 413 (reference §3.2). The
// Content-Type of AWS's answer is not recorded; a public test against an
// API Gateway REST API only asserts that it matches /text/, so Gantry sends
// text/plain; charset=utf-8. AWS's x-amzn-ErrorType for it is unknown, so
// none is sent unless e.ErrorType sets one; the request ids are sent as on
// every other response.
func writeTooLarge(w http.ResponseWriter, e *Error, req *Request) {
	msg := requestTooLargeMessage
	if e.Message != nil {
		msg = *e.Message
	}
	s := headerSetter{h: w.Header(), vals: make([]string, 0, 6)}
	s.set(headerContentType, "text/plain; charset=utf-8")
	s.set(headerContentLength, strconv.Itoa(len(msg)))
	setIDs(&s, req)
	if e.ErrorType != "" {
		s.set(headerErrorType, e.ErrorType)
	}
	if e.Close {
		s.set(headerConnection, "close")
	}
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	_, _ = io.WriteString(w, msg)
}

func setIDs(s *headerSetter, req *Request) {
	if id, ok := req.context("requestId"); ok && id != "" {
		s.set(headerRequestID, id)
	}
	if id, ok := req.context("extendedRequestId"); ok && id != "" {
		s.set(headerExtendedID, id)
	}
}

func errorType(e *Error, b *builtin) string {
	if e.ErrorType != "" {
		return e.ErrorType
	}
	return b.errorType
}

func sameMessage(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// forbiddenBody is the body of WriteForbidden.
const forbiddenBody = `{"message":"Forbidden"}`

// WriteForbidden writes the 403 {"message":"Forbidden"} with x-amzn-ErrorType
// ForbiddenException that answers a request for an unknown API or stage: no
// deployment, hence no gateway responses, applies. Empty ids are omitted.
func WriteForbidden(w http.ResponseWriter, requestID, extendedRequestID string) {
	s := headerSetter{h: w.Header(), vals: make([]string, 0, 5)}
	s.set(headerContentType, DefaultMediaType)
	s.set(headerContentLength, strconv.Itoa(len(forbiddenBody)))
	if requestID != "" {
		s.set(headerRequestID, requestID)
	}
	if extendedRequestID != "" {
		s.set(headerExtendedID, extendedRequestID)
	}
	s.set(headerErrorType, "ForbiddenException")
	w.WriteHeader(http.StatusForbidden)
	_, _ = io.WriteString(w, forbiddenBody)
}

// selectTemplate chooses the template for a request's Accept header
// (reference §4.5; AWS documents no rule for gateway responses, this is the
// reference's inference): the template whose media type equals the first
// media type of Accept (parameters dropped, case-insensitive); else
// application/json; else the first in sorted order; with no templates,
// DefaultTemplate.
func (c *compiled) selectTemplate(accept string) *template {
	if len(c.templates) == 0 {
		return &defaultTemplate
	}
	if mt := mediatype.FirstAccepted(accept); mt != "" {
		for i := range c.templates {
			if strings.EqualFold(c.templates[i].mediaType, mt) {
				return &c.templates[i]
			}
		}
	}
	if c.json != nil {
		return c.json
	}
	return &c.templates[0]
}

// renderer resolves variables for one response.
type renderer struct {
	e   *Error
	t   Type // the error's type: $context.error.responseType
	req *Request
}

// render renders a compiled template.
func (r *renderer) render(t *template) []byte {
	dst := make([]byte, 0, t.literal+32*(len(t.segs)/2+1))
	for _, s := range t.segs {
		dst = r.appendRef(dst, s)
	}
	return dst
}

func (r *renderer) appendRef(dst []byte, s segment) []byte {
	switch s.kind {
	case refLiteral:
		return append(dst, s.text...)
	case refErrorMessageString:
		if r.e.Message == nil {
			return append(dst, "null"...)
		}
		return appendJSONString(dst, *r.e.Message)
	}
	v, _ := r.value(s)
	return append(dst, v...)
}

// value resolves a template reference or header source; ok=false means
// undefined.
func (r *renderer) value(s segment) (string, bool) {
	switch s.kind {
	case refLiteral:
		return s.text, true
	case refErrorMessage:
		if r.e.Message == nil {
			return "", false
		}
		return *r.e.Message, true
	case refErrorMessageString:
		if r.e.Message == nil {
			return "null", true
		}
		return string(appendJSONString(nil, *r.e.Message)), true
	case refErrorResponseType:
		return string(r.t), true
	case refErrorValidation:
		return r.e.ValidationErrorString, true
	case refContext:
		return r.req.context(s.text)
	case refStageVariable:
		v, ok := r.req.StageVariables[s.text]
		return v, ok
	case refRequestHeader:
		vs := headerValues(r.req.header(), s.text)
		if len(vs) == 0 {
			return "", false
		}
		// A repeated header maps its last value, as the single-value
		// headers of a proxy event do (and as the data plane's
		// integration mappings do).
		return vs[len(vs)-1], true
	case refRequestMultiHeader:
		vs := headerValues(r.req.header(), s.text)
		if len(vs) == 0 {
			return "", false
		}
		return strings.Join(vs, ","), true
	case refQuery:
		vs := r.req.Query[s.text]
		if len(vs) == 0 {
			return "", false
		}
		return vs[len(vs)-1], true // the last value, as for headers
	case refMultiQuery:
		vs := r.req.Query[s.text]
		if len(vs) == 0 {
			return "", false
		}
		return strings.Join(vs, ","), true
	case refPath:
		v, ok := r.req.PathParams[s.text]
		return v, ok
	}
	return "", false
}

// headerValues looks a header up case-insensitively: by canonical key
// first, then by scanning, for maps built with non-canonical keys.
func headerValues(h http.Header, canonical string) []string {
	if vs, ok := h[canonical]; ok {
		return vs
	}
	for k, vs := range h {
		if strings.EqualFold(k, canonical) {
			return vs
		}
	}
	return nil
}
