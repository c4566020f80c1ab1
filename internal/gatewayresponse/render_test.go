package gatewayresponse

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gantryproject/gantry/internal/model"
)

type customs = map[string]model.GatewayResponse

// header returns the values of header k, looked up exactly as written (the
// renderer preserves case).
func header(rec *httptest.ResponseRecorder, k string) []string { return rec.Header()[k] }

func wantHeader(t *testing.T, rec *httptest.ResponseRecorder, k, want string) {
	t.Helper()
	if got := header(rec, k); len(got) != 1 || got[0] != want {
		t.Errorf("header %s = %q, want %q", k, got, want)
	}
}

func noHeader(t *testing.T, rec *httptest.ResponseRecorder, k string) {
	t.Helper()
	for hk, v := range rec.Header() {
		if strings.EqualFold(hk, k) {
			t.Errorf("header %s = %q, want none", hk, v)
		}
	}
}

func wantResponse(t *testing.T, rec *httptest.ResponseRecorder, status int, body string) {
	t.Helper()
	if rec.Code != status {
		t.Errorf("status %d, want %d", rec.Code, status)
	}
	if got := rec.Body.String(); got != body {
		t.Errorf("body\n got %s\nwant %s", got, body)
	}
	if got := header(rec, "Content-Length"); len(got) != 1 || got[0] != strconv.Itoa(rec.Body.Len()) {
		t.Errorf("Content-Length %q for a %d-byte body", got, rec.Body.Len())
	}
}

// The example of AWS's "Set up a gateway response using the console" page,
// normalized (reference §4.6).
func TestWorkedExample(t *testing.T) {
	custom := customs{"MISSING_AUTHENTICATION_TOKEN": {
		StatusCode: "404",
		ResponseParameters: map[string]string{
			"gatewayresponse.header.Access-Control-Allow-Origin": "'a.b.c'",
			"gatewayresponse.header.x-request-path":              "method.request.path.petId",
			"gatewayresponse.header.x-request-query":             "method.request.querystring.q",
			"gatewayresponse.header.x-request-header":            "method.request.header.Accept",
		},
		ResponseTemplates: map[string]string{"application/json": `{
     "message":$context.error.messageString,
     "type": "$context.error.responseType",
     "stage": "$context.stage",
     "resourcePath": "$context.resourcePath",
     "stageVariables.a": "$stageVariables.a",
     "statusCode": "'404'"
}`},
	}}
	rec := render(t, custom, NewError(MissingAuthenticationToken), testRequest())
	wantResponse(t, rec, 404, `{
     "message":"Missing Authentication Token",
     "type": "MISSING_AUTHENTICATION_TOKEN",
     "stage": "custErr",
     "resourcePath": "/pets/{petId}",
     "stageVariables.a": "a",
     "statusCode": "'404'"
}`)
	wantHeader(t, rec, "Access-Control-Allow-Origin", "a.b.c")
	wantHeader(t, rec, "x-request-path", "5")
	wantHeader(t, rec, "x-request-query", "1")
	wantHeader(t, rec, "x-request-header", "application/json")
	wantHeader(t, rec, "x-amzn-ErrorType", "MissingAuthenticationTokenException")
	wantHeader(t, rec, "x-amzn-RequestId", testRequestID)
	wantHeader(t, rec, "x-amz-apigw-id", testExtendedID)
	wantHeader(t, rec, "Content-Type", "application/json")
}

func TestStatus(t *testing.T) {
	headersOnly := model.GatewayResponse{ResponseParameters: map[string]string{"gatewayresponse.header.x-a": "'a'"}}
	for _, tc := range []struct {
		name   string
		custom customs
		e      *Error
		want   int
	}{
		// Reference §4.3: the runtime answer is the integration error's own
		// status, even with a customization that only sets headers.
		{"INTEGRATION_FAILURE built-in", nil, NewError(IntegrationFailure), 500},
		{"INTEGRATION_FAILURE 502 built-in", nil, NewError(IntegrationFailure).WithStatus(502), 502},
		{"INTEGRATION_FAILURE headers only", customs{"INTEGRATION_FAILURE": headersOnly}, NewError(IntegrationFailure), 500},
		{"INTEGRATION_FAILURE 502 headers only", customs{"INTEGRATION_FAILURE": headersOnly}, NewError(IntegrationFailure).WithStatus(502), 502},
		{"INTEGRATION_FAILURE own status", customs{"INTEGRATION_FAILURE": {StatusCode: "504"}}, NewError(IntegrationFailure).WithStatus(502), 504},
		{"INTEGRATION_FAILURE family status", customs{"DEFAULT_5XX": {StatusCode: "599"}}, NewError(IntegrationFailure).WithStatus(502), 599},
		// Reference §4.2/§7: a customized type without statusCode keeps its
		// intrinsic status even when the family sets one.
		{"customized without status, family with", customs{"UNAUTHORIZED": headersOnly, "DEFAULT_4XX": {StatusCode: "444"}}, NewError(Unauthorized), 401},
		{"5xx customized without status, family with", customs{"AUTHORIZER_FAILURE": headersOnly, "DEFAULT_5XX": {StatusCode: "599"}}, NewError(AuthorizerFailure), 500},
		{"not customized, family with", customs{"DEFAULT_4XX": {StatusCode: "444"}}, NewError(Unauthorized), 444},
		{"not customized, family without", customs{"DEFAULT_4XX": headersOnly}, NewError(Unauthorized), 401},
		{"class change", customs{"MISSING_AUTHENTICATION_TOKEN": {StatusCode: "404"}}, NewError(MissingAuthenticationToken), 404},
		{"other family untouched", customs{"DEFAULT_5XX": {StatusCode: "599"}}, NewError(Throttled), 429},
		{"DEFAULT_4XX direct", nil, NewError(Default4XX), 400},
		{"DEFAULT_4XX direct own status", nil, NewError(Default4XX).WithStatus(404), 404},
		{"DEFAULT_4XX direct customized", customs{"DEFAULT_4XX": {StatusCode: "418"}}, NewError(Default4XX).WithStatus(404), 418},
		{"DEFAULT_5XX direct", nil, NewError(Default5XX), 500},
		{"DEFAULT_5XX direct 502", nil, NewError(Default5XX).WithStatus(502), 502},
		{"invalid intrinsic status", nil, NewError(Throttled).WithStatus(42), 429},
		{"1xx intrinsic status", nil, NewError(Throttled).WithStatus(101), 429},
		{"1xx statusCode treated as unset", customs{"THROTTLED": {StatusCode: "100"}}, NewError(Throttled), 429},
		{"599", customs{"THROTTLED": {StatusCode: "599"}}, NewError(Throttled), 599},
		{"REQUEST_TOO_LARGE ignores statusCode", customs{"REQUEST_TOO_LARGE": {StatusCode: "400"}, "DEFAULT_4XX": {StatusCode: "444"}}, NewError(RequestTooLarge), 413},
		{"unknown 4xx type", nil, &Error{Type: "NOPE", Status: 409}, 409},
		{"unknown type", nil, &Error{Type: "NOPE"}, 500},
		{"nil error", nil, nil, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := Compile(tc.custom)
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			rs.Write(rec, tc.e, testRequest())
			if rec.Code != tc.want {
				t.Errorf("Write: status %d, want %d", rec.Code, tc.want)
			}
			if got := rs.Status(tc.e); got != tc.want {
				t.Errorf("Status: %d, want %d", got, tc.want)
			}
		})
	}
}

func TestGoverningCustomization(t *testing.T) {
	custom := customs{
		"UNAUTHORIZED": {ResponseParameters: map[string]string{"gatewayresponse.header.x-own": "'own'"}},
		"DEFAULT_4XX": {
			StatusCode:         "444",
			ResponseParameters: map[string]string{"gatewayresponse.header.x-family": "'family'", "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
			ResponseTemplates:  map[string]string{"application/json": `{"family":$context.error.messageString,"type":"$context.error.responseType"}`},
		},
	}
	// Customized: only its own customization, nothing merged from DEFAULT_4XX
	// (no CORS header either, reference §4.7); the default template applies.
	rec := render(t, custom, NewError(Unauthorized), testRequest())
	wantResponse(t, rec, 401, `{"message":"Unauthorized"}`)
	wantHeader(t, rec, "x-own", "own")
	noHeader(t, rec, "x-family")
	noHeader(t, rec, "Access-Control-Allow-Origin")
	wantHeader(t, rec, "x-amzn-ErrorType", "UnauthorizedException")

	// Not customized: DEFAULT_4XX wholesale; responseType is the original type.
	rec = render(t, custom, NewError(InvalidAPIKey), testRequest())
	wantResponse(t, rec, 444, `{"family":"Forbidden","type":"INVALID_API_KEY"}`)
	wantHeader(t, rec, "x-family", "family")
	wantHeader(t, rec, "Access-Control-Allow-Origin", "*")
	noHeader(t, rec, "x-own")
	wantHeader(t, rec, "x-amzn-ErrorType", "ForbiddenException")

	// A 5xx type is governed by DEFAULT_5XX only.
	rec = render(t, custom, NewError(IntegrationTimeout), testRequest())
	wantResponse(t, rec, 504, `{"message":"Endpoint request timed out"}`)
	noHeader(t, rec, "x-family")
}

func TestHeaderMappings(t *testing.T) {
	params := map[string]string{
		"gatewayresponse.header.x-literal":        "'it's \"quoted\"'",
		"gatewayresponse.header.x-empty-literal":  "''",
		"gatewayresponse.header.X-Origin":         "method.request.header.origin",
		"gatewayresponse.header.x-lower-map":      "method.request.header.X-Lower",
		"gatewayresponse.header.x-multi":          "method.request.multivalueheader.X-Multi",
		"gatewayresponse.header.x-last":           "method.request.header.X-Multi",
		"gatewayresponse.header.x-empty":          "method.request.header.X-Empty",
		"gatewayresponse.header.x-absent":         "method.request.header.X-Absent",
		"gatewayresponse.header.x-q":              "method.request.querystring.q",
		"gatewayresponse.header.x-q-case":         "method.request.querystring.Q",
		"gatewayresponse.header.x-mq":             "method.request.multivaluequerystring.m",
		"gatewayresponse.header.x-q-absent":       "method.request.querystring.none",
		"gatewayresponse.header.x-path":           "method.request.path.petId",
		"gatewayresponse.header.x-path-absent":    "method.request.path.nope",
		"gatewayresponse.header.x-stage":          "stageVariables.a",
		"gatewayresponse.header.x-stage-absent":   "stageVariables.zzz",
		"gatewayresponse.header.x-ctx":            "context.stage",
		"gatewayresponse.header.x-ctx-absent":     "context.authorizer.principalId",
		"gatewayresponse.header.x-msg":            "context.error.message",
		"gatewayresponse.header.x-msg-string":     "context.error.messageString",
		"gatewayresponse.header.x-type":           "context.error.responseType",
		"gatewayresponse.header.x-validation":     "context.error.validationErrorString",
		"gatewayresponse.header.x-unknown-error":  "context.error.nope",
		"gatewayresponse.header.WWW-Authenticate": `'Basic realm="My secret realm"'`,
		"gatewayresponse.path.ignored":            "'x'",
		"gatewayresponse.querystring.ignored":     "'y'",
	}
	req := testRequest()
	req.Header = func() http.Header {
		return http.Header{
			"origin":  {"https://lower.example"}, // non-canonical key: still found
			"X-Lower": {"lower"},
			"X-Multi": {"a", "b c"},
			"X-Empty": {""},
		}
	}
	req.Query = url.Values{"q": {"1", "2"}, "m": {"x", "y"}}
	rec := render(t, customs{"THROTTLED": {ResponseParameters: params}}, NewError(Throttled), req)
	wantResponse(t, rec, 429, `{"message":"Too Many Requests"}`)
	for k, v := range map[string]string{
		"x-literal":        `it's "quoted"`,
		"X-Origin":         "https://lower.example",
		"x-lower-map":      "lower",
		"x-multi":          "a,b c",
		"x-last":           "b c",
		"x-q":              "2",
		"x-mq":             "x,y",
		"x-path":           "5",
		"x-stage":          "a",
		"x-ctx":            "custErr",
		"x-msg":            "Too Many Requests",
		"x-msg-string":     `"Too Many Requests"`,
		"x-type":           "THROTTLED",
		"WWW-Authenticate": `Basic realm="My secret realm"`,
	} {
		wantHeader(t, rec, k, v)
	}
	// A missing or empty source omits the header (reference §4.4).
	for _, k := range []string{"x-empty-literal", "x-empty", "x-absent", "x-q-case", "x-q-absent", "x-path-absent",
		"x-stage-absent", "x-ctx-absent", "x-validation", "x-unknown-error", "ignored"} {
		noHeader(t, rec, k)
	}

	// No resource matched: path parameters are absent.
	req.PathParams = nil
	rec = render(t, customs{"THROTTLED": {ResponseParameters: params}}, NewError(Throttled), req)
	noHeader(t, rec, "x-path")

	// A null message: context.error.message omitted, messageString "null".
	rec = render(t, customs{"AUTHORIZER_CONFIGURATION_ERROR": {ResponseParameters: params}}, NewError(AuthorizerConfigurationError), testRequest())
	noHeader(t, rec, "x-msg")
	wantHeader(t, rec, "x-msg-string", "null")
}

func TestReservedHeaders(t *testing.T) {
	params := map[string]string{
		"gatewayresponse.header.content-type":      "'text/html'",
		"gatewayresponse.header.X-Amzn-ErrorType":  "'Nope'",
		"gatewayresponse.header.x-amzn-requestid":  "'nope'",
		"gatewayresponse.header.X-Amz-Apigw-Id":    "'nope'",
		"gatewayresponse.header.content-length":    "'1'",
		"gatewayresponse.header.Transfer-Encoding": "'chunked'",
		"gatewayresponse.header.Connection":        "'upgrade'",
		"gatewayresponse.header.X-Dup":             "'upper'",
		"gatewayresponse.header.x-dup":             "'lower'",
	}
	rec := render(t, customs{"DEFAULT_4XX": {ResponseParameters: params}}, NewError(Throttled), testRequest())
	wantResponse(t, rec, 429, `{"message":"Too Many Requests"}`)
	// The mapping wins for Content-Type, kept under the canonical key.
	wantHeader(t, rec, "Content-Type", "text/html")
	wantHeader(t, rec, "x-amzn-ErrorType", "TooManyRequestsException")
	wantHeader(t, rec, "x-amzn-RequestId", testRequestID)
	wantHeader(t, rec, "x-amz-apigw-id", testExtendedID)
	wantHeader(t, rec, "X-Dup", "upper")
	for _, k := range []string{"Transfer-Encoding", "Connection", "x-dup"} {
		if _, ok := rec.Header()[k]; ok {
			t.Errorf("header %s set", k)
		}
	}
	if n := len(rec.Header()); n != 6 {
		t.Errorf("%d headers, want 6: %v", n, rec.Header())
	}
}

func TestTemplateSelection(t *testing.T) {
	three := map[string]string{
		"application/json": `json`,
		"application/xml":  `xml`,
		"text/html":        `html`,
	}
	noJSON := map[string]string{
		"text/plain":      `plain`,
		"application/xml": `xml`,
	}
	for _, tc := range []struct {
		name      string
		templates map[string]string
		accept    string
		body, ct  string
	}{
		{"exact", three, "application/xml", "xml", "application/xml"},
		{"first media type only", three, "text/html, application/xml", "html", "text/html"},
		{"parameters dropped", three, "application/xml;q=0.9, text/html", "xml", "application/xml"},
		{"case-insensitive", three, " TEXT/HTML ; charset=utf-8", "html", "text/html"},
		{"second type ignored", three, "image/png, application/xml", "json", "application/json"},
		{"wildcard", three, "*/*", "json", "application/json"},
		{"no Accept", three, "", "json", "application/json"},
		{"no json: first sorted", noJSON, "image/png", "xml", "application/xml"},
		{"no json: match", noJSON, "text/plain", "plain", "text/plain"},
		{"no templates", nil, "text/plain", `{"message":"Too Many Requests"}`, "application/json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := testRequest()
			req.Accept = tc.accept
			rec := render(t, customs{"THROTTLED": {ResponseTemplates: tc.templates}}, NewError(Throttled), req)
			wantResponse(t, rec, 429, tc.body)
			wantHeader(t, rec, "Content-Type", tc.ct)
		})
	}
}

func TestTemplateRendering(t *testing.T) {
	for _, tc := range []struct {
		name, template, want string
		e                    *Error
	}{
		{"trailing dot", `$context.stage.`, `custErr.`, nil},
		{"trailing dot brace", `${context.stage.}`, `${context.stage.}`, nil},
		{"brace form", `${context.requestId}x`, testRequestID + "x", nil},
		{"brace stage variable", `${stageVariables.a}b`, `ab`, nil},
		{"unclosed brace", `${context.stage`, `${context.stage`, nil},
		{"longest match", `$context.identity.sourceIp-$context.error.messageString`, `192.0.2.7-"Too Many Requests"`, nil},
		{"undefined", `[$context.authorizer.claims.sub][$stageVariables.nope][$stageVariables.a.b]`, `[][][]`, nil},
		{"unknown error variable", `[$context.error.nope]`, `[]`, nil},
		{"not references", `$context $context. $contextual $Context.stage $stageVariables $stagevariables.a $ $`, `$context $context. $contextual $Context.stage $stageVariables $stagevariables.a $ $`, nil},
		{"dollar before reference", `$$context.stage`, `$custErr`, nil},
		{"directives literal", `#if($context.stage == "custErr")yes#else no#end #set($x = 1)`, `#if(custErr == "custErr")yes#else no#end #set($x = 1)`, nil},
		{"util and input literal", `$util.escapeJavaScript($context.stage) $input.body $foo $!context.stage $!{context.stage}`, `$util.escapeJavaScript(custErr) $input.body $foo $!context.stage $!{context.stage}`, nil},
		{"path parameter not a template variable", `$method.request.path.petId`, `$method.request.path.petId`, nil},
		{"underscore and digits", `$context.a_1.b2`, ``, nil},
		{"empty", ``, ``, nil},
		{"messageString escaping", `{"m":$context.error.messageString}`, `{"m":"say \"hi\"\n\\ <b>&\t\u0001\u2028\ufffd"}`,
			NewError(Throttled).WithMessage("say \"hi\"\n\\ <b>&\t\x01\u2028\xff")},
		{"message raw", `"$context.error.message"`, "\"say \"hi\"\n\\\"", NewError(Throttled).WithMessage("say \"hi\"\n\\")},
		{"null message", `{"message":$context.error.messageString,"raw":"$context.error.message"}`, `{"message":null,"raw":""}`, NewError(AuthorizerConfigurationError)},
		{"validationErrorString raw", `{"detail":"$context.error.validationErrorString"}`,
			`{"detail":"[object has missing required properties (["body"])]"}`,
			&Error{Type: BadRequestBody, ValidationErrorString: `[object has missing required properties (["body"])]`}},
		{"responseType", `$context.error.responseType`, `THROTTLED`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.e
			if e == nil {
				e = NewError(Throttled)
			}
			rec := render(t, customs{string(e.Type): {ResponseTemplates: map[string]string{"application/json": tc.template}}}, e, testRequest())
			if got := rec.Body.String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestMessageStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `"quoted" \ back`, "ctl \x00\x01\x08\x0c\x1f\x7f", "tab\tnl\ncr\r", "<html>&amp;", "\u2028\u2029", "bad \xff\xfe utf8", "émoji 😀"} {
		e := NewError(Throttled).WithMessage(s)
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSuffix(buf.String(), "\n"); e.MessageString() != want {
			t.Errorf("%q: got %s, want %s", s, e.MessageString(), want)
		}
	}
	if got := NewError(AuthorizerConfigurationError).MessageString(); got != "null" {
		t.Errorf("null message: %s", got)
	}
}

func TestBuiltinBodies(t *testing.T) {
	for _, tc := range []struct {
		e      *Error
		status int
		body   string
		length int
	}{
		{NewError(MissingAuthenticationToken), 403, `{"message":"Missing Authentication Token"}`, 42},
		{NewError(Unauthorized), 401, `{"message":"Unauthorized"}`, 26},
		{NewError(AuthorizerConfigurationError), 500, `{"message":null}`, 16},
		{NewError(AuthorizerFailure), 500, `{"message":null}`, 16},
		{NewError(AccessDenied), 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`, 82},
		{NewError(AccessDenied).WithMessage("User is not authorized to access this resource"), 403, `{"Message":"User is not authorized to access this resource"}`, 60},
		{NewError(InvalidAPIKey), 403, `{"message":"Forbidden"}`, 23},
		{NewError(Throttled).WithMessage(`a"b`), 429, `{"message":"a\"b"}`, 18},
		{NewError(Throttled).WithNullMessage(), 429, `{"message":null}`, 16},
		{MissingParameters("q1", "x-header-param", "qs1"), 400, `{"message":"Missing required request parameters: [q1, x-header-param, qs1]"}`, 76},
	} {
		rec := render(t, nil, tc.e, testRequest())
		wantResponse(t, rec, tc.status, tc.body)
		wantHeader(t, rec, "Content-Length", strconv.Itoa(tc.length))
		wantHeader(t, rec, "Content-Type", "application/json")
	}
}

// ACCESS_DENIED's built-in body has a capital M; once ACCESS_DENIED or
// DEFAULT_4XX is customized the (default) template renders it lowercase
// (reference §4.5).
func TestAccessDeniedCapitalM(t *testing.T) {
	const msg = "User is not authorized to access this resource with an explicit deny"
	headersOnly := model.GatewayResponse{ResponseParameters: map[string]string{"gatewayresponse.header.x-a": "'a'"}}
	for _, tc := range []struct {
		name   string
		custom customs
		key    string
	}{
		{"built-in", nil, "Message"},
		{"DEFAULT_5XX customized", customs{"DEFAULT_5XX": headersOnly}, "Message"},
		{"other 4xx customized", customs{"UNAUTHORIZED": headersOnly}, "Message"},
		{"ACCESS_DENIED customized", customs{"ACCESS_DENIED": headersOnly}, "message"},
		{"DEFAULT_4XX customized", customs{"DEFAULT_4XX": headersOnly}, "message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := render(t, tc.custom, NewError(AccessDenied), testRequest())
			wantResponse(t, rec, 403, `{"`+tc.key+`":"`+msg+`"}`)
			wantHeader(t, rec, "x-amzn-ErrorType", "AccessDeniedException")
		})
	}
}

func TestRequestTooLarge(t *testing.T) {
	const body = "HTTP content length exceeded 10485760 bytes."
	full := model.GatewayResponse{
		StatusCode:         "400",
		ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
		ResponseTemplates:  map[string]string{"application/json": `{"custom":true}`},
	}
	for _, custom := range []customs{nil, {"REQUEST_TOO_LARGE": full}, {"DEFAULT_4XX": full}} {
		rec := render(t, custom, NewError(RequestTooLarge), testRequest())
		wantResponse(t, rec, 413, body)
		wantHeader(t, rec, "Content-Type", "text/plain; charset=utf-8")
		wantHeader(t, rec, "Content-Length", "44")
		wantHeader(t, rec, "x-amzn-RequestId", testRequestID)
		noHeader(t, rec, "Access-Control-Allow-Origin")
		noHeader(t, rec, "x-amzn-ErrorType")
	}
}

func TestErrorTypeAndFraming(t *testing.T) {
	// x-amzn-ErrorType stays when the status is overridden, and a caller's
	// ErrorType wins over the default.
	rec := render(t, customs{"DEFAULT_4XX": {StatusCode: "404"}}, NewError(MissingAuthenticationToken), testRequest())
	wantHeader(t, rec, "x-amzn-ErrorType", "MissingAuthenticationTokenException")
	e := NewError(MissingAuthenticationToken).WithMessage("Authorization header requires 'Credential' parameter.")
	e.ErrorType = "IncompleteSignatureException"
	rec = render(t, nil, e, testRequest())
	wantHeader(t, rec, "x-amzn-ErrorType", "IncompleteSignatureException")

	// Connection: close on request.
	e = NewError(Default5XX).WithMessage("Internal server error")
	e.Close = true
	rec = render(t, nil, e, testRequest())
	wantHeader(t, rec, "Connection", "close")

	// No request and no customizations: no ids, but a full response.
	rec = httptest.NewRecorder()
	(*Responses)(nil).Write(rec, NewError(Unauthorized), nil)
	wantResponse(t, rec, 401, `{"message":"Unauthorized"}`)
	noHeader(t, rec, "x-amzn-RequestId")
	noHeader(t, rec, "x-amz-apigw-id")

	// A nil error is a DEFAULT_5XX 500.
	rec = httptest.NewRecorder()
	(*Responses)(nil).Write(rec, nil, nil)
	wantResponse(t, rec, 500, `{"message":"Internal server error"}`)
	wantHeader(t, rec, "x-amzn-ErrorType", "InternalServerErrorException")
}

func TestWriteForbidden(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteForbidden(rec, testRequestID, testExtendedID)
	wantResponse(t, rec, 403, `{"message":"Forbidden"}`)
	wantHeader(t, rec, "Content-Type", "application/json")
	wantHeader(t, rec, "x-amzn-ErrorType", "ForbiddenException")
	wantHeader(t, rec, "x-amzn-RequestId", testRequestID)
	wantHeader(t, rec, "x-amz-apigw-id", testExtendedID)
}

func TestCompile(t *testing.T) {
	rs, err := Compile(nil)
	if err != nil || rs == nil {
		t.Fatalf("Compile(nil) = %v, %v", rs, err)
	}
	for _, tc := range []struct {
		name   string
		custom customs
		want   string
	}{
		{"unknown type", customs{"default_4xx": {}}, `unknown response type "default_4xx"`},
		{"bad status", customs{"THROTTLED": {StatusCode: "600"}}, `THROTTLED: invalid statusCode "600"`},
		{"bad parameter", customs{"THROTTLED": {ResponseParameters: map[string]string{"gatewayresponse.header.x": "unquoted"}}}, "Invalid mapping expression specified: unquoted"},
		{"bad key", customs{"THROTTLED": {ResponseParameters: map[string]string{"method.response.header.x": "'a'"}}}, "Invalid mapping expression specified: method.response.header.x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := Compile(tc.custom)
			if err == nil || !strings.Contains(err.Error(), tc.want) || rs != nil {
				t.Errorf("got %v, %v; want error containing %q", rs, err, tc.want)
			}
		})
	}
}

func TestError(t *testing.T) {
	cause := errors.New("lambda: function error")
	e := NewError(IntegrationFailure).WithStatus(502).WithCause(cause)
	if got, want := e.Error(), "INTEGRATION_FAILURE (502): Internal server error: lambda: function error"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, cause) {
		t.Error("errors.Is does not see the cause")
	}
	var wrapped error = errorsJoin(e)
	if got, ok := AsError(wrapped); !ok || got != e {
		t.Error("AsError does not find the *Error")
	}
	if got := NewError(AuthorizerConfigurationError).Error(); got != "AUTHORIZER_CONFIGURATION_ERROR: <null message>" {
		t.Errorf("Error() = %q", got)
	}

	// NewError's message is the error's own copy.
	e = NewError(Unauthorized)
	*e.Message = "changed"
	if got := NewError(Unauthorized); *got.Message != "Unauthorized" {
		t.Errorf("default message changed to %q", *got.Message)
	}

	// Errorf: the message is formatted; %w also records the cause.
	e = Errorf(Default4XX, "Invalid JSON in request body: %w", cause)
	if *e.Message != "Invalid JSON in request body: lambda: function error" || !errors.Is(e, cause) {
		t.Errorf("Errorf: %q, cause %v", *e.Message, e.Err)
	}
	if e = Errorf(Default4XX, "plain %d", 1); e.Err != nil || *e.Message != "plain 1" {
		t.Errorf("Errorf without %%w: %q, %v", *e.Message, e.Err)
	}

	// Every type has a default message except the authorizer errors.
	for _, ty := range ModelOrder {
		e := NewError(ty)
		if (e.Message == nil) != (ty == AuthorizerConfigurationError || ty == AuthorizerFailure) {
			t.Errorf("%s: message %v", ty, e.Message)
		}
	}
}

func errorsJoin(err error) error { return errors.Join(errors.New("context"), err) }

// TestWire checks the bytes net/http sends: header case as AWS spells it,
// exactly one Content-Type (no sniffing), and Connection: close.
func TestWire(t *testing.T) {
	rs, err := Compile(customs{"DEFAULT_4XX": {ResponseParameters: map[string]string{
		"gatewayresponse.header.content-type":                "'text/plain'",
		"gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
	}}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e := NewError(Unauthorized)
		e.Close = r.URL.Path == "/close"
		rs.Write(w, e, testRequest())
	}))
	defer srv.Close()
	for _, path := range []string{"/", "/close"} {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		conn.Close()
		if resp.StatusCode != 401 || string(body) != `{"message":"Unauthorized"}` {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
		if ct := resp.Header.Values("Content-Type"); len(ct) != 1 || ct[0] != "text/plain" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		if resp.Close != (path == "/close") {
			t.Errorf("%s: Close = %v", path, resp.Close)
		}
	}
	// Raw header names.
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = io.WriteString(conn, "GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
	raw, _ := io.ReadAll(conn)
	for _, want := range []string{"\r\nx-amzn-RequestId: " + testRequestID + "\r\n", "\r\nx-amz-apigw-id: " + testExtendedID + "\r\n",
		"\r\nx-amzn-ErrorType: UnauthorizedException\r\n", "\r\nAccess-Control-Allow-Origin: *\r\n", "\r\nContent-Length: 26\r\n"} {
		if !bytes.Contains(raw, []byte(want)) {
			t.Errorf("raw response lacks %q:\n%s", want, raw)
		}
	}
}
