package server

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// TestUsagePlansEndToEnd drives API keys, usage plans, throttling and
// quotas the way a user does: configured with aws-sdk-go-v2 against a real
// Gantry, exercised with real HTTP. It covers INVALID_API_KEY, THROTTLED and
// QUOTA_EXCEEDED built-in, customized and through DEFAULT_4XX, GetUsage and
// UpdateUsage, and a quota that survives a restart.
func TestUsagePlansEndToEnd(t *testing.T) {
	dir := t.TempDir()
	s := start(t, Config{Addr: "127.0.0.1:0", DataDir: dir})
	base := "http://" + s.Addr().String()
	ctx := context.Background()
	c := sdkClient(base)
	must := fatalIf(t)

	// An API whose GET /pets requires a key, and GET /free that does not.
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("metered")})
	must(err)
	id := api.Id
	for _, p := range []struct {
		part string
		key  bool
	}{{"pets", true}, {"free", false}} {
		res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: api.RootResourceId, PathPart: aws.String(p.part)})
		must(err)
		_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
			AuthorizationType: aws.String("NONE"), ApiKeyRequired: p.key})
		must(err)
		_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
			Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
		must(err)
		_, err = c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
		must(err)
		_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: id, ResourceId: res.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
			ResponseTemplates: map[string]string{"application/json": `{"key":"$context.identity.apiKeyId"}`}})
		must(err)
	}
	deploy := func() {
		t.Helper()
		_, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("prod")})
		must(err)
	}
	deploy()

	key, err := c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("customer"), Enabled: true})
	must(err)
	plan, err := c.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{
		Name:      aws.String("basic"),
		ApiStages: []types.ApiStage{{ApiId: id, Stage: aws.String("prod")}},
		Quota:     &types.QuotaSettings{Limit: 5, Period: types.QuotaPeriodTypeDay},
	})
	must(err)

	type answer struct {
		status    int
		errorType string
		body      string
		header    http.Header
	}
	call := func(path, apiKey string) answer {
		t.Helper()
		req, _ := http.NewRequest("GET", base+"/restapis/"+*id+"/prod/_user_request_"+path, nil)
		if apiKey != "" {
			req.Header.Set("x-api-key", apiKey)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), string(b), resp.Header}
	}
	want := func(what string, got answer, status int, errorType, body string) {
		t.Helper()
		if got.status != status || got.errorType != errorType || got.body != body {
			t.Errorf("%s: got %d %s %s, want %d %s %s", what, got.status, got.errorType, got.body, status, errorType, body)
		}
	}

	// The key is in no plan yet.
	want("key in no plan", call("/pets", *key.Value), 403, "ForbiddenException", `{"message":"Forbidden"}`)
	_, err = c.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")})
	must(err)
	want("no key", call("/pets", ""), 403, "ForbiddenException", `{"message":"Forbidden"}`)
	for i := range 5 {
		want("within quota", call("/pets", *key.Value), 200, "", `{"key":"`+*key.Id+`"}`)
		_ = i
	}
	want("quota exhausted", call("/pets", *key.Value), 429, "LimitExceededException", `{"message":"Limit Exceeded"}`)
	want("method without a key", call("/free", ""), 200, "", `{"key":""}`)

	today := time.Now().UTC().Format("2006-01-02")
	usage := func() [][]int64 {
		t.Helper()
		u, err := c.GetUsage(ctx, &apigateway.GetUsageInput{UsagePlanId: plan.Id, StartDate: aws.String(today), EndDate: aws.String(today)})
		must(err)
		return u.Items[*key.Id]
	}
	if got := usage(); !reflect.DeepEqual(got, [][]int64{{5, 0}}) {
		t.Errorf("GetUsage after 5 let through and 1 refused: %v, want [[5 0]]", got)
	}
	_, err = c.UpdateUsage(ctx, &apigateway.UpdateUsageInput{UsagePlanId: plan.Id, KeyId: key.Id,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/remaining"), Value: aws.String("2")}}})
	must(err)
	want("granted 1/2", call("/pets", *key.Value), 200, "", `{"key":"`+*key.Id+`"}`)
	want("granted 2/2", call("/pets", *key.Value), 200, "", `{"key":"`+*key.Id+`"}`)
	want("grant used up", call("/pets", *key.Value), 429, "LimitExceededException", `{"message":"Limit Exceeded"}`)
	if got := usage(); !reflect.DeepEqual(got, [][]int64{{7, 0}}) {
		t.Errorf("GetUsage after UpdateUsage: %v, want [[7 0]]", got)
	}

	// The quota survives a restart.
	must(s.Shutdown(ctx))
	s = start(t, Config{Addr: s.Addr().String(), DataDir: dir})
	defer s.Shutdown(ctx)
	want("quota after restart", call("/pets", *key.Value), 429, "LimitExceededException", `{"message":"Limit Exceeded"}`)
	if got := usage(); !reflect.DeepEqual(got, [][]int64{{7, 0}}) {
		t.Errorf("GetUsage after restart: %v, want [[7 0]]", got)
	}

	// Throttling from the stage's method settings: rate 0, burst 0 for
	// GET /free.
	_, err = c.UpdateStage(ctx, &apigateway.UpdateStageInput{RestApiId: id, StageName: aws.String("prod"), PatchOperations: []types.PatchOperation{
		{Op: types.OpReplace, Path: aws.String("/~1free/GET/throttling/rateLimit"), Value: aws.String("0")},
		{Op: types.OpReplace, Path: aws.String("/~1free/GET/throttling/burstLimit"), Value: aws.String("0")},
	}})
	must(err)
	want("throttled", call("/free", ""), 429, "TooManyRequestsException", `{"message":"Too Many Requests"}`)

	// Customized: INVALID_API_KEY and QUOTA_EXCEEDED themselves, THROTTLED
	// through DEFAULT_4XX. Gateway responses reach callers with a
	// deployment.
	custom := func(typ types.GatewayResponseType, status string) {
		t.Helper()
		in := &apigateway.PutGatewayResponseInput{RestApiId: id, ResponseType: typ,
			ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
			ResponseTemplates:  map[string]string{"application/json": `{"error":"$context.error.responseType","said":$context.error.messageString}`}}
		if status != "" {
			in.StatusCode = aws.String(status)
		}
		_, err := c.PutGatewayResponse(ctx, in)
		must(err)
	}
	custom(types.GatewayResponseTypeInvalidApiKey, "401")
	custom(types.GatewayResponseTypeQuotaExceeded, "")
	custom(types.GatewayResponseTypeDefault4xx, "")
	deploy()
	got := call("/pets", "wrong-key-value-000000000000")
	want("customized INVALID_API_KEY", got, 401, "ForbiddenException", `{"error":"INVALID_API_KEY","said":"Forbidden"}`)
	if got.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("customized INVALID_API_KEY headers: %v", got.header)
	}
	want("customized QUOTA_EXCEEDED", call("/pets", *key.Value), 429, "LimitExceededException", `{"error":"QUOTA_EXCEEDED","said":"Limit Exceeded"}`)
	want("THROTTLED through DEFAULT_4XX", call("/free", ""), 429, "TooManyRequestsException", `{"error":"THROTTLED","said":"Too Many Requests"}`)
}
