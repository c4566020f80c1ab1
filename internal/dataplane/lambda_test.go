package dataplane_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gantryproject/gantry/internal/authorizer/authorizertest"
	"github.com/gantryproject/gantry/internal/dataplane"
	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/lambda/lambdatest"
	"github.com/gantryproject/gantry/internal/model"
)

const testFunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:"

// lambdaURI is the integration URI invoking function fn.
func lambdaURI(fn string) string {
	return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations"
}

// lambdaProxyMethod is an AWS_PROXY method invoking function fn.
func lambdaProxyMethod(fn string, timeoutMillis int64) model.Method {
	return model.Method{
		AuthorizationType: "NONE",
		Integration: &model.Integration{
			Type: model.IntegrationAWSProxy, HTTPMethod: "POST", URI: lambdaURI(fn), TimeoutInMillis: timeoutMillis,
		},
	}
}

// lambdaFixture is a data plane whose Lambda integrations call a
// lambdatest server answering with h.
func lambdaFixture(t *testing.T, h lambdatest.Handler, opts dataplane.Options) (*fixture, *lambdatest.Server) {
	t.Helper()
	srv := lambdatest.NewServer(t, h)
	c, err := lambda.New(lambda.Config{Endpoint: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	opts.Lambda = c
	return newFixtureWith(t, opts), srv
}

// proxyFunction is a test function for proxy integrations, chosen by the
// function name in the ARN.
func proxyFunction(ctx context.Context, inv lambdatest.Invocation) lambdatest.Response {
	name := lambda.ParseFunction(inv.Function).Name
	switch name {
	case "echo":
		// Returns the event it received as the body.
		return lambdatest.Result(events.APIGatewayProxyResponse{
			StatusCode:        201,
			Headers:           map[string]string{"Content-Type": "application/json", "X-Single": "one"},
			MultiValueHeaders: map[string][]string{"X-Multi": {"a", "b"}, "X-Single": {"one"}},
			Body:              string(inv.Payload),
		})
	case "fails":
		return lambdatest.Error("Error", "something broke")
	case "slow":
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
		}
		return lambdatest.Result(events.APIGatewayProxyResponse{StatusCode: 200})
	case "missing":
		return lambdatest.NotFound(inv.Function)
	case "denied":
		return lambdatest.Response{Status: 403, ErrorType: "AccessDeniedException",
			Payload: []byte(`{"Message":"User is not authorized to perform: lambda:InvokeFunction"}`)}
	}
	// Any other name: the raw output is the part after "raw-" in the
	// request body.
	var ev events.APIGatewayProxyRequest
	json.Unmarshal(inv.Payload, &ev)
	return lambdatest.Response{Payload: []byte(ev.Body)}
}

var proxyEventVolatile = regexp.MustCompile(`"(requestId|extendedRequestId|X-Amzn-Trace-Id|sourceIp|Host|X-Forwarded-For|X-Forwarded-Port|deploymentId)": (\[\s*)?"[^"]*"`)

// TestLambdaProxyEvent checks the event a proxy integration sends against
// testdata/lambda-proxy-event.golden, and that aws-lambda-go's event type
// reads it.
func TestLambdaProxyEvent(t *testing.T) {
	now := time.Date(2026, 3, 4, 19, 15, 17, 135e6, time.UTC)
	f, srv := lambdaFixture(t, proxyFunction, dataplane.Options{Now: func() time.Time { return now }})
	named := lambdaProxyMethod(testFunctionARN+"${stageVariables.fn}", 0)
	named.OperationName = "UpdatePet"
	f.deploy(api{
		id:        "lambdaapi1",
		variables: map[string]string{"fn": "echo", "color": "blue"},
		methods: map[string]map[string]model.Method{
			"/pets/{petId}": {"ANY": named},
			"/plain":        {"GET": lambdaProxyMethod(testFunctionARN+"echo", 0)},
		},
	})

	req := mustRequest(t, "POST", f.url("lambdaapi1", "test", "/pets/7?q=1&q=2&single=x"), strings.NewReader(`{"name":"Rex"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "gantry-test")
	req.Header.Add("X-Repeated", "first")
	req.Header.Add("X-Repeated", "second")
	r := f.do(req)
	if r.status != 201 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if got := r.header.Values("X-Multi"); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("X-Multi: %q", got)
	}
	if got := r.header.Values("X-Single"); len(got) != 1 || got[0] != "one" {
		t.Errorf("X-Single: %q", got)
	}
	if r.header.Get("x-amzn-RequestId") == "" || r.header.Get("x-amz-apigw-id") == "" {
		t.Errorf("missing request ids: %v", r.header)
	}
	if inv := srv.Last(t); inv.Function != testFunctionARN+"echo" {
		t.Errorf("invoked %q", inv.Function)
	}

	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal([]byte(r.body), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.RequestContext.RequestID != r.header.Get("x-amzn-RequestId") || ev.RequestContext.ExtendedRequestID != r.header.Get("x-amz-apigw-id") {
		t.Errorf("event ids %q %q differ from the response's", ev.RequestContext.RequestID, ev.RequestContext.ExtendedRequestID)
	}
	if ev.Headers["X-Repeated"] != "second" || len(ev.MultiValueHeaders["X-Repeated"]) != 2 {
		t.Errorf("repeated header: %q %q", ev.Headers["X-Repeated"], ev.MultiValueHeaders["X-Repeated"])
	}
	if ev.QueryStringParameters["q"] != "2" || strings.Join(ev.MultiValueQueryStringParameters["q"], ",") != "1,2" {
		t.Errorf("query: %v %v", ev.QueryStringParameters, ev.MultiValueQueryStringParameters)
	}

	var pretty bytes.Buffer
	json.Indent(&pretty, []byte(r.body), "", "  ")
	got := proxyEventVolatile.ReplaceAllString(pretty.String(), `"$1": $2"<masked>"`) + "\n"

	// No body, no query, no path parameters, no stage variables: nulls.
	f.deploy(api{
		id: "lambdaapi2",
		methods: map[string]map[string]model.Method{
			"/plain": {"GET": lambdaProxyMethod(testFunctionARN+"echo", 0)},
		},
	})
	r = f.get("lambdaapi2", "test", "/plain", "User-Agent", "gantry-test")
	pretty.Reset()
	json.Indent(&pretty, []byte(r.body), "", "  ")
	got += proxyEventVolatile.ReplaceAllString(pretty.String(), `"$1": $2"<masked>"`) + "\n"

	compareGolden(t, "lambda-proxy-event.golden", got)
}

func TestLambdaProxyBinary(t *testing.T) {
	f, _ := lambdaFixture(t, func(_ context.Context, inv lambdatest.Invocation) lambdatest.Response {
		var ev events.APIGatewayProxyRequest
		json.Unmarshal(inv.Payload, &ev)
		// Answer with the request body as received, base64 when it was.
		body := ev.Body
		if !ev.IsBase64Encoded {
			body = "text:" + body
		}
		return lambdatest.Result(events.APIGatewayProxyResponse{
			StatusCode: 200, Headers: map[string]string{"Content-Type": "image/png"}, Body: body, IsBase64Encoded: ev.IsBase64Encoded,
		})
	}, dataplane.Options{})
	f.deploy(api{id: "lambdabin1", binaryMediaTypes: []string{"image/*"},
		methods: map[string]map[string]model.Method{"/img": {"POST": lambdaProxyMethod("bin", 0)}}})

	raw := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
	tests := []struct {
		name, contentType, accept, want string
	}{
		{"binary in, binary out", "image/png", "image/png", string(raw)},
		{"binary in, base64 text out without a binary Accept", "image/png", "application/json", "iVBORwABAv8="},
		{"text in", "text/plain", "image/png", "text:hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := raw
			if tt.contentType == "text/plain" {
				body = []byte("hello")
			}
			req := mustRequest(t, "POST", f.url("lambdabin1", "test", "/img"), bytes.NewReader(body))
			req.Header.Set("Content-Type", tt.contentType)
			req.Header.Set("Accept", tt.accept)
			r := f.do(req)
			if r.status != 200 || r.body != tt.want {
				t.Fatalf("got %d %q, want %q", r.status, r.body, tt.want)
			}
		})
	}
}

// TestLambdaProxyResponses checks how function outputs become responses,
// and which outputs are malformed.
func TestLambdaProxyResponses(t *testing.T) {
	f, _ := lambdaFixture(t, proxyFunction, dataplane.Options{})
	f.deploy(api{id: "lambdaresp", methods: map[string]map[string]model.Method{"/": {"POST": lambdaProxyMethod("raw", 0)}}})
	const malformed = `{"message": "Internal server error"}`
	tests := []struct {
		name, output string
		status       int
		body         string
		header       map[string]string
	}{
		{"minimal", `{"statusCode":204}`, 204, "", map[string]string{"Content-Type": "application/json"}},
		{"body and headers", `{"statusCode":200,"headers":{"Content-Type":"text/plain","X-B":true},"body":"hi"}`, 200, "hi", map[string]string{"Content-Type": "text/plain", "X-B": "true"}},
		{"empty object", `{}`, 200, "", map[string]string{"Content-Type": "application/json"}},
		{"no statusCode", `{"body":"x"}`, 200, "x", nil},
		{"both header forms", `{"headers":{"X-A":"1","X-B":"2"},"multiValueHeaders":{"X-A":["1","3"]}}`, 200, "", map[string]string{"X-B": "2"}},
		{"nulls", `{"statusCode":404,"headers":null,"multiValueHeaders":null,"body":null,"isBase64Encoded":null}`, 404, "", nil},
		{"string status", `{"statusCode":"418","body":"teapot"}`, 418, "teapot", nil},
		{"remapped headers", `{"statusCode":200,"headers":{"Server":"lambda","Date":"x"},"body":"ok"}`, 200, "ok", map[string]string{"X-Amzn-Remapped-Server": "lambda", "X-Amzn-Remapped-Date": "x"}},
		{"base64 without binary types passes through", `{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`, 200, "aGk=", nil},
		{"not JSON", `hello`, 502, malformed, nil},
		{"JSON string", `"hello"`, 502, malformed, nil},
		{"null", `null`, 502, malformed, nil},
		{"number header", `{"statusCode":200,"headers":{"X-N":5}}`, 502, malformed, nil},
		{"multiValueHeaders not lists", `{"statusCode":200,"multiValueHeaders":{"X":"a"}}`, 502, malformed, nil},
		{"bad statusCode", `{"statusCode":"abc"}`, 502, malformed, nil},
		{"object body", `{"statusCode":200,"body":{"a":1}}`, 502, malformed, nil},
		{"unknown key", `{"statusCode":200,"body":"x","cookies":["a=b"]}`, 502, malformed, nil},
		{"object header", `{"statusCode":200,"headers":{"X":{"a":1}}}`, 502, malformed, nil},
	}
	r := f.do(mustRequest(t, "POST", f.url("lambdaresp", "test", "/"), strings.NewReader(`{"headers":{"X-A":"1"},"multiValueHeaders":{"X-A":["1","3"]}}`)))
	if got := r.header.Values("X-A"); strings.Join(got, ",") != "1,3" {
		t.Errorf("merged X-A: %q, want [1 3]", got)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(mustRequest(t, "POST", f.url("lambdaresp", "test", "/"), strings.NewReader(tt.output)))
			if r.status != tt.status || r.body != tt.body {
				t.Fatalf("got %d %q, want %d %q", r.status, r.body, tt.status, tt.body)
			}
			for k, v := range tt.header {
				if got := r.header.Get(k); got != v {
					t.Errorf("%s: got %q, want %q", k, got, v)
				}
			}
			if tt.status == 502 {
				wantError(t, r, 502, "InternalServerErrorException", malformed)
			}
		})
	}
}

// TestLambdaFailures drives every failure of a Lambda integration to its
// gateway response, built in and customized.
func TestLambdaFailures(t *testing.T) {
	f, _ := lambdaFixture(t, proxyFunction, dataplane.Options{})
	refused := closedURL(t)
	c, err := lambda.New(lambda.Config{Endpoint: refused})
	if err != nil {
		t.Fatal(err)
	}
	fRefused := newFixtureWith(t, dataplane.Options{Lambda: c})

	getMethod := lambdaProxyMethod("echo", 0)
	getMethod.Integration.HTTPMethod = "GET"
	awsMethod := lambdaAWSMethod("fails")
	awsMethod.Integration.Responses = map[string]model.IntegrationResponse{
		"400": {StatusCode: "400", SelectionPattern: "nomatch"},
	}
	methods := map[string]map[string]model.Method{
		"/fails":     {"GET": lambdaProxyMethod("fails", 0)},
		"/slow":      {"GET": lambdaProxyMethod("slow", 50)},
		"/missing":   {"GET": lambdaProxyMethod("missing", 0)},
		"/denied":    {"GET": lambdaProxyMethod("denied", 0)},
		"/get":       {"GET": getMethod},
		"/malformed": {"POST": lambdaProxyMethod("raw", 0)},
		"/novar":     {"GET": lambdaProxyMethod("${stageVariables.undefined}", 0)},
		"/awsnodef":  {"GET": awsMethod},
	}
	var out strings.Builder
	tests := []struct {
		name, path string
		refused    bool
		typ        string
		status     int
		errorType  string
		body       string
	}{
		{"function error", "/fails", false, "INTEGRATION_FAILURE", 502, "InternalServerErrorException", `{"message":"Internal server error"}`},
		{"timeout", "/slow", false, "INTEGRATION_TIMEOUT", 504, "InternalServerErrorException", `{"message":"Endpoint request timed out"}`},
		{"unknown function", "/missing", false, "INTEGRATION_FAILURE", 502, "InternalServerErrorException", `{"message":"Internal server error"}`},
		{"access denied", "/denied", false, "INTEGRATION_FAILURE", 500, "InternalServerErrorException", `{"message":"Internal server error"}`},
		{"connection refused", "/fails", true, "INTEGRATION_FAILURE", 500, "InternalServerErrorException", `{"message":"Internal server error"}`},
		{"GET integration method", "/get", false, "INTEGRATION_FAILURE", 500, "InternalServerErrorException", `{"message":"Internal server error"}`},
		{"malformed output", "/malformed", false, "DEFAULT_5XX", 502, "InternalServerErrorException", `{"message": "Internal server error"}`},
		{"undefined stage variable", "/novar", false, "API_CONFIGURATION_ERROR", 500, "InternalServerErrorException", `{"message":"Internal server error"}`},
		{"non-proxy error without default response", "/awsnodef", false, "API_CONFIGURATION_ERROR", 500, "InternalServerErrorException", `{"message":"Internal server error"}`},
	}
	for _, tt := range tests {
		fx := f
		if tt.refused {
			fx = fRefused
		}
		call := func() response {
			if tt.path == "/malformed" {
				req := mustRequest(t, "POST", fx.url("lambdafail", "test", tt.path), strings.NewReader("not json"))
				req.Header.Set("Origin", "https://example.com")
				return fx.do(req)
			}
			return fx.get("lambdafail", "test", tt.path, "Origin", "https://example.com")
		}
		t.Run(tt.name+"/built-in", func(t *testing.T) {
			fx.deploy(api{id: "lambdafail", methods: methods})
			r := call()
			wantError(t, r, tt.status, tt.errorType, tt.body)
			fmt.Fprintf(&out, "=== %s / built-in (%s)\n%s\n", tt.name, tt.typ, dump(r))
		})
		if tt.typ != "DEFAULT_5XX" {
			t.Run(tt.name+"/family", func(t *testing.T) {
				fx.deploy(api{id: "lambdafail", methods: methods, variables: map[string]string{"v": "sv"},
					gatewayResponses: map[string]model.GatewayResponse{"DEFAULT_5XX": customization("DEFAULT_5XX", "")}})
				r := call()
				if r.status != tt.status || !strings.Contains(r.body, `"by":"DEFAULT_5XX"`) {
					t.Errorf("got %d %s, want %d from DEFAULT_5XX's template", r.status, r.body, tt.status)
				}
				fmt.Fprintf(&out, "=== %s / family (%s)\n%s\n", tt.name, tt.typ, dump(r))
			})
		}
		t.Run(tt.name+"/customized", func(t *testing.T) {
			fx.deploy(api{id: "lambdafail", methods: methods, variables: map[string]string{"v": "sv"},
				gatewayResponses: map[string]model.GatewayResponse{tt.typ: customization(tt.typ, "")}})
			r := call()
			// No statusCode in the customization: the error's own status.
			want := `{"custom":"` + map[string]string{
				"INTEGRATION_TIMEOUT": "Endpoint request timed out",
			}[tt.typ]
			if tt.typ != "INTEGRATION_TIMEOUT" {
				want = `{"custom":"Internal server error`
			}
			want += `","type":"` + tt.typ + `","stage":"test","resource":"` + tt.path + `","v":"sv","by":"` + tt.typ + `"}`
			wantError(t, r, tt.status, tt.errorType, want)
			if r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("X-Origin") != "https://example.com" {
				t.Errorf("customized headers missing: %v", r.header)
			}
			fmt.Fprintf(&out, "=== %s / customized (%s)\n%s\n", tt.name, tt.typ, dump(r))
		})
		t.Run(tt.name+"/customized status", func(t *testing.T) {
			gr := customization(tt.typ, "599")
			fx.deploy(api{id: "lambdafail", methods: methods, gatewayResponses: map[string]model.GatewayResponse{tt.typ: gr}})
			if r := call(); r.status != 599 {
				t.Errorf("status %d, want 599", r.status)
			}
		})
	}
	compareGolden(t, "lambda-gateway-responses.golden", out.String())
}

// lambdaAWSMethod is a non-proxy AWS method invoking fn with a request
// template, a default response rendering the result and an error response
// selected by errorMessage.
func lambdaAWSMethod(fn string) model.Method {
	return model.Method{
		AuthorizationType: "NONE",
		Integration: &model.Integration{
			Type: model.IntegrationAWS, HTTPMethod: "POST", URI: lambdaURI(fn),
			RequestTemplates: map[string]string{"application/json": `{"id":"$input.params('id')","name":$input.json('$.name'),"stage":"$context.stage"}`},
			Responses: map[string]model.IntegrationResponse{
				"200": {StatusCode: "200",
					ResponseParameters: map[string]string{"method.response.header.X-Greeting": "integration.response.body.greeting"},
					ResponseTemplates:  map[string]string{"application/json": `{"said":"$input.path('$.greeting')","got":$input.json('$.received')}`}},
				"400": {StatusCode: "400", SelectionPattern: `Invalid.*`,
					ResponseTemplates: map[string]string{"application/json": `{"error":"$input.path('$.errorMessage')"}`}},
				"404": {StatusCode: "404", SelectionPattern: `Not found`},
			},
		},
	}
}

func TestLambdaAWSIntegration(t *testing.T) {
	f, srv := lambdaFixture(t, func(_ context.Context, inv lambdatest.Invocation) lambdatest.Response {
		var in struct{ ID, Name, Stage string }
		json.Unmarshal(inv.Payload, &in)
		switch in.Name {
		case "bad":
			return lambdatest.Error("ValidationError", "Invalid name: bad")
		case "gone":
			return lambdatest.Error("Error", "Not found")
		case "partial":
			// Matches no pattern as a whole ("Not found" is a prefix).
			return lambdatest.Error("Error", "Not found here")
		}
		return lambdatest.Result(map[string]any{"greeting": "hello " + in.Name, "received": json.RawMessage(inv.Payload)})
	}, dataplane.Options{})
	f.deploy(api{id: "lambdaaws1", methods: map[string]map[string]model.Method{"/pets/{id}": {"POST": lambdaAWSMethod("pets")}}})

	post := func(body string) response {
		req := mustRequest(t, "POST", f.url("lambdaaws1", "test", "/pets/7"), strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return f.do(req)
	}
	r := post(`{"name":"Rex"}`)
	if want := `{"said":"hello Rex","got":{"id":"7","name":"Rex","stage":"test"}}`; r.status != 200 || r.body != want {
		t.Fatalf("got %d %s, want %s", r.status, r.body, want)
	}
	if r.header.Get("X-Greeting") != "hello Rex" || r.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers: %v", r.header)
	}
	if got := string(srv.Last(t).Payload); got != `{"id":"7","name":"Rex","stage":"test"}` {
		t.Errorf("payload %s", got)
	}

	tests := []struct {
		name, body string
		status     int
		want       string
	}{
		{"error matching a pattern", `{"name":"bad"}`, 400, `{"error":"Invalid name: bad"}`},
		{"error matching a pattern without template", `{"name":"gone"}`, 404, `{"errorMessage":"Not found","errorType":"Error"}`},
		// AWS: an error that matches no selectionPattern goes to the
		// default response, 200, with the error object as $input.
		{"error matching no pattern", `{"name":"partial"}`, 200, `{"said":"","got":}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(tt.body)
			if r.status != tt.status || r.body != tt.want {
				t.Fatalf("got %d %s, want %d %s", r.status, r.body, tt.status, tt.want)
			}
		})
	}
}

func TestLambdaAWSPassthrough(t *testing.T) {
	f, srv := lambdaFixture(t, func(_ context.Context, inv lambdatest.Invocation) lambdatest.Response {
		return lambdatest.Response{Payload: inv.Payload}
	}, dataplane.Options{})
	m := lambdaAWSMethod("echo")
	m.Integration.RequestTemplates = nil
	m.Integration.Responses = map[string]model.IntegrationResponse{"200": {StatusCode: "200"}}
	f.deploy(api{id: "lambdaaws2", methods: map[string]map[string]model.Method{"/pets/{id}": {"POST": m, "GET": m}}})

	r := f.do(mustRequest(t, "POST", f.url("lambdaaws2", "test", "/pets/1"), strings.NewReader(`{"raw":true}`)))
	if r.status != 200 || r.body != `{"raw":true}` {
		t.Fatalf("got %d %s", r.status, r.body)
	}
	r = f.get("lambdaaws2", "test", "/pets/1")
	if r.status != 200 || r.body != `{}` || string(srv.Last(t).Payload) != `{}` {
		t.Fatalf("empty body: got %d %s, payload %s", r.status, r.body, srv.Last(t).Payload)
	}
}

// TestLambdaEndpointOverrides sends functions to their own endpoints.
func TestLambdaEndpointOverrides(t *testing.T) {
	answer := func(who string) lambdatest.Handler {
		return func(context.Context, lambdatest.Invocation) lambdatest.Response {
			return lambdatest.Result(events.APIGatewayProxyResponse{StatusCode: 200, Body: who})
		}
	}
	def := lambdatest.NewServer(t, answer("default"))
	orders := lambdatest.NewServer(t, answer("orders"))
	c, err := lambda.New(lambda.Config{Endpoint: def.URL, Endpoints: map[string]string{"orders": orders.URL}})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, dataplane.Options{Lambda: c})
	f.deploy(api{id: "lambdaovr1", methods: map[string]map[string]model.Method{
		"/orders": {"GET": lambdaProxyMethod(testFunctionARN+"orders", 0)},
		"/users":  {"GET": lambdaProxyMethod(testFunctionARN+"users", 0)},
	}})
	for path, want := range map[string]string{"/orders": "orders", "/users": "default"} {
		if r := f.get("lambdaovr1", "test", path); r.status != 200 || r.body != want {
			t.Errorf("%s: got %d %q, want %q", path, r.status, r.body, want)
		}
	}
}

// TestLambdaAWSAsync maps X-Amz-Invocation-Type to 'Event': the function is
// queued and the caller gets the default response at once.
func TestLambdaAWSAsync(t *testing.T) {
	f, srv := lambdaFixture(t, func(context.Context, lambdatest.Invocation) lambdatest.Response {
		return lambdatest.Result(map[string]string{"never": "seen"})
	}, dataplane.Options{})
	m := lambdaAWSMethod("queue")
	m.Integration.RequestParameters = map[string]string{"integration.request.header.X-Amz-Invocation-Type": "'Event'"}
	m.Integration.Responses = map[string]model.IntegrationResponse{"200": {StatusCode: "200",
		ResponseTemplates: map[string]string{"application/json": `{"queued":true,"body":"$util.escapeJavaScript($input.body)"}`}}}
	f.deploy(api{id: "lambdaasy1", methods: map[string]map[string]model.Method{"/pets/{id}": {"POST": m}}})
	r := f.do(mustRequest(t, "POST", f.url("lambdaasy1", "test", "/pets/3"), strings.NewReader(`{"name":"Rex"}`)))
	if want := `{"queued":true,"body":"{}"}`; r.status != 200 || r.body != want {
		t.Fatalf("got %d %s, want %s", r.status, r.body, want)
	}
	inv := srv.Last(t)
	if inv.Header.Get("X-Amz-Invocation-Type") != "Event" || string(inv.Payload) != `{"id":"3","name":"Rex","stage":"test"}` {
		t.Fatalf("invocation %v %s", inv.Header, inv.Payload)
	}
}

// TestLambdaProxyEventAPIKey checks that an accepted API key shows in the
// event's identity.
func TestLambdaProxyEventAPIKey(t *testing.T) {
	f, _ := lambdaFixture(t, proxyFunction, dataplane.Options{})
	m := lambdaProxyMethod("echo", 0)
	m.APIKeyRequired = true
	f.deploy(api{id: "lambdakey1", methods: map[string]map[string]model.Method{"/pets": {"GET": m}}})
	f.changeLimits(func(tx storeTx) error {
		if err := tx.CreateUsagePlan(plan("lplan00001", "lambdakey1", "test", nil, nil)); err != nil {
			return err
		}
		return addKeys(tx, "lplan00001", model.APIKey{ID: "lkey000001", Value: "lambda-key-value-0123456789", Enabled: true})
	})
	r := f.get("lambdakey1", "test", "/pets", "x-api-key", "lambda-key-value-0123456789")
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal([]byte(r.body), &ev); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	if id := ev.RequestContext.Identity; id.APIKey != "lambda-key-value-0123456789" || id.APIKeyID != "lkey000001" {
		t.Fatalf("identity %+v", id)
	}
}

// TestLambdaProxyEventAuthorizer: behind a Lambda authorizer, the proxy
// event's requestContext.authorizer carries the principal and the
// authorizer's context, as $context.authorizer does for templates.
func TestLambdaProxyEventAuthorizer(t *testing.T) {
	fn := &authorizertest.Function{}
	auth := lambdatest.NewServer(t, fn.Handler(t))
	integ := lambdatest.NewServer(t, proxyFunction)
	c, err := lambda.New(lambda.Config{Endpoint: integ.URL, Endpoints: map[string]string{"auth": auth.URL}})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureWith(t, dataplane.Options{Lambda: c})
	m := lambdaProxyMethod("echo", 0)
	m.AuthorizationType, m.AuthorizerID = "CUSTOM", "tok001"
	f.deploy(api{id: "lambdaauth", authorizers: []model.Authorizer{tokenAuthorizer(0)},
		methods: map[string]map[string]model.Method{"/pets": {"GET": m}}})
	r := f.get("lambdaauth", "test", "/pets", "Authorization", "allow:*")
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal([]byte(r.body), &ev); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
	a := ev.RequestContext.Authorizer
	if a["principalId"] != "user-1" || a["user"] != "alice" {
		t.Errorf("requestContext.authorizer = %v, want principalId user-1 and user alice", a)
	}
	if n := len(auth.Invocations()); n != 1 {
		t.Errorf("%d authorizer invocations, want 1", n)
	}
	if r := f.get("lambdaauth", "test", "/pets", "Authorization", "deny:*"); r.status != 403 {
		t.Errorf("denied: %d %s, want 403", r.status, r.body)
	}
	if n := len(integ.Invocations()); n != 1 {
		t.Errorf("%d integration invocations, want 1 (a denied call must not reach the function)", n)
	}
}
