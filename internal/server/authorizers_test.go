package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/gantryproject/gantry/internal/authorizer/authorizertest"
	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/lambda/lambdatest"
)

const authFunctionURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:authorizer/invocations"

// answer is a data-plane response with its body read.
type answer struct {
	status    int
	errorType string
	body      string
	header    http.Header
}

func invoke(t *testing.T, url string, header ...string) answer {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), string(b), resp.Header}
}

func (a answer) want(t *testing.T, label string, status int, errorType, body string) {
	t.Helper()
	if a.status != status || a.errorType != errorType || a.body != body {
		t.Errorf("%s: got %d %q %s, want %d %q %s", label, a.status, a.errorType, a.body, status, errorType, body)
	}
}

// authAPI builds, with the SDK, an API whose GET /pets and GET /admin use
// authorizer auth (authType CUSTOM or COGNITO_USER_POOLS, with scopes), and
// whose MOCK integrations echo $context.authorizer.
func authAPI(t *testing.T, c *apigateway.Client, name string, auth func(id string) (authType, authorizer string), scopes map[string][]string) string {
	t.Helper()
	ctx := context.Background()
	must := fatalIf(t)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String(name)})
	must(err)
	authType, authID := auth(*api.Id)
	for _, part := range []string{"pets", "admin"} {
		res, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: api.Id, ParentId: api.RootResourceId, PathPart: aws.String(part)})
		must(err)
		_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
			AuthorizationType: aws.String(authType), AuthorizerId: aws.String(authID), AuthorizationScopes: scopes[part]})
		must(err)
		_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"),
			Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
		must(err)
		_, err = c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
		must(err)
		_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: api.Id, ResourceId: res.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
			ResponseTemplates: map[string]string{"application/json": `{"principal":"$context.authorizer.principalId","user":"$context.authorizer.user","n":"$context.authorizer.n","email":"$context.authorizer.claims.email"}`}})
		must(err)
	}
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("prod")})
	must(err)
	return *api.Id
}

// TestLambdaAuthorizerEndToEnd configures a TOKEN authorizer with the SDK
// and calls the stage over HTTP: every outcome becomes its gateway
// response, built in and then customized.
func TestLambdaAuthorizerEndToEnd(t *testing.T) {
	fn := &authorizertest.Function{}
	inv := lambdatest.NewServer(t, fn.Handler(t))
	s := start(t, Config{Addr: "127.0.0.1:0", InMemory: true, Lambda: lambda.Config{Endpoint: inv.URL}})
	base := "http://" + s.Addr().String()
	c := sdkClient(base)
	ctx := context.Background()
	must := fatalIf(t)
	var authID string
	id := authAPI(t, c, "guarded", func(api string) (string, string) {
		a, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: aws.String(api), Name: aws.String("tokens"),
			Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(authFunctionURI), IdentitySource: aws.String("method.request.header.Authorization"),
			IdentityValidationExpression: aws.String("[a-z]+(:.*)?"), AuthorizerResultTtlInSeconds: aws.Int32(0)})
		must(err)
		authID = *a.Id
		return "CUSTOM", *a.Id
	}, nil)
	pets := base + "/restapis/" + id + "/prod/_user_request_/pets"
	arnPets := "arn:aws:execute-api:us-east-1:000000000000:" + id + "/prod/GET/pets"
	const nullBody = `{"message":null}`

	invoke(t, pets).want(t, "no token", 401, "UnauthorizedException", `{"message":"Unauthorized"}`)
	invoke(t, pets, "Authorization", "NOT-VALID").want(t, "token failing the validation expression", 401, "UnauthorizedException", `{"message":"Unauthorized"}`)
	if n := len(inv.Invocations()); n != 0 {
		t.Errorf("the authorizer ran %d times for requests without a valid token", n)
	}
	invoke(t, pets, "Authorization", "allow:"+arnPets).want(t, "allowed", 200, "",
		`{"principal":"user-1","user":"alice","n":"3","email":""}`)
	ev := fn.Events()[0]
	if ev["type"] != "TOKEN" || ev["authorizationToken"] != "allow:"+arnPets || ev["methodArn"] != arnPets {
		t.Errorf("TOKEN event: %v", ev)
	}
	invoke(t, pets, "Authorization", "allow:"+strings.Replace(arnPets, "/pets", "/admin", 1)).want(t, "allowed elsewhere only", 403, "AccessDeniedException",
		`{"Message":"User is not authorized to access this resource"}`)
	invoke(t, pets, "Authorization", "deny:*").want(t, "explicit deny", 403, "AccessDeniedException",
		`{"Message":"User is not authorized to access this resource with an explicit deny"}`)
	invoke(t, pets, "Authorization", "unauthorized").want(t, "Unauthorized error", 401, "UnauthorizedException", `{"message":"Unauthorized"}`)
	invoke(t, pets, "Authorization", "boom").want(t, "other error", 500, "AuthorizerConfigurationException", nullBody)
	invoke(t, pets, "Authorization", "malformed").want(t, "malformed output", 500, "AuthorizerConfigurationException", nullBody)
	invoke(t, pets, "Authorization", "badcontext").want(t, "object in context", 500, "AuthorizerConfigurationException", nullBody)

	// Customized gateway responses, deployed.
	put := func(rt types.GatewayResponseType, status string, params, templates map[string]string) {
		t.Helper()
		in := &apigateway.PutGatewayResponseInput{RestApiId: aws.String(id), ResponseType: rt, ResponseParameters: params, ResponseTemplates: templates}
		if status != "" {
			in.StatusCode = aws.String(status)
		}
		_, err := c.PutGatewayResponse(ctx, in)
		must(err)
	}
	put(types.GatewayResponseTypeAccessDenied, "", map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
		"gatewayresponse.header.X-Principal": "context.authorizer.principalId"},
		map[string]string{"application/json": `{"message":$context.error.messageString,"reason":"$context.authorizer.reason"}`})
	put(types.GatewayResponseTypeUnauthorized, "", map[string]string{"gatewayresponse.header.WWW-Authenticate": "'Bearer'"},
		map[string]string{"application/json": `{"error":"login","type":"$context.error.responseType"}`})
	put(types.GatewayResponseTypeAuthorizerConfigurationError, "503", nil, map[string]string{"application/json": `{"oops":$context.error.messageString}`})
	_, err := c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: aws.String(id), StageName: aws.String("prod")})
	must(err)
	r := invoke(t, pets, "Authorization", "deny:*")
	r.want(t, "customized deny", 403, "AccessDeniedException", `{"message":"User is not authorized to access this resource with an explicit deny","reason":"account suspended"}`)
	if r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("X-Principal") != "user-1" {
		t.Errorf("customized deny headers: %v", r.header)
	}
	r = invoke(t, pets)
	r.want(t, "customized missing token", 401, "UnauthorizedException", `{"error":"login","type":"UNAUTHORIZED"}`)
	if r.header.Get("WWW-Authenticate") != "Bearer" {
		t.Errorf("customized 401 headers: %v", r.header)
	}
	invoke(t, pets, "Authorization", "boom").want(t, "customized configuration error", 503, "AuthorizerConfigurationException", `{"oops":null}`)

	// TestInvokeAuthorizer runs the function on a simulated request.
	out, err := c.TestInvokeAuthorizer(ctx, &apigateway.TestInvokeAuthorizerInput{RestApiId: aws.String(id), AuthorizerId: aws.String(authID),
		Headers: map[string]string{"Authorization": "allow:*"}, PathWithQueryString: aws.String("/pets")})
	must(err)
	if out.ClientStatus != 200 || *out.PrincipalId != "user-1" || !strings.Contains(*out.Policy, `"Effect":"Allow"`) || out.Authorization["user"][0] != "alice" {
		t.Errorf("TestInvokeAuthorizer: %+v", out)
	}
	if ev := fn.Events()[len(fn.Events())-1]; ev["methodArn"] != "arn:aws:execute-api:us-east-1:000000000000:"+id+"/ESTestInvoke-stage/GET/pets" {
		t.Errorf("TestInvokeAuthorizer methodArn: %v", ev["methodArn"])
	}
	out, err = c.TestInvokeAuthorizer(ctx, &apigateway.TestInvokeAuthorizerInput{RestApiId: aws.String(id), AuthorizerId: aws.String(authID)})
	must(err)
	if out.ClientStatus != 401 {
		t.Errorf("TestInvokeAuthorizer without a token: %+v", out)
	}
	_, err = c.FlushStageAuthorizersCache(ctx, &apigateway.FlushStageAuthorizersCacheInput{RestApiId: aws.String(id), StageName: aws.String("prod")})
	must(err)
	// Seven calls before the customization, two after, one test
	// invocation: with caching off, each request with a token ran it.
	if n := len(inv.Invocations()); n != 10 {
		t.Errorf("the authorizer ran %d times, want 10", n)
	}
}

// TestCognitoAuthorizerEndToEnd verifies Cognito user pool tokens against
// the pool's keys, served by a local issuer that Gantry is pointed at.
func TestCognitoAuthorizerEndToEnd(t *testing.T) {
	iss := authorizertest.NewIssuer(t)
	s := start(t, Config{Addr: "127.0.0.1:0", InMemory: true, CognitoURL: iss.URL})
	base := "http://" + s.Addr().String()
	c := sdkClient(base)
	ctx := context.Background()
	const pool = "us-east-1_Pool1"
	id := authAPI(t, c, "pooled", func(api string) (string, string) {
		a, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: aws.String(api), Name: aws.String("users"),
			Type:           types.AuthorizerTypeCognitoUserPools,
			ProviderARNs:   []string{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/" + pool},
			IdentitySource: aws.String("method.request.header.Authorization")})
		fatalIf(t)(err)
		return "COGNITO_USER_POOLS", *a.Id
	}, map[string][]string{"admin": {"pets/admin"}})
	pets := base + "/restapis/" + id + "/prod/_user_request_/pets"
	admin := base + "/restapis/" + id + "/prod/_user_request_/admin"
	now := time.Now().Unix()
	claims := func(extra map[string]any) map[string]any {
		m := map[string]any{"sub": "u-1", "iss": iss.IssuerOf(pool), "token_use": "id", "email": "a@example.com", "exp": now + 600, "iat": now}
		for k, v := range extra {
			if v == nil {
				delete(m, k)
				continue
			}
			m[k] = v
		}
		return m
	}
	const unauth = `{"message":"Unauthorized"}`
	invoke(t, pets, "Authorization", iss.Sign(t, claims(nil))).want(t, "id token", 200, "", `{"principal":"","user":"","n":"","email":"a@example.com"}`)
	invoke(t, pets, "Authorization", "Bearer "+iss.Sign(t, claims(nil))).want(t, "bearer id token", 200, "", `{"principal":"","user":"","n":"","email":"a@example.com"}`)
	invoke(t, pets).want(t, "no token", 401, "UnauthorizedException", unauth)
	invoke(t, pets, "Authorization", "not-a-jwt").want(t, "garbage", 401, "UnauthorizedException", unauth)
	invoke(t, pets, "Authorization", iss.Sign(t, claims(map[string]any{"exp": now - 1}))).want(t, "expired", 401, "UnauthorizedException", unauth)
	invoke(t, pets, "Authorization", iss.Sign(t, claims(map[string]any{"nbf": now + 300}))).want(t, "not yet valid", 401, "UnauthorizedException", unauth)
	invoke(t, pets, "Authorization", iss.Sign(t, claims(map[string]any{"iss": iss.IssuerOf("us-east-1_Other")}))).want(t, "other pool", 401, "UnauthorizedException", unauth)
	invoke(t, pets, "Authorization", iss.Sign(t, claims(map[string]any{"token_use": "refresh"}))).want(t, "token_use", 401, "UnauthorizedException", unauth)
	tok := iss.Sign(t, claims(nil))
	forged := tok[:strings.LastIndexByte(tok, '.')] + "." + strings.Repeat("A", 342)
	invoke(t, pets, "Authorization", forged).want(t, "bad signature", 401, "UnauthorizedException", unauth)
	// Scopes: an access token granting one of the method's scopes.
	access := func(scope string) string {
		return iss.Sign(t, claims(map[string]any{"token_use": "access", "scope": scope, "email": nil}))
	}
	invoke(t, admin, "Authorization", access("openid pets/admin")).want(t, "access token with the scope", 200, "", `{"principal":"","user":"","n":"","email":""}`)
	invoke(t, admin, "Authorization", access("openid pets/read")).want(t, "access token without the scope", 401, "UnauthorizedException", unauth)
	invoke(t, admin, "Authorization", iss.Sign(t, claims(nil))).want(t, "id token on a scoped method", 401, "UnauthorizedException", unauth)
	invoke(t, pets, "Authorization", access("pets/admin")).want(t, "access token on a method without scopes", 401, "UnauthorizedException", unauth)

	// TestInvokeAuthorizer answers the claims.
	list, err := c.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: aws.String(id)})
	fatalIf(t)(err)
	out, err := c.TestInvokeAuthorizer(ctx, &apigateway.TestInvokeAuthorizerInput{RestApiId: aws.String(id), AuthorizerId: list.Items[0].Id,
		Headers: map[string]string{"Authorization": iss.Sign(t, claims(nil))}})
	fatalIf(t)(err)
	if out.ClientStatus != 200 || out.Claims["email"] != "a@example.com" {
		b, _ := json.Marshal(out)
		t.Errorf("TestInvokeAuthorizer: %s", b)
	}
}
