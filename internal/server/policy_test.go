package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/gantryproject/gantry/internal/authorizer/authorizertest"
	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/lambda/lambdatest"
	"github.com/gantryproject/gantry/internal/sigv4"
	"github.com/gantryproject/gantry/internal/sigv4/sigv4test"
)

// policyDoc is a resource policy of the given statements.
func policyDoc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// mockGET puts GET on a resource with the given authorization, answering
// 200 with body from a MOCK integration.
func mockGET(t *testing.T, c *apigateway.Client, apiID, resourceID, auth, body string) {
	t.Helper()
	ctx := context.Background()
	must := fatalIf(t)
	_, err := c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: &apiID, ResourceId: &resourceID, HttpMethod: aws.String("GET"), AuthorizationType: aws.String(auth)})
	must(err)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: &apiID, ResourceId: &resourceID, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	must(err)
	_, err = c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: &apiID, ResourceId: &resourceID, HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
	must(err)
	_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: &apiID, ResourceId: &resourceID, HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": body}})
	must(err)
}

// setPolicy replaces the API's resource policy with UpdateRestApi and
// deploys it to prod (a policy reaches the data plane through a
// deployment, as on AWS).
func setPolicy(t *testing.T, c *apigateway.Client, apiID, doc string) {
	t.Helper()
	ctx := context.Background()
	_, err := c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: &apiID,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/policy"), Value: aws.String(doc)}}})
	fatalIf(t)(err)
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &apiID, StageName: aws.String("prod")})
	fatalIf(t)(err)
}

// TestResourcePolicyEndToEnd creates an API with a resource policy through
// aws-sdk-go-v2, changes the policy with UpdateRestApi, and calls the
// deployed stage from 127.0.0.1, anonymously and signed.
func TestResourcePolicyEndToEnd(t *testing.T) {
	carol := sigv4.Identity{AccessKeyID: "AKIACAROL", SecretAccessKey: "carol-secret", AccountID: "444455556666",
		UserARN: "arn:aws:iam::444455556666:user/carol", UserID: "AIDACAROL"}
	base, c := startWith(t, bob, carol)
	ctx := context.Background()
	must := fatalIf(t)

	allowLoopback := `{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","127.0.0.0/8"]}}}`
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("guarded"), Policy: aws.String(policyDoc(allowLoopback))})
	must(err)
	id := *api.Id
	mockGET(t, c, id, *api.RootResourceId, "NONE", `{"ok":true}`)
	iamRes, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: &id, ParentId: api.RootResourceId, PathPart: aws.String("iam")})
	must(err)
	mockGET(t, c, id, *iamRes.Id, "AWS_IAM", `{"arn":"$context.identity.userArn"}`)
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: &id, StageName: aws.String("prod")})
	must(err)

	root := base + "/restapis/" + id + "/prod/_user_request_/"
	iamURL := root + "iam"
	signed := func(url string, who sigv4.Identity) answer {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		must(v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: who.AccessKeyID, SecretAccessKey: who.SecretAccessKey}, req,
			"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "execute-api", "us-east-1", time.Now()))
		resp, err := http.DefaultClient.Do(req)
		must(err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return answer{resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), string(b), resp.Header}
	}
	// The account is masked but for its last four digits.
	arn := func(method, path string) string {
		return "arn:aws:execute-api:us-east-1:********0000:" + id + "/prod/" + method + path
	}
	denied := func(user, resource, suffix string) string {
		return `{"Message":"User: ` + user + ` is not authorized to perform: execute-api:Invoke on resource: ` + resource + suffix + `"}`
	}
	const ad = "AccessDeniedException"

	invoke(t, root).want(t, "allowed by source IP", 200, "", `{"ok":true}`)
	got, err := c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: &id})
	must(err)
	// Saved as AWS saves it, with the API's ARN; returned escaped.
	if want := strings.ReplaceAll(strings.ReplaceAll(strings.Replace(policyDoc(allowLoopback), "execute-api:/",
		"arn:aws:execute-api:us-east-1:000000000000:"+id+"/", 1), `"`, `\"`), "/", `\/`); aws.ToString(got.Policy) != want {
		t.Errorf("stored policy:\n got %s\nwant %s", aws.ToString(got.Policy), want)
	}

	// Only another network is allowed: an implicit deny.
	setPolicy(t, c, id, policyDoc(`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}`))
	invoke(t, root).want(t, "implicit deny", 403, ad, denied("anonymous", arn("GET", "/"), ""))
	// The same-account IAM caller is allowed by its identity (Gantry has no
	// identity policies), a caller of another account is not.
	signed(iamURL, sigv4.Identity{AccessKeyID: "test", SecretAccessKey: "test"}).want(t, "IAM caller of the API's account", 200, "", `{"arn":"arn:aws:iam::000000000000:root"}`)
	signed(iamURL, bob).want(t, "IAM caller of another account", 403, ad, denied(bob.UserARN, arn("GET", "/iam"), ""))

	// Everything allowed but loopback: an explicit deny, which beats the
	// IAM caller's identity.
	setPolicy(t, c, id, policyDoc(
		`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}`,
		`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.1/32"}}}`))
	invoke(t, root).want(t, "denied by source IP", 403, ad, denied("anonymous", arn("GET", "/"), " with an explicit deny"))
	signed(iamURL, sigv4.Identity{AccessKeyID: "test", SecretAccessKey: "test"}).want(t, "explicit deny beats IAM", 403, ad,
		denied("arn:aws:iam::000000000000:root", arn("GET", "/iam"), " with an explicit deny"))
	// The signature is checked first: an unsigned call is told so.
	invoke(t, iamURL).want(t, "unsigned IAM call", 403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`)

	// An Allow for one principal, on the IAM method only.
	setPolicy(t, c, id, policyDoc(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/bob"]},"Action":"execute-api:Invoke","Resource":"execute-api:/prod/GET/iam"}`))
	signed(iamURL, bob).want(t, "the allowed principal, of another account", 200, "", `{"arn":"arn:aws:iam::111122223333:user/bob"}`)
	signed(iamURL, carol).want(t, "another principal of another account", 403, ad, denied(carol.UserARN, arn("GET", "/iam"), ""))
	invoke(t, root).want(t, "anonymous caller", 403, ad, denied("anonymous", arn("GET", "/"), ""))
	t.Run("botocore", func(t *testing.T) {
		path := "/restapis/" + id + "/prod/_user_request_/iam"
		got := sigv4test.Botocore(t, base, []sigv4test.Case{
			{Name: "bob", Method: "GET", Path: path, Key: bob.AccessKeyID, Secret: bob.SecretAccessKey},
			{Name: "carol", Method: "GET", Path: path, Key: carol.AccessKeyID, Secret: carol.SecretAccessKey},
		})
		if got["bob"].Status != 200 || got["carol"].Status != 403 || got["carol"].Body != denied(carol.UserARN, arn("GET", "/iam"), "") {
			t.Errorf("got %+v", got)
		}
	})

	// A policy reaches the stage only through a deployment.
	_, err = c.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: &id,
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/policy"), Value: aws.String("")}}})
	must(err)
	invoke(t, root).want(t, "updated, not deployed", 403, ad, denied("anonymous", arn("GET", "/"), ""))

	// NotIpAddress with a Deny and an unknown condition key: the Deny
	// applies (Gantry fails closed on conditions it cannot evaluate).
	setPolicy(t, c, id, policyDoc(
		`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}`,
		`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*","Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-1234567"}}}`))
	invoke(t, root).want(t, "Deny with an unknown condition key", 403, ad, denied("anonymous", arn("GET", "/"), " with an explicit deny"))

	// A customized ACCESS_DENIED renders its template, lowercase message.
	_, err = c.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: &id, ResponseType: types.GatewayResponseTypeAccessDenied,
		ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
		ResponseTemplates:  map[string]string{"application/json": `{"message":$context.error.messageString,"type":"$context.error.responseType"}`}})
	must(err)
	setPolicy(t, c, id, policyDoc(`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*/GET/"}`))
	a := invoke(t, root)
	a.want(t, "customized", 403, ad, `{"message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: `+arn("GET", "/")+` with an explicit deny","type":"ACCESS_DENIED"}`)
	if a.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("customized header: %v", a.header)
	}

	// Removing the policy (an empty value) opens the API again.
	setPolicy(t, c, id, "")
	invoke(t, root).want(t, "no policy", 200, "", `{"ok":true}`)
	// Without a policy, a caller of another account has nothing that
	// allows it (AWS's table C needs the resource policy's Allow; the
	// customized ACCESS_DENIED answers); the API's own account is allowed
	// by its identity.
	signed(iamURL, bob).want(t, "no policy, IAM caller of another account", 403, ad, `{"message":"User: `+bob.UserARN+
		` is not authorized to perform: execute-api:Invoke on resource: `+arn("GET", "/iam")+`","type":"ACCESS_DENIED"}`)
	signed(iamURL, sigv4.Identity{AccessKeyID: "test", SecretAccessKey: "test"}).want(t, "no policy, IAM caller of the API's account",
		200, "", `{"arn":"arn:aws:iam::000000000000:root"}`)
}

// TestResourcePolicyBeforeAuthorizer: a resource policy's explicit deny
// refuses the call before the Lambda authorizer runs, and its implicit
// deny leaves the decision to the authorizer (AWS's table A).
func TestResourcePolicyBeforeAuthorizer(t *testing.T) {
	fn := &authorizertest.Function{}
	inv := lambdatest.NewServer(t, fn.Handler(t))
	s := start(t, Config{Addr: "127.0.0.1:0", InMemory: true, Lambda: lambda.Config{Endpoint: inv.URL}})
	defer s.Shutdown(context.Background())
	base := "http://" + s.Addr().String()
	c := sdkClient(base)
	ctx := context.Background()
	id := authAPI(t, c, "lambda-guarded", func(api string) (string, string) {
		a, err := c.CreateAuthorizer(ctx, &apigateway.CreateAuthorizerInput{RestApiId: aws.String(api), Name: aws.String("tokens"),
			Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(authFunctionURI), IdentitySource: aws.String("method.request.header.Authorization"),
			AuthorizerResultTtlInSeconds: aws.Int32(0)})
		fatalIf(t)(err)
		return "CUSTOM", *a.Id
	}, nil)
	pets := base + "/restapis/" + id + "/prod/_user_request_/pets"
	arnPets := "arn:aws:execute-api:us-east-1:000000000000:" + id + "/prod/GET/pets"

	setPolicy(t, c, id, policyDoc(`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*/GET/pets","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}}`))
	invoke(t, pets, "Authorization", "allow:"+arnPets).want(t, "explicit deny", 403, "AccessDeniedException",
		`{"Message":"User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:********0000:`+id+`/prod/GET/pets with an explicit deny"}`)
	if n := len(inv.Invocations()); n != 0 {
		t.Errorf("the authorizer ran %d times after an explicit deny", n)
	}
	// The policy denies nothing here and allows nothing: the authorizer decides.
	setPolicy(t, c, id, policyDoc(`{"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*/GET/admin"}`))
	invoke(t, pets, "Authorization", "allow:"+arnPets).want(t, "authorizer allows", 200, "", `{"principal":"user-1","user":"alice","n":"3","email":""}`)
	invoke(t, pets, "Authorization", "deny:*").want(t, "authorizer denies", 403, "AccessDeniedException",
		`{"Message":"User is not authorized to access this resource with an explicit deny"}`)
}
