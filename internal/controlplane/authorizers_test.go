package controlplane_test

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

const (
	testFunctionURI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:auth/invocations"
	testUserPoolARN = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_abcdef"
	msgNeedsAuth    = "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."
)

func createTokenAuthorizer(t testing.TB, c *apigateway.Client, api string) string {
	t.Helper()
	out, err := c.CreateAuthorizer(ctx(), &apigateway.CreateAuthorizerInput{RestApiId: aws.String(api), Name: aws.String("token"),
		Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(testFunctionURI), IdentitySource: aws.String("method.request.header.Authorization")})
	if err != nil {
		t.Fatalf("CreateAuthorizer: %v", err)
	}
	return *out.Id
}

func createCognitoAuthorizer(t testing.TB, c *apigateway.Client, api string) string {
	t.Helper()
	out, err := c.CreateAuthorizer(ctx(), &apigateway.CreateAuthorizerInput{RestApiId: aws.String(api), Name: aws.String("pool"),
		Type: types.AuthorizerTypeCognitoUserPools, ProviderARNs: []string{testUserPoolARN}, IdentitySource: aws.String("method.request.header.Authorization")})
	if err != nil {
		t.Fatalf("CreateAuthorizer: %v", err)
	}
	return *out.Id
}

func TestAuthorizerLifecycle(t *testing.T) {
	c, api, root := resSetup(t)
	created, err := c.CreateAuthorizer(ctx(), &apigateway.CreateAuthorizerInput{RestApiId: aws.String(api), Name: aws.String("req"),
		Type: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(testFunctionURI),
		IdentitySource:               aws.String("method.request.header.X-User, method.request.querystring.tenant,stageVariables.env,context.stage"),
		AuthorizerResultTtlInSeconds: aws.Int32(60), AuthorizerCredentials: aws.String("arn:aws:iam::000000000000:role/invoker")})
	if err != nil {
		t.Fatal(err)
	}
	if len(*created.Id) != 6 || *created.Name != "req" || created.Type != types.AuthorizerTypeRequest || *created.AuthorizerResultTtlInSeconds != 60 {
		t.Errorf("created: %+v", created)
	}
	pool := createCognitoAuthorizer(t, c, api)
	got, err := c.GetAuthorizer(ctx(), &apigateway.GetAuthorizerInput{RestApiId: aws.String(api), AuthorizerId: aws.String(pool)})
	if err != nil || !reflect.DeepEqual(got.ProviderARNs, []string{testUserPoolARN}) || *got.AuthorizerResultTtlInSeconds != 300 {
		t.Errorf("get: %+v %v", got, err)
	}
	list, err := c.GetAuthorizers(ctx(), &apigateway.GetAuthorizersInput{RestApiId: aws.String(api), Limit: aws.Int32(1)})
	if err != nil || len(list.Items) != 1 || *list.Items[0].Id != *created.Id || list.Position == nil {
		t.Fatalf("page 1: %+v %v", list, err)
	}
	list, err = c.GetAuthorizers(ctx(), &apigateway.GetAuthorizersInput{RestApiId: aws.String(api), Position: list.Position})
	if err != nil || len(list.Items) != 1 || *list.Items[0].Id != pool || list.Position != nil {
		t.Errorf("page 2: %+v %v", list, err)
	}

	upd, err := c.UpdateAuthorizer(ctx(), &apigateway.UpdateAuthorizerInput{RestApiId: aws.String(api), AuthorizerId: aws.String(pool),
		PatchOperations: []types.PatchOperation{
			patchOp(types.OpReplace, "/name", aws.String("renamed")),
			patchOp(types.OpAdd, "/providerARNs", aws.String(testUserPoolARN+"2")),
			patchOp(types.OpReplace, "/authorizerResultTtlInSeconds", aws.String("0")),
			patchOp(types.OpReplace, "/identityValidationExpression", aws.String("^Bearer .+$")),
		}})
	if err != nil || *upd.Name != "renamed" || len(upd.ProviderARNs) != 2 || *upd.AuthorizerResultTtlInSeconds != 0 || *upd.IdentityValidationExpression != "^Bearer .+$" {
		t.Errorf("update: %+v %v", upd, err)
	}

	// A method names an authorizer of its kind.
	put := func(authType, id string) error {
		_, err := c.PutMethod(ctx(), &apigateway.PutMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(root),
			HttpMethod: aws.String("GET"), AuthorizationType: aws.String(authType), AuthorizerId: aws.String(id)})
		return err
	}
	wantAPIError(t, put("CUSTOM", "nope00"), 400, "BadRequestException", msgNeedsAuth)
	wantAPIError(t, put("CUSTOM", pool), 400, "BadRequestException", msgNeedsAuth)
	wantAPIError(t, put("COGNITO_USER_POOLS", *created.Id), 400, "BadRequestException", msgNeedsAuth)
	if err := put("CUSTOM", *created.Id); err != nil {
		t.Fatal(err)
	}
	// In use: refused with AWS's text, and nothing is deleted.
	_, err = c.DeleteAuthorizer(ctx(), &apigateway.DeleteAuthorizerInput{RestApiId: aws.String(api), AuthorizerId: created.Id})
	wantAPIError(t, err, 409, "ConflictException", "Cannot delete authorizer 'req', is referenced in method: GET//")
	if _, err := c.DeleteAuthorizer(ctx(), &apigateway.DeleteAuthorizerInput{RestApiId: aws.String(api), AuthorizerId: aws.String(pool)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetAuthorizer(ctx(), &apigateway.GetAuthorizerInput{RestApiId: aws.String(api), AuthorizerId: aws.String(pool)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Authorizer identifier specified")
	_, err = c.DeleteAuthorizer(ctx(), &apigateway.DeleteAuthorizerInput{RestApiId: aws.String(api), AuthorizerId: aws.String(pool)})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Authorizer identifier specified")
	_, err = c.GetAuthorizers(ctx(), &apigateway.GetAuthorizersInput{RestApiId: aws.String("missing000")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:missing000")
}

func TestAuthorizerValidation(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "v")
	create := func(in apigateway.CreateAuthorizerInput) error {
		in.RestApiId = aws.String(api)
		if in.Name == nil {
			in.Name = aws.String("a")
		}
		_, err := c.CreateAuthorizer(ctx(), &in)
		return err
	}
	cases := []struct {
		name string
		in   apigateway.CreateAuthorizerInput
		msg  string
	}{
		{"bad type", apigateway.CreateAuthorizerInput{Type: "JWT"},
			"1 validation error detected: Value 'JWT' at 'createAuthorizerInput.type' failed to satisfy constraint: Member must satisfy enum value set: [TOKEN, REQUEST, COGNITO_USER_POOLS]"},
		{"no URI", apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeToken, IdentitySource: aws.String("method.request.header.A")},
			"Invalid Authorizer URI: null. Authorizer URI should be a valid API Gateway ARN that represents a Lambda function invocation."},
		{"bad URI", apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String("arn:aws:lambda:us-east-1:1:function:f"), IdentitySource: aws.String("method.request.header.A")},
			"Invalid Authorizer URI: arn:aws:lambda:us-east-1:1:function:f. Authorizer URI should be a valid API Gateway ARN that represents a Lambda function invocation."},
		{"token from a query string", apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(testFunctionURI), IdentitySource: aws.String("method.request.querystring.key")},
			"Invalid token source expression: method.request.querystring.key. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'"},
		{"two tokens", apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeToken, AuthorizerUri: aws.String(testFunctionURI), IdentitySource: aws.String("method.request.header.a, method.request.header.b")},
			"Invalid token source expression: method.request.header.a, method.request.header.b. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'"},
		{"request cached without sources", apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(testFunctionURI)},
			"Identity source is required for a REQUEST authorizer when authorization caching is enabled"},
		{"cognito without pools", apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeCognitoUserPools, IdentitySource: aws.String("method.request.header.A")},
			"ProviderARNs need to be specified for a COGNITO_USER_POOLS authorizer"},
		{"ttl too long", apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeCognitoUserPools, ProviderARNs: []string{testUserPoolARN},
			IdentitySource: aws.String("method.request.header.A"), AuthorizerResultTtlInSeconds: aws.Int32(3601)},
			"Authorizer result TTL must be between 0 and 3600 seconds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, status := "BadRequestException", 400
			if tc.in.Type == "JWT" {
				code = "ValidationException"
			}
			wantAPIError(t, create(tc.in), status, code, tc.msg)
		})
	}
	// REQUEST without caching needs no identity source.
	if err := create(apigateway.CreateAuthorizerInput{Type: types.AuthorizerTypeRequest, AuthorizerUri: aws.String(testFunctionURI), AuthorizerResultTtlInSeconds: aws.Int32(0)}); err != nil {
		t.Error(err)
	}
	r := do(t, srv, "POST", "/restapis/"+api+"/authorizers", []byte(`{}`))
	if r.status != 400 || string(r.body) != `{"message":"2 validation errors detected: Value null at 'createAuthorizerInput.name' failed to satisfy constraint: Member must not be null; Value null at 'createAuthorizerInput.type' failed to satisfy constraint: Member must not be null"}` {
		t.Errorf("empty body: %d %s", r.status, r.body)
	}

	id := createTokenAuthorizer(t, c, api)
	update := func(ops ...types.PatchOperation) error {
		_, err := c.UpdateAuthorizer(ctx(), &apigateway.UpdateAuthorizerInput{RestApiId: aws.String(api), AuthorizerId: aws.String(id), PatchOperations: ops})
		return err
	}
	wantAPIError(t, update(patchOp(types.OpAdd, "/name", aws.String("x"))), 400, "BadRequestException",
		"Invalid patch path  '/name' specified for op 'add'. Must be one of: [/providerARNs]")
	wantAPIError(t, update(patchOp(types.OpReplace, "/identitySource", aws.String("stageVariables.x"))), 400, "BadRequestException",
		"Invalid token source expression: stageVariables.x. The source must be a method request header, matching 'method.request.header.[a-zA-Z0-9._-]+'")
	// The failed update changed nothing.
	got, err := c.GetAuthorizer(ctx(), &apigateway.GetAuthorizerInput{RestApiId: aws.String(api), AuthorizerId: aws.String(id)})
	if err != nil || *got.IdentitySource != "method.request.header.Authorization" {
		t.Errorf("after a failed update: %+v %v", got, err)
	}
}

func TestFlushStageAuthorizersCache(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "f")
	_, err := c.FlushStageAuthorizersCache(ctx(), &apigateway.FlushStageAuthorizersCacheInput{RestApiId: aws.String(api), StageName: aws.String("dev")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid stage identifier specified")
	_ = srv
	// Without a data plane, TestInvokeAuthorizer has nothing to run.
	id := createTokenAuthorizer(t, c, api)
	_, err = c.TestInvokeAuthorizer(ctx(), &apigateway.TestInvokeAuthorizerInput{RestApiId: aws.String(api), AuthorizerId: aws.String(id)})
	wantAPIError(t, err, 501, "NotImplementedException", "Gantry does not implement the API Gateway operation TestInvokeAuthorizer yet")
}
