package server

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// TestRequestValidationEndToEnd configures request validation with
// aws-sdk-go-v2 against a real Gantry (models referring to each other, a
// request validator, a method with required parameters and a request
// model), deploys it and calls it over HTTP: both validation failures with
// their built-in gateway responses, then customized ones (one template uses
// $context.error.validationErrorString). The back end, a real server on
// loopback, must never see an invalid request.
func TestRequestValidationEndToEnd(t *testing.T) {
	var calls atomic.Int64
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"created":true}`)
	}))
	defer backend.Close()

	s := start(t, Config{Addr: "127.0.0.1:0", DataDir: t.TempDir()})
	base := "http://" + s.Addr().String()
	ctx := context.Background()
	c := sdkClient(base)
	must := fatalIf(t)

	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("mail")})
	must(err)
	id := api.Id
	_, err = c.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: id, Name: aws.String("Address"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"type":"string","pattern":"^[^@]+@[^@]+$"}`)})
	must(err)
	_, err = c.CreateModel(ctx, &apigateway.CreateModelInput{RestApiId: id, Name: aws.String("Message"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"$schema":"http://json-schema.org/draft-04/schema#","type":"object","required":["to","subject","body"],
			"properties":{"to":{"$ref":"https://apigateway.amazonaws.com/restapis/` + *id + `/models/Address"},
			"subject":{"type":"string","maxLength":20},"body":{"type":"string"}}}`)})
	must(err)
	validator, err := c.CreateRequestValidator(ctx, &apigateway.CreateRequestValidatorInput{RestApiId: id, Name: aws.String("all"),
		ValidateRequestBody: true, ValidateRequestParameters: true})
	must(err)
	res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: api.RootResourceId, PathPart: aws.String("messages")})
	must(err)
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String("POST"), AuthorizationType: aws.String("NONE"),
		RequestValidatorId: validator.Id,
		RequestParameters: map[string]bool{"method.request.header.x-tenant": true, "method.request.querystring.priority": true,
			"method.request.querystring.trace": false},
		RequestModels: map[string]string{"application/json": "Message"}})
	must(err)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String("POST"),
		Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String(backend.URL + "/send")})
	must(err)
	deploy := func() {
		t.Helper()
		_, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("v1")})
		must(err)
	}
	deploy()

	post := func(query, tenant, body string) (int, http.Header, string) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, base+"/restapis/"+*id+"/v1/_user_request_/messages"+query, strings.NewReader(body))
		must(err)
		req.Header.Set("Content-Type", "application/json")
		if tenant != "" {
			req.Header.Set("x-tenant", tenant)
		}
		resp, err := http.DefaultClient.Do(req)
		must(err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	check := func(label string, status int, h http.Header, body string, wantStatus int, wantType, wantBody string) {
		t.Helper()
		if status != wantStatus || h.Get("x-amzn-ErrorType") != wantType || body != wantBody {
			t.Errorf("%s: got %d %q %s\nwant %d %q %s", label, status, h.Get("x-amzn-ErrorType"), body, wantStatus, wantType, wantBody)
		}
	}
	const good = `{"to":"ann@example.com","subject":"hi","body":"hello"}`

	// Built-in gateway responses.
	status, h, body := post("", "", good)
	check("missing parameters", status, h, body, 400, "BadRequestException", `{"message":"Missing required request parameters: [x-tenant, priority]"}`)
	status, h, body = post("?priority=", "acme", good)
	check("blank parameter", status, h, body, 400, "BadRequestException", `{"message":"Missing required request parameters: [priority]"}`)
	status, h, body = post("?priority=high", "acme", `{"to":"ann"}`)
	check("invalid body", status, h, body, 400, "BadRequestException", `{"message":"Invalid request body"}`)
	if n := calls.Load(); n != 0 {
		t.Fatalf("the back end was called %d times for invalid requests", n)
	}
	status, _, body = post("?priority=high", "acme", good)
	if status != 200 || body != `{"created":true}` || calls.Load() != 1 {
		t.Fatalf("valid request: %d %s (back end calls %d)", status, body, calls.Load())
	}

	// Customized gateway responses reach callers with a new deployment.
	_, err = c.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeBadRequestBody,
		StatusCode:         aws.String("422"),
		ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
		ResponseTemplates: map[string]string{"application/json": `{"message": $context.error.messageString, ` +
			`"errors": "$context.error.validationErrorString", "request": "$context.requestId"}`}})
	must(err)
	_, err = c.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeBadRequestParameters,
		ResponseTemplates: map[string]string{"application/json": `{"problem":$context.error.messageString,"type":"$context.error.responseType"}`}})
	must(err)
	deploy()

	status, h, body = post("?priority=high", "acme", `{"to":"ann","subject":"a subject that is much too long"}`)
	wantPrefix := `{"message": "Invalid request body", "errors": "[object has missing required properties (["body"])]", "request": "`
	if status != 422 || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("x-amzn-ErrorType") != "BadRequestException" ||
		!strings.HasPrefix(body, wantPrefix) || !strings.Contains(body, h.Get("x-amzn-RequestId")) {
		t.Errorf("customized BAD_REQUEST_BODY: %d %v\n got %s\nwant %s<request id>\"}", status, h, body, wantPrefix)
	}
	status, h, body = post("?priority=high", "acme", `{"to":"ann","subject":"a subject that is much too long","body":"x"}`)
	// Members are reported in name order: subject before to.
	wantPrefix = `{"message": "Invalid request body", "errors": "[string "a subject that is much too long" is too long (length: 31, maximum allowed: 20), ` +
		`ECMA 262 regex "^[^@]+@[^@]+$" does not match input string "ann"]"`
	if status != 422 || !strings.HasPrefix(body, wantPrefix) {
		t.Errorf("two errors: %d\n got %s\nwant %s...", status, body, wantPrefix)
	}
	status, h, body = post("", "acme", good)
	check("customized BAD_REQUEST_PARAMETERS", status, h, body, 400, "BadRequestException",
		`{"problem":"Missing required request parameters: [priority]","type":"BAD_REQUEST_PARAMETERS"}`)
	if n := calls.Load(); n != 1 {
		t.Errorf("the back end was called %d times, want only the one valid request", n)
	}

	// A model in use cannot be deleted.
	_, err = c.DeleteModel(ctx, &apigateway.DeleteModelInput{RestApiId: id, ModelName: aws.String("Message")})
	if err == nil || !strings.Contains(err.Error(), "Cannot delete model 'Message', is referenced in method request: /messages/POST") {
		t.Errorf("DeleteModel of a model in use: %v", err)
	}
}
