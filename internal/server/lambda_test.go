package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/lambda/lambdatest"
)

// TestLambdaEndToEnd configures Lambda integrations with aws-sdk-go-v2
// against a real Gantry whose Invoke endpoint is a lambdatest server, deploys
// them, and calls the stage over HTTP: an AWS_PROXY {proxy+} resource whose
// function comes from a stage variable, a non-proxy AWS method with
// templates and an errorMessage selection pattern, a function error under a
// customized INTEGRATION_FAILURE, and a timeout.
func TestLambdaEndToEnd(t *testing.T) {
	fn := lambdatest.NewServer(t, func(ctx context.Context, inv lambdatest.Invocation) lambdatest.Response {
		switch lambda.ParseFunction(inv.Function).Name {
		case "api":
			var ev events.APIGatewayProxyRequest
			if err := json.Unmarshal(inv.Payload, &ev); err != nil {
				return lambdatest.Error("Error", err.Error())
			}
			if ev.PathParameters["proxy"] == "boom" {
				return lambdatest.Error("Error", "boom")
			}
			if ev.PathParameters["proxy"] == "slow" {
				select {
				case <-ctx.Done():
				case <-time.After(5 * time.Second):
				}
			}
			body, _ := json.Marshal(map[string]any{"proxy": ev.PathParameters["proxy"], "q": ev.QueryStringParameters["q"], "stage": ev.RequestContext.Stage, "method": ev.HTTPMethod})
			return lambdatest.Result(events.APIGatewayProxyResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "application/json", "X-Fn": "api"}, Body: string(body)})
		case "classic":
			var in struct{ Name string }
			json.Unmarshal(inv.Payload, &in)
			if in.Name == "" {
				return lambdatest.Error("ValidationError", "Bad request: name is required")
			}
			return lambdatest.Result(map[string]string{"greeting": "hello " + in.Name})
		}
		return lambdatest.NotFound(inv.Function)
	})
	s := start(t, Config{Addr: "127.0.0.1:0", InMemory: true, Lambda: lambda.Config{Endpoint: fn.URL}})
	defer s.Shutdown(context.Background())
	base := "http://" + s.Addr().String()
	ctx := context.Background()
	c := sdkClient(base)
	must := fatalIf(t)

	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("lambda")})
	must(err)
	id := api.Id
	proxy, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: api.RootResourceId, PathPart: aws.String("{proxy+}")})
	must(err)
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: proxy.Id, HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE")})
	must(err)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: proxy.Id, HttpMethod: aws.String("ANY"),
		Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"), TimeoutInMillis: aws.Int32(200),
		Uri: aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations")})
	must(err)

	classic, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: api.RootResourceId, PathPart: aws.String("hello")})
	must(err)
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: classic.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	must(err)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: classic.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeAws, IntegrationHttpMethod: aws.String("POST"),
		Uri:              aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:classic/invocations"),
		RequestTemplates: map[string]string{"application/json": `{"name":"$input.params('name')"}`}})
	must(err)
	for _, code := range []string{"200", "400"} {
		_, err = c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: id, ResourceId: classic.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String(code)})
		must(err)
	}
	_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: id, ResourceId: classic.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		ResponseTemplates: map[string]string{"application/json": `{"message":"$input.path('$.greeting')"}`}})
	must(err)
	_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: id, ResourceId: classic.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("400"),
		SelectionPattern:  aws.String(`Bad request: .*`),
		ResponseTemplates: map[string]string{"application/json": `{"error":"$input.path('$.errorMessage')"}`}})
	must(err)

	_, err = c.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeIntegrationFailure,
		ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
		ResponseTemplates:  map[string]string{"application/json": `{"error":$context.error.messageString,"requestId":"$context.requestId"}`}})
	must(err)
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("prod"), Variables: map[string]string{"fn": "api"}})
	must(err)

	call := func(method, path string) (int, http.Header, string) {
		t.Helper()
		req, _ := http.NewRequest(method, base+"/restapis/"+*id+"/prod/_user_request_"+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}

	status, hdr, body := call("DELETE", "/pets/7?q=x")
	if want := `{"method":"DELETE","proxy":"pets/7","q":"x","stage":"prod"}`; status != 200 || body != want || hdr.Get("X-Fn") != "api" {
		t.Errorf("proxy: got %d %s %v, want %s", status, body, hdr, want)
	}
	status, _, body = call("GET", "/hello?name=Ada")
	if want := `{"message":"hello Ada"}`; status != 200 || body != want {
		t.Errorf("non-proxy: got %d %s, want %s", status, body, want)
	}
	status, _, body = call("GET", "/hello")
	if want := `{"error":"Bad request: name is required"}`; status != 400 || body != want {
		t.Errorf("non-proxy error: got %d %s, want %s", status, body, want)
	}
	status, hdr, body = call("GET", "/boom")
	if status != 502 || !strings.HasPrefix(body, `{"error":"Internal server error","requestId":"`) ||
		hdr.Get("Access-Control-Allow-Origin") != "*" || hdr.Get("x-amzn-ErrorType") != "InternalServerErrorException" {
		t.Errorf("function error: got %d %s %v", status, body, hdr)
	}
	start := time.Now()
	status, hdr, body = call("GET", "/slow")
	if status != 504 || body != `{"message":"Endpoint request timed out"}` || hdr.Get("x-amzn-ErrorType") != "InternalServerErrorException" {
		t.Errorf("timeout: got %d %s %v", status, body, hdr)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timeout took %v, want about 200ms", d)
	}
}
