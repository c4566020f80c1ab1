package controlplane_test

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// mustPutMethod puts a method with authorization NONE.
func mustPutMethod(t *testing.T, c *apigateway.Client, api, res, method string, params map[string]bool) {
	t.Helper()
	_, err := c.PutMethod(ctx(), &apigateway.PutMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(res),
		HttpMethod: aws.String(method), AuthorizationType: aws.String("NONE"), RequestParameters: params})
	if err != nil {
		t.Fatalf("PutMethod %s: %v", method, err)
	}
}

// mustPutMethodResponse puts a method response declaring the given headers.
func mustPutMethodResponse(t *testing.T, c *apigateway.Client, api, res, method, code string, headers map[string]bool) {
	t.Helper()
	_, err := c.PutMethodResponse(ctx(), &apigateway.PutMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(res),
		HttpMethod: aws.String(method), StatusCode: aws.String(code), ResponseParameters: headers})
	if err != nil {
		t.Fatalf("PutMethodResponse %s %s: %v", method, code, err)
	}
}

func getMethod(t *testing.T, c *apigateway.Client, api, res, method string) *apigateway.GetMethodOutput {
	t.Helper()
	out, err := c.GetMethod(ctx(), &apigateway.GetMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(res), HttpMethod: aws.String(method)})
	if err != nil {
		t.Fatalf("GetMethod %s: %v", method, err)
	}
	return out
}

func TestMethodLifecycle(t *testing.T) {
	c, api, root := resSetup(t)
	put, err := c.PutMethod(ctx(), &apigateway.PutMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(root),
		HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("NONE")})
	if err != nil {
		t.Fatal(err)
	}
	if *put.HttpMethod != "ANY" || *put.AuthorizationType != "NONE" || *put.ApiKeyRequired || put.RequestParameters != nil ||
		put.MethodResponses != nil || put.MethodIntegration != nil || put.AuthorizerId != nil || put.OperationName != nil {
		t.Errorf("put %+v", put)
	}
	get := getMethod(t, c, api, root, "ANY")
	if *get.HttpMethod != "ANY" || *get.AuthorizationType != "NONE" || get.ApiKeyRequired == nil || *get.ApiKeyRequired {
		t.Errorf("get %+v", get)
	}
	_, err = c.PutMethod(ctx(), &apigateway.PutMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(root),
		HttpMethod: aws.String("ANY"), AuthorizationType: aws.String("AWS_IAM")})
	wantAPIError(t, err, 409, "ConflictException", "Method already exists for this resource")
	if _, err := c.DeleteMethod(ctx(), &apigateway.DeleteMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("ANY")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetMethod(ctx(), &apigateway.GetMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("ANY")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Method identifier specified")
	_, err = c.DeleteMethod(ctx(), &apigateway.DeleteMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("ANY")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Method identifier specified")
}

func TestPutMethodAllFields(t *testing.T) {
	c, api, root := resSetup(t)
	mustCreateModel(t, c, api, "Pet", `{"type":"object"}`)
	validator := mustCreateValidator(t, c, api, "all", true, true)
	authorizer := createCognitoAuthorizer(t, c, api)
	in := &apigateway.PutMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("POST"),
		AuthorizationType:   aws.String("cognito_user_pools"),
		AuthorizerId:        aws.String(authorizer),
		ApiKeyRequired:      true,
		OperationName:       aws.String("CreatePet"),
		RequestParameters:   map[string]bool{"method.request.header.X-Trace": false, "method.request.querystring.page": true},
		RequestModels:       map[string]string{"application/json": "Pet"},
		RequestValidatorId:  aws.String(validator),
		AuthorizationScopes: []string{"pets/write"},
	}
	put, err := c.PutMethod(ctx(), in)
	if err != nil {
		t.Fatal(err)
	}
	get := getMethod(t, c, api, root, "POST")
	check := func(label string, authType, authorizerID, op, gotValidator *string, apiKey *bool, params map[string]bool, models map[string]string, scopes []string) {
		t.Helper()
		if *authType != "COGNITO_USER_POOLS" || *authorizerID != authorizer || *op != "CreatePet" || *gotValidator != validator || !*apiKey ||
			!reflect.DeepEqual(params, in.RequestParameters) || !reflect.DeepEqual(models, in.RequestModels) || !reflect.DeepEqual(scopes, in.AuthorizationScopes) {
			t.Errorf("%s: %v %v %v %v %v %v %v %v", label, *authType, *authorizerID, *op, *gotValidator, *apiKey, params, models, scopes)
		}
	}
	check("put", put.AuthorizationType, put.AuthorizerId, put.OperationName, put.RequestValidatorId, put.ApiKeyRequired, put.RequestParameters, put.RequestModels, put.AuthorizationScopes)
	check("get", get.AuthorizationType, get.AuthorizerId, get.OperationName, get.RequestValidatorId, get.ApiKeyRequired, get.RequestParameters, get.RequestModels, get.AuthorizationScopes)
}

func TestPutMethodEchoesEmptyMaps(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "raw")
	root := resRoot(t, c, api)
	r := do(t, srv, "PUT", "/restapis/"+api+"/resources/"+root+"/methods/GET", []byte(`{"authorizationType":"NONE","requestParameters":{}}`))
	want := `{"httpMethod":"GET","authorizationType":"NONE","apiKeyRequired":false,"requestParameters":{}}`
	if r.status != 201 || string(r.body) != want {
		t.Errorf("got %d %s, want %s", r.status, r.body, want)
	}
	r = do(t, srv, "PUT", "/restapis/"+api+"/resources/"+root+"/methods/POST", []byte(`{}`))
	if r.status != 400 || string(r.body) != `{"message":"1 validation error detected: Value null at 'putMethodInput.authorizationType' failed to satisfy constraint: Member must not be null"}` {
		t.Errorf("missing authorizationType: %d %s", r.status, r.body)
	}
}

func TestPutMethodErrors(t *testing.T) {
	c, api, root := resSetup(t)
	mustPutMethod(t, c, api, root, "GET", nil)
	put := func(api, res, method, auth string, mod func(*apigateway.PutMethodInput)) error {
		in := &apigateway.PutMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(res), HttpMethod: aws.String(method), AuthorizationType: aws.String(auth)}
		if mod != nil {
			mod(in)
		}
		_, err := c.PutMethod(ctx(), in)
		return err
	}
	const authMsg = "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."
	cases := []struct {
		name    string
		err     error
		status  int
		code    string
		message string
	}{
		{"unknown API", put("nope", root, "WRONG", "NONE", nil), 404, "NotFoundException", "Invalid Resource identifier specified"},
		{"unknown resource", put(api, "nope", "WRONG", "NONE", nil), 404, "NotFoundException", "Invalid Resource identifier specified"},
		{"bad verb", put(api, root, "WRONG", "NONE", nil), 400, "BadRequestException", "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"},
		{"lower-case verb", put(api, root, "post", "NONE", nil), 400, "BadRequestException", "Invalid HttpMethod specified. Valid options are GET,PUT,POST,DELETE,PATCH,OPTIONS,HEAD,ANY"},
		{"exists", put(api, root, "GET", "NONE", nil), 409, "ConflictException", "Method already exists for this resource"},
		{"custom without authorizer", put(api, root, "POST", "CUSTOM", nil), 400, "BadRequestException", authMsg},
		{"cognito without authorizer", put(api, root, "POST", "COGNITO_USER_POOLS", nil), 400, "BadRequestException", authMsg},
		{"unknown authorization type", put(api, root, "POST", "MAGIC", nil), 400, "BadRequestException",
			"Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS"},
		{"duplicate parameter name", put(api, root, "POST", "NONE", func(in *apigateway.PutMethodInput) {
			in.RequestParameters = map[string]bool{"method.request.querystring.optional": false, "method.request.header.optional": false}
		}), 400, "BadRequestException", "Parameter names must be unique across querystring, header and path"},
		{"bad parameter key", put(api, root, "POST", "NONE", func(in *apigateway.PutMethodInput) {
			in.RequestParameters = map[string]bool{"method.request.path.ok": true, "true": true, "method.request.body.x": true}
		}), 400, "BadRequestException",
			"Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: method.request.body.x, Invalid mapping expression specified: true]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.err, tc.status, tc.code, tc.message) })
	}
	_, err := c.GetMethod(ctx(), &apigateway.GetMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("POST")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Method identifier specified")
}

func TestUpdateMethod(t *testing.T) {
	c, api, root := resSetup(t)
	mustPutMethod(t, c, api, root, "ANY", nil)
	validator := mustCreateValidator(t, c, api, "body", true, false)
	update := func(ops ...types.PatchOperation) (*apigateway.UpdateMethodOutput, error) {
		return c.UpdateMethod(ctx(), &apigateway.UpdateMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("ANY"), PatchOperations: ops})
	}
	out, err := update(
		patchOp(types.OpAdd, "/requestParameters/method.request.querystring.optional", aws.String("true")),
		patchOp(types.OpAdd, "/requestModels/application~1json", aws.String("Empty")),
		patchOp(types.OpAdd, "/authorizationScopes", aws.String("pets/read")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.RequestParameters, map[string]bool{"method.request.querystring.optional": true}) ||
		!reflect.DeepEqual(out.RequestModels, map[string]string{"application/json": "Empty"}) || !reflect.DeepEqual(out.AuthorizationScopes, []string{"pets/read"}) {
		t.Errorf("add: %+v", out)
	}
	out, err = update(
		patchOp(types.OpReplace, "/operationName", aws.String("ReplacedOperationName")),
		patchOp(types.OpReplace, "/apiKeyRequired", aws.String("true")),
		patchOp(types.OpReplace, "/authorizationType", aws.String("AWS_IAM")),
		patchOp(types.OpReplace, "/requestParameters/method.request.querystring.optional", aws.String("false")),
		patchOp(types.OpReplace, "/requestValidatorId", aws.String(validator)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if *out.OperationName != "ReplacedOperationName" || !*out.ApiKeyRequired || *out.AuthorizationType != "AWS_IAM" || *out.RequestValidatorId != validator ||
		out.RequestParameters["method.request.querystring.optional"] {
		t.Errorf("replace: %+v", out)
	}
	// An authorizerId on a method that uses no authorizer is ignored.
	out, err = update(patchOp(types.OpReplace, "/authorizerId", aws.String("abc123")))
	if err != nil || out.AuthorizerId != nil {
		t.Errorf("authorizerId alone: %+v %v", out, err)
	}
	_, err = update(patchOp(types.OpReplace, "/authorizerId", aws.String("abc123")), patchOp(types.OpReplace, "/authorizationType", aws.String("CUSTOM")))
	wantAPIError(t, err, 400, "BadRequestException", "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.")
	tokenAuth := createTokenAuthorizer(t, c, api)
	out, err = update(patchOp(types.OpReplace, "/authorizerId", aws.String(tokenAuth)), patchOp(types.OpReplace, "/authorizationType", aws.String("CUSTOM")))
	if err != nil || *out.AuthorizerId != tokenAuth || *out.AuthorizationType != "CUSTOM" {
		t.Errorf("custom: %+v %v", out, err)
	}
	// Values other than "true" set false.
	out, err = update(patchOp(types.OpReplace, "/apiKeyRequired", aws.String("whatever")))
	if err != nil || *out.ApiKeyRequired {
		t.Errorf("apiKeyRequired whatever: %+v %v", out, err)
	}
	out, err = update(
		patchOp(types.OpRemove, "/requestParameters/method.request.querystring.optional", nil),
		patchOp(types.OpRemove, "/requestModels/application~1json", nil),
		patchOp(types.OpRemove, "/authorizationScopes", aws.String("pets/read")),
		patchOp(types.OpReplace, "/requestValidatorId", aws.String("")),
	)
	if err != nil || out.RequestParameters != nil || out.RequestModels != nil || out.AuthorizationScopes != nil || out.RequestValidatorId != nil {
		t.Errorf("remove: %+v %v", out, err)
	}
	get := getMethod(t, c, api, root, "ANY")
	if *get.AuthorizationType != "CUSTOM" || *get.AuthorizerId != tokenAuth || *get.OperationName != "ReplacedOperationName" || get.RequestParameters != nil {
		t.Errorf("stored: %+v", get)
	}
}

func TestUpdateMethodErrors(t *testing.T) {
	c, api, root := resSetup(t)
	mustPutMethod(t, c, api, root, "ANY", map[string]bool{"method.request.header.h": true})
	update := func(method string, ops ...types.PatchOperation) error {
		_, err := c.UpdateMethod(ctx(), &apigateway.UpdateMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String(method), PatchOperations: ops})
		return err
	}
	cases := []struct {
		name    string
		err     error
		status  int
		code    string
		message string
	}{
		{"unknown method", update("GET", patchOp(types.OpReplace, "/operationName", aws.String("x"))), 404, "NotFoundException", "Invalid Method identifier specified"},
		{"add replace-only path", update("ANY", patchOp(types.OpAdd, "/operationName", aws.String("x"))), 400, "BadRequestException", "Invalid patch operation specified. Must be one of: [replace]"},
		{"add validator", update("ANY", patchOp(types.OpAdd, "/requestValidatorId", aws.String("x"))), 400, "BadRequestException", "Invalid patch operation specified. Must be one of: [replace]"},
		{"replace scopes", update("ANY", patchOp(types.OpReplace, "/authorizationScopes", aws.String("x"))), 400, "BadRequestException", "Invalid patch operation specified. Must be one of: [add, remove]"},
		{"httpMethod path", update("ANY", patchOp(types.OpAdd, "/httpMethod", aws.String("PUT"))), 400, "BadRequestException", "Invalid patch path /httpMethod"},
		{"parameters without key", update("ANY", patchOp(types.OpReplace, "/requestParameters", aws.String("x"))), 400, "BadRequestException", "Invalid patch path /requestParameters"},
		{"unescaped content type", update("ANY", patchOp(types.OpAdd, "/requestModels/application/json", aws.String("Empty"))), 400, "BadRequestException", "Invalid patch path /requestModels/application/json"},
		{"custom without authorizer", update("ANY", patchOp(types.OpReplace, "/authorizationType", aws.String("CUSTOM"))), 400, "BadRequestException",
			"Invalid authorizer ID specified. Setting the authorization type to CUSTOM or COGNITO_USER_POOLS requires a valid authorizer."},
		{"unknown authorization type", update("ANY", patchOp(types.OpReplace, "/authorizationType", aws.String("MAGIC"))), 400, "BadRequestException",
			"Invalid authorization type specified. Valid options are NONE,AWS_IAM,CUSTOM,COGNITO_USER_POOLS"},
		{"replace absent parameter", update("ANY", patchOp(types.OpReplace, "/requestParameters/method.request.header.nope", aws.String("true"))), 404, "NotFoundException", "Invalid parameter name specified"},
		{"remove absent model", update("ANY", patchOp(types.OpRemove, "/requestModels/text~1plain", nil)), 404, "NotFoundException", "Content-Type specified was not found"},
		{"duplicate name", update("ANY", patchOp(types.OpAdd, "/requestParameters/method.request.querystring.h", aws.String("true"))), 400, "BadRequestException",
			"Parameter names must be unique across querystring, header and path"},
		{"bad parameter key", update("ANY", patchOp(types.OpAdd, "/requestParameters/method.request.cookie.c", aws.String("true"))), 400, "BadRequestException",
			"Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: method.request.cookie.c]"},
		{"bad op", update("ANY", patchOp("bogus", "/operationName", aws.String("x"))), 400, "ValidationException",
			"1 validation error detected: Value 'bogus' at 'updateMethodInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.err, tc.status, tc.code, tc.message) })
	}
	// A failing document stores none of its operations.
	err := update("ANY", patchOp(types.OpReplace, "/operationName", aws.String("x")), patchOp(types.OpAdd, "/httpMethod", aws.String("PUT")))
	wantAPIError(t, err, 400, "BadRequestException", "Invalid patch path /httpMethod")
	if get := getMethod(t, c, api, root, "ANY"); get.OperationName != nil {
		t.Errorf("partial update stored: %+v", get)
	}
}

func TestMethodResponses(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "responses")
	root := resRoot(t, c, api)
	mustPutMethod(t, c, api, root, "GET", nil)
	base := "/restapis/" + api + "/resources/" + root + "/methods/GET/responses/200"
	// Explicitly empty maps are echoed, as AWS does.
	r := do(t, srv, "PUT", base, []byte(`{"responseParameters":{},"responseModels":{}}`))
	if r.status != 201 || string(r.body) != `{"statusCode":"200","responseParameters":{},"responseModels":{}}` {
		t.Errorf("put empty: %d %s", r.status, r.body)
	}
	put, err := c.PutMethodResponse(ctx(), &apigateway.PutMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseParameters: map[string]bool{"method.response.header.my-header": false}, ResponseModels: map[string]string{"application/json": "Empty"}})
	if err != nil || *put.StatusCode != "200" || len(put.ResponseParameters) != 1 || put.ResponseModels["application/json"] != "Empty" {
		t.Fatalf("put: %+v %v", put, err)
	}
	update := func(code string, ops ...types.PatchOperation) (*apigateway.UpdateMethodResponseOutput, error) {
		return c.UpdateMethodResponse(ctx(), &apigateway.UpdateMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root),
			HttpMethod: aws.String("GET"), StatusCode: aws.String(code), PatchOperations: ops})
	}
	out, err := update("200",
		patchOp(types.OpRemove, "/responseParameters/method.response.header.my-header", nil),
		patchOp(types.OpRemove, "/responseModels/application~1json", nil))
	if err != nil || *out.StatusCode != "200" || out.ResponseParameters != nil || out.ResponseModels != nil {
		t.Errorf("remove: %+v %v", out, err)
	}
	out, err = update("200",
		patchOp(types.OpAdd, "/responseParameters/method.response.header.my-header", aws.String("true")),
		patchOp(types.OpAdd, "/responseModels/application~1json", aws.String("Empty")))
	if err != nil || !out.ResponseParameters["method.response.header.my-header"] || out.ResponseModels["application/json"] != "Empty" {
		t.Errorf("add: %+v %v", out, err)
	}
	// UpdateMethodResponse answers 201, as on AWS.
	r = do(t, srv, "PATCH", base, []byte(`{"patchOperations":[{"op":"replace","path":"/responseModels/application~1json","value":"Error"}]}`))
	if r.status != 201 {
		t.Errorf("update status %d %s", r.status, r.body)
	}
	get, err := c.GetMethodResponse(ctx(), &apigateway.GetMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
	if err != nil || get.ResponseModels["application/json"] != "Error" || !get.ResponseParameters["method.response.header.my-header"] {
		t.Errorf("get: %+v %v", get, err)
	}
	if m := getMethod(t, c, api, root, "GET"); len(m.MethodResponses) != 1 || *m.MethodResponses["200"].StatusCode != "200" {
		t.Errorf("method: %+v", m.MethodResponses)
	}

	const statusMsg = `1 validation error detected: Value 'wrong' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\d\d`
	errs := []struct {
		name    string
		err     error
		status  int
		code    string
		message string
	}{
		{"update unknown status", func() error {
			_, err := update("201", patchOp(types.OpAdd, "/responseModels/a~1b", aws.String("x")))
			return err
		}(),
			404, "NotFoundException", "Invalid Response status code specified"},
		{"update bad status", func() error { _, err := update("wrong"); return err }(), 400, "ValidationException", statusMsg},
		{"update bad status and op", func() error { _, err := update("wrong", patchOp("wrong_op", "/responseModels/a~1b", nil)); return err }(), 400, "ValidationException",
			"2 validation errors detected: Value 'wrong_op' at 'updateMethodResponseInput.patchOperations.1.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]; Value 'wrong' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\\d\\d"},
		{"replace absent header", func() error {
			_, err := update("200", patchOp(types.OpReplace, "/responseParameters/wrong", aws.String("true")))
			return err
		}(), 404, "NotFoundException", "Invalid parameter name specified"},
		{"remove absent model", func() error {
			_, err := update("200", patchOp(types.OpRemove, "/responseModels/wrong", nil))
			return err
		}(),
			404, "NotFoundException", "Content-Type specified was not found"},
		{"wrong path", func() error {
			_, err := update("200", patchOp(types.OpRemove, "/wrong/method.response.header.my-header", nil))
			return err
		}(), 400, "BadRequestException", "Invalid patch path /wrong/method.response.header.my-header"},
		{"add bad header key", func() error {
			_, err := update("200", patchOp(types.OpAdd, "/responseParameters/method.response.body", aws.String("true")))
			return err
		}(), 400, "BadRequestException", "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: method.response.body]"},
		{"put bad status", func() error {
			_, err := c.PutMethodResponse(ctx(), &apigateway.PutMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), StatusCode: aws.String("wrong")})
			return err
		}(), 400, "ValidationException", statusMsg},
		{"put unknown method", func() error {
			_, err := c.PutMethodResponse(ctx(), &apigateway.PutMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("POST"), StatusCode: aws.String("200")})
			return err
		}(), 404, "NotFoundException", "Invalid Method identifier specified"},
		{"put unknown resource", func() error {
			_, err := c.PutMethodResponse(ctx(), &apigateway.PutMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String("nope"), HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
			return err
		}(), 404, "NotFoundException", "Invalid Resource identifier specified"},
		{"put bad header key", func() error {
			_, err := c.PutMethodResponse(ctx(), &apigateway.PutMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), StatusCode: aws.String("500"),
				ResponseParameters: map[string]bool{"method.response.header.ok": true, "method.request.header.x": true}})
			return err
		}(), 400, "BadRequestException", "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: method.request.header.x]"},
		{"get unknown status", func() error {
			_, err := c.GetMethodResponse(ctx(), &apigateway.GetMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), StatusCode: aws.String("418")})
			return err
		}(), 404, "NotFoundException", "Invalid Response status code specified"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.err, tc.status, tc.code, tc.message) })
	}
	if _, err := c.DeleteMethodResponse(ctx(), &apigateway.DeleteMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteMethodResponse(ctx(), &apigateway.DeleteMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Response status code specified")
	if m := getMethod(t, c, api, root, "GET"); m.MethodResponses != nil {
		t.Errorf("after delete: %+v", m.MethodResponses)
	}
}

func TestDeleteMethodRemovesResponsesAndIntegration(t *testing.T) {
	c, api, root := resSetup(t)
	mustPutMethod(t, c, api, root, "GET", nil)
	mustPutMethodResponse(t, c, api, root, "GET", "200", nil)
	mustPutMockIntegration(t, c, api, root, "GET")
	if _, err := c.DeleteMethod(ctx(), &apigateway.DeleteMethodInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET")}); err != nil {
		t.Fatal(err)
	}
	mustPutMethod(t, c, api, root, "GET", nil)
	m := getMethod(t, c, api, root, "GET")
	if m.MethodResponses != nil || m.MethodIntegration != nil {
		t.Errorf("a new method inherited %+v %+v", m.MethodResponses, m.MethodIntegration)
	}
	_, err := c.GetIntegration(ctx(), &apigateway.GetIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Integration identifier specified")
	_, err = c.GetMethodResponse(ctx(), &apigateway.GetMethodResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Response status code specified")
}
