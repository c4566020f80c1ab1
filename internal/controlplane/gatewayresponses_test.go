package controlplane_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

const defaultTemplate = `{"message":$context.error.messageString}`

// view is a comparable form of a GatewayResponse answer.
type view struct {
	Type      string
	Status    string // "" when the answer has no statusCode
	Params    map[string]string
	Templates map[string]string
	Default   bool
}

func viewOf(r types.GatewayResponse) view {
	return view{string(r.ResponseType), aws.ToString(r.StatusCode), r.ResponseParameters, r.ResponseTemplates, r.DefaultResponse}
}

func builtin(typ, status string) view {
	return view{typ, status, map[string]string{}, map[string]string{"application/json": defaultTemplate}, true}
}

func checkView(t *testing.T, label string, got, want view) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", label, got, want)
	}
}

var builtinStatus = map[string]string{
	"DEFAULT_4XX": "", "DEFAULT_5XX": "", "RESOURCE_NOT_FOUND": "404", "UNAUTHORIZED": "401",
	"INVALID_API_KEY": "403", "ACCESS_DENIED": "403", "AUTHORIZER_FAILURE": "500",
	"AUTHORIZER_CONFIGURATION_ERROR": "500", "INVALID_SIGNATURE": "403", "EXPIRED_TOKEN": "403",
	"MISSING_AUTHENTICATION_TOKEN": "403", "INTEGRATION_FAILURE": "504", "INTEGRATION_TIMEOUT": "504",
	"API_CONFIGURATION_ERROR": "500", "UNSUPPORTED_MEDIA_TYPE": "415", "BAD_REQUEST_PARAMETERS": "400",
	"BAD_REQUEST_BODY": "400", "REQUEST_TOO_LARGE": "413", "THROTTLED": "429", "QUOTA_EXCEEDED": "429",
	"WAF_FILTERED": "403",
}

// The order of AWS's GetGatewayResponses example.
var awsListOrder = []string{
	"INTEGRATION_FAILURE", "RESOURCE_NOT_FOUND", "REQUEST_TOO_LARGE", "THROTTLED", "UNSUPPORTED_MEDIA_TYPE",
	"AUTHORIZER_CONFIGURATION_ERROR", "DEFAULT_5XX", "DEFAULT_4XX", "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY",
	"EXPIRED_TOKEN", "ACCESS_DENIED", "INVALID_API_KEY", "UNAUTHORIZED", "API_CONFIGURATION_ERROR",
	"QUOTA_EXCEEDED", "INTEGRATION_TIMEOUT", "MISSING_AUTHENTICATION_TOKEN", "INVALID_SIGNATURE",
	"AUTHORIZER_FAILURE", "WAF_FILTERED",
}

const enumMessage = "1 validation error detected: Value 'FAKE_RESPONSE_TYPE' at 'responseType' failed to satisfy constraint: Member must satisfy enum value set: [REQUEST_TOO_LARGE, RESOURCE_NOT_FOUND, AUTHORIZER_CONFIGURATION_ERROR, MISSING_AUTHENTICATION_TOKEN, BAD_REQUEST_BODY, INVALID_SIGNATURE, INVALID_API_KEY, BAD_REQUEST_PARAMETERS, AUTHORIZER_FAILURE, UNAUTHORIZED, INTEGRATION_TIMEOUT, ACCESS_DENIED, DEFAULT_4XX, DEFAULT_5XX, WAF_FILTERED, QUOTA_EXCEEDED, THROTTLED, API_CONFIGURATION_ERROR, UNSUPPORTED_MEDIA_TYPE, INTEGRATION_FAILURE, EXPIRED_TOKEN]"

func listViews(t *testing.T, c *apigateway.Client, api string) map[string]view {
	t.Helper()
	out, err := c.GetGatewayResponses(ctx(), &apigateway.GetGatewayResponsesInput{RestApiId: aws.String(api)})
	if err != nil {
		t.Fatalf("GetGatewayResponses: %v", err)
	}
	m := map[string]view{}
	for _, it := range out.Items {
		m[string(it.ResponseType)] = viewOf(it)
	}
	return m
}

func TestGetGatewayResponsesFreshAPI(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "fresh")
	out, err := c.GetGatewayResponses(ctx(), &apigateway.GetGatewayResponsesInput{RestApiId: aws.String(api), Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 21 {
		t.Fatalf("got %d items, want all 21 (limit is ignored)", len(out.Items))
	}
	if out.Position != nil {
		t.Errorf("got position %q, want none", *out.Position)
	}
	for i, it := range out.Items {
		if string(it.ResponseType) != awsListOrder[i] {
			t.Errorf("item %d: got %s, want %s", i, it.ResponseType, awsListOrder[i])
		}
		typ := string(it.ResponseType)
		checkView(t, typ, viewOf(it), builtin(typ, builtinStatus[typ]))
	}
	for typ, status := range builtinStatus {
		got, err := c.GetGatewayResponse(ctx(), &apigateway.GetGatewayResponseInput{RestApiId: aws.String(api), ResponseType: types.GatewayResponseType(typ)})
		if err != nil {
			t.Fatalf("GetGatewayResponse %s: %v", typ, err)
		}
		checkView(t, "get "+typ, view{string(got.ResponseType), aws.ToString(got.StatusCode), got.ResponseParameters, got.ResponseTemplates, got.DefaultResponse}, builtin(typ, status))
	}
}

func putGR(t *testing.T, c *apigateway.Client, in *apigateway.PutGatewayResponseInput) view {
	t.Helper()
	out, err := c.PutGatewayResponse(ctx(), in)
	if err != nil {
		t.Fatalf("PutGatewayResponse: %v", err)
	}
	return view{string(out.ResponseType), aws.ToString(out.StatusCode), out.ResponseParameters, out.ResponseTemplates, out.DefaultResponse}
}

func getGR(t *testing.T, c *apigateway.Client, api, typ string) view {
	t.Helper()
	out, err := c.GetGatewayResponse(ctx(), &apigateway.GetGatewayResponseInput{RestApiId: aws.String(api), ResponseType: types.GatewayResponseType(typ)})
	if err != nil {
		t.Fatalf("GetGatewayResponse: %v", err)
	}
	return view{string(out.ResponseType), aws.ToString(out.StatusCode), out.ResponseParameters, out.ResponseTemplates, out.DefaultResponse}
}

// TestPutGatewayResponseReplacesWholeCustomization follows the sequence
// recorded from real AWS: each Put discards the previous customization, and
// omitted fields revert to the type's built-in defaults.
func TestPutGatewayResponseReplacesWholeCustomization(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "put")
	mat := types.GatewayResponseTypeMissingAuthenticationToken
	params := map[string]string{
		"gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
		"gatewayresponse.header.x-request-path":              "method.request.path.petId",
		"gatewayresponse.header.x-request-query":             "method.request.querystring.q",
		"gatewayresponse.header.x-request-header":            "method.request.header.Accept",
	}
	tmpl := map[string]string{"application/json": `{"message":$context.error.messageString,"type":"$context.error.responseType"}`}
	steps := []struct {
		name string
		in   apigateway.PutGatewayResponseInput
		want view
	}{
		{"all fields", apigateway.PutGatewayResponseInput{StatusCode: aws.String("404"), ResponseParameters: params, ResponseTemplates: tmpl},
			view{"MISSING_AUTHENTICATION_TOKEN", "404", params, tmpl, false}},
		{"status only", apigateway.PutGatewayResponseInput{StatusCode: aws.String("404")},
			view{"MISSING_AUTHENTICATION_TOKEN", "404", map[string]string{}, map[string]string{"application/json": defaultTemplate}, false}},
		{"parameters only", apigateway.PutGatewayResponseInput{ResponseParameters: params},
			view{"MISSING_AUTHENTICATION_TOKEN", "403", params, map[string]string{"application/json": defaultTemplate}, false}},
		{"templates only", apigateway.PutGatewayResponseInput{ResponseTemplates: tmpl},
			view{"MISSING_AUTHENTICATION_TOKEN", "403", map[string]string{}, tmpl, false}},
		{"empty templates count as omitted", apigateway.PutGatewayResponseInput{ResponseTemplates: map[string]string{}},
			view{"MISSING_AUTHENTICATION_TOKEN", "403", map[string]string{}, map[string]string{"application/json": defaultTemplate}, false}},
	}
	for _, s := range steps {
		in := s.in
		in.RestApiId, in.ResponseType = aws.String(api), mat
		checkView(t, s.name+" (put)", putGR(t, c, &in), s.want)
		checkView(t, s.name+" (get)", getGR(t, c, api, string(mat)), s.want)
	}
}

// TestDefault5XXInheritance checks the read view recorded from real AWS after
// DEFAULT_5XX is customized: uncustomized 5xx types show its status,
// parameters and templates with defaultResponse true; a customized 5xx type
// keeps its own values; 4xx types are untouched.
func TestDefault5XXInheritance(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "inherit")
	d5 := putGR(t, c, &apigateway.PutGatewayResponseInput{
		RestApiId: aws.String(api), ResponseType: types.GatewayResponseTypeDefault5xx, StatusCode: aws.String("599"),
		ResponseParameters: map[string]string{"gatewayresponse.header.x-err": "'five'"},
		ResponseTemplates:  map[string]string{"application/json": `{"five":$context.error.messageString}`},
	})
	checkView(t, "put DEFAULT_5XX", d5, view{"DEFAULT_5XX", "599", map[string]string{"gatewayresponse.header.x-err": "'five'"},
		map[string]string{"application/json": `{"five":$context.error.messageString}`}, false})
	af := putGR(t, c, &apigateway.PutGatewayResponseInput{
		RestApiId: aws.String(api), ResponseType: types.GatewayResponseTypeAuthorizerFailure,
		ResponseParameters: map[string]string{"gatewayresponse.header.x-auth": "'af'"},
	})
	afWant := view{"AUTHORIZER_FAILURE", "500", map[string]string{"gatewayresponse.header.x-auth": "'af'"}, map[string]string{"application/json": defaultTemplate}, false}
	checkView(t, "put AUTHORIZER_FAILURE", af, afWant)

	views := listViews(t, c, api)
	for _, typ := range []string{"API_CONFIGURATION_ERROR", "AUTHORIZER_CONFIGURATION_ERROR", "INTEGRATION_FAILURE", "INTEGRATION_TIMEOUT"} {
		want := d5
		want.Type, want.Default = typ, true
		checkView(t, typ, views[typ], want)
		checkView(t, "get "+typ, getGR(t, c, api, typ), want)
	}
	checkView(t, "AUTHORIZER_FAILURE", views["AUTHORIZER_FAILURE"], afWant)
	checkView(t, "DEFAULT_4XX", views["DEFAULT_4XX"], builtin("DEFAULT_4XX", ""))
	checkView(t, "UNAUTHORIZED", views["UNAUTHORIZED"], builtin("UNAUTHORIZED", "401"))

	// Deleting DEFAULT_5XX makes the inheriting types revert.
	if _, err := c.DeleteGatewayResponse(ctx(), &apigateway.DeleteGatewayResponseInput{RestApiId: aws.String(api), ResponseType: types.GatewayResponseTypeDefault5xx}); err != nil {
		t.Fatal(err)
	}
	checkView(t, "INTEGRATION_FAILURE after delete", getGR(t, c, api, "INTEGRATION_FAILURE"), builtin("INTEGRATION_FAILURE", "504"))

	// A DEFAULT customization without a status leaves each type its own.
	putGR(t, c, &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api), ResponseType: types.GatewayResponseTypeDefault4xx,
		ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}})
	checkView(t, "THROTTLED under status-less DEFAULT_4XX", getGR(t, c, api, "THROTTLED"),
		view{"THROTTLED", "429", map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}, map[string]string{"application/json": defaultTemplate}, true})
	checkView(t, "DEFAULT_4XX itself", getGR(t, c, api, "DEFAULT_4XX"),
		view{"DEFAULT_4XX", "", map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}, map[string]string{"application/json": defaultTemplate}, false})
}

func patchOp(op types.Op, path string, value *string) types.PatchOperation {
	return types.PatchOperation{Op: op, Path: aws.String(path), Value: value}
}

func TestUpdateGatewayResponse(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "update")
	update := func(typ string, ops ...types.PatchOperation) (view, error) {
		out, err := c.UpdateGatewayResponse(ctx(), &apigateway.UpdateGatewayResponseInput{
			RestApiId: aws.String(api), ResponseType: types.GatewayResponseType(typ), PatchOperations: ops})
		if err != nil {
			return view{}, err
		}
		return view{string(out.ResponseType), aws.ToString(out.StatusCode), out.ResponseParameters, out.ResponseTemplates, out.DefaultResponse}, nil
	}

	// Patching a never-customized type creates a customization from its
	// built-in default.
	got, err := update("DEFAULT_4XX", patchOp(types.OpReplace, "/statusCode", aws.String("444")))
	if err != nil {
		t.Fatal(err)
	}
	want := view{"DEFAULT_4XX", "444", map[string]string{}, map[string]string{"application/json": defaultTemplate}, false}
	checkView(t, "replace /statusCode", got, want)
	checkView(t, "get after replace", getGR(t, c, api, "DEFAULT_4XX"), want)

	// add with ~1 escaping, add/replace/remove of parameters, in list order.
	got, err = update("DEFAULT_4XX",
		patchOp(types.OpAdd, "/responseTemplates/application~1xml", aws.String("<e>$context.error.message</e>")),
		patchOp(types.OpAdd, "/responseParameters/gatewayresponse.header.x-a", aws.String("'a'")),
		patchOp(types.OpAdd, "/responseParameters/gatewayresponse.header.x-b", aws.String("'b'")),
		patchOp(types.OpReplace, "/responseParameters/gatewayresponse.header.x-a", aws.String("method.request.header.Origin")),
		patchOp(types.OpRemove, "/responseParameters/gatewayresponse.header.x-b", nil),
		patchOp(types.OpRemove, "/responseParameters/gatewayresponse.header.never-there", nil),
	)
	if err != nil {
		t.Fatal(err)
	}
	want = view{"DEFAULT_4XX", "444", map[string]string{"gatewayresponse.header.x-a": "method.request.header.Origin"},
		map[string]string{"application/json": defaultTemplate, "application/xml": "<e>$context.error.message</e>"}, false}
	checkView(t, "templates and parameters", got, want)

	// Now Delete succeeds, since the patch created a customization.
	if _, err := c.DeleteGatewayResponse(ctx(), &apigateway.DeleteGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "DEFAULT_4XX"}); err != nil {
		t.Fatalf("delete after patch: %v", err)
	}

	errCases := []struct {
		name    string
		typ     string
		ops     []types.PatchOperation
		status  int
		code    string
		message string
	}{
		{"add statusCode", "DEFAULT_4XX", []types.PatchOperation{patchOp(types.OpAdd, "/statusCode", aws.String("400"))},
			400, "BadRequestException", "Invalid patch path /statusCode"},
		{"remove statusCode", "DEFAULT_4XX", []types.PatchOperation{patchOp(types.OpRemove, "/statusCode", nil)},
			400, "BadRequestException", "Invalid patch path /statusCode"},
		{"wrong path", "DEFAULT_4XX", []types.PatchOperation{patchOp(types.OpReplace, "/wrongPath", aws.String("x"))},
			400, "BadRequestException", "Invalid patch path /wrongPath"},
		{"path omitted", "DEFAULT_4XX", []types.PatchOperation{{Op: types.OpReplace, Value: aws.String("x")}},
			400, "BadRequestException", "Invalid patch path null"},
		{"replace unknown parameter", "DEFAULT_5XX", []types.PatchOperation{patchOp(types.OpReplace, "/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin", aws.String("'*'"))},
			404, "NotFoundException", "Invalid parameter name specified"},
		{"null template value", "DEFAULT_4XX", []types.PatchOperation{patchOp(types.OpReplace, "/responseTemplates/application~1json", nil)},
			400, "BadRequestException", "Invalid null or empty value in responseTemplates"},
		{"null parameter value", "DEFAULT_4XX", []types.PatchOperation{patchOp(types.OpAdd, "/responseParameters/gatewayresponse.header.x", nil)},
			400, "BadRequestException", "Invalid null or empty value in responseParameters"},
		{"op not in enum (second op)", "DEFAULT_4XX", []types.PatchOperation{
			patchOp(types.OpReplace, "/statusCode", aws.String("400")), patchOp("wrong-op", "/statusCode", aws.String("400"))},
			400, "ValidationException", "1 validation error detected: Value 'wrong-op' at 'updateGatewayResponseInput.patchOperations.2.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"},
		{"unquoted literal", "DEFAULT_4XX", []types.PatchOperation{patchOp(types.OpAdd, "/responseParameters/gatewayresponse.header.x", aws.String("test-value"))},
			400, "BadRequestException", "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: test-value]"},
		{"move is not supported", "DEFAULT_4XX", []types.PatchOperation{{Op: types.OpMove, Path: aws.String("/responseTemplates/a"), From: aws.String("/responseTemplates/b")}},
			400, "BadRequestException", "Invalid patch path /responseTemplates/a"},
		{"unknown type", "FAKE_RESPONSE_TYPE", []types.PatchOperation{patchOp(types.OpReplace, "/statusCode", aws.String("400"))},
			400, "ValidationException", enumMessage},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			before := listViews(t, c, api)
			_, err := update(tc.typ, tc.ops...)
			wantAPIError(t, err, tc.status, tc.code, tc.message)
			if after := listViews(t, c, api); !reflect.DeepEqual(before, after) {
				t.Errorf("a failed update changed the store")
			}
		})
	}

	// An invalid operation later in the list leaves earlier ones unapplied.
	_, err = update("THROTTLED", patchOp(types.OpReplace, "/statusCode", aws.String("599")), patchOp(types.OpAdd, "/nope", aws.String("x")))
	wantAPIError(t, err, 400, "BadRequestException", "Invalid patch path /nope")
	checkView(t, "THROTTLED untouched", getGR(t, c, api, "THROTTLED"), builtin("THROTTLED", "429"))
}

func TestGatewayResponseErrors(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "errors")
	const fake = "fake-api-id"
	notFound := "Invalid API identifier specified 000000000000:fake-api-id"
	cases := []struct {
		name    string
		call    func() error
		status  int
		code    string
		message string
	}{
		{"get all, unknown api", func() error {
			_, err := c.GetGatewayResponses(ctx(), &apigateway.GetGatewayResponsesInput{RestApiId: aws.String(fake)})
			return err
		}, 404, "NotFoundException", notFound},
		{"get, unknown api", func() error {
			_, err := c.GetGatewayResponse(ctx(), &apigateway.GetGatewayResponseInput{RestApiId: aws.String(fake), ResponseType: "DEFAULT_4XX"})
			return err
		}, 404, "NotFoundException", notFound},
		{"put, unknown api", func() error {
			_, err := c.PutGatewayResponse(ctx(), &apigateway.PutGatewayResponseInput{RestApiId: aws.String(fake), ResponseType: "DEFAULT_4XX"})
			return err
		}, 404, "NotFoundException", notFound},
		{"update, unknown api", func() error {
			_, err := c.UpdateGatewayResponse(ctx(), &apigateway.UpdateGatewayResponseInput{RestApiId: aws.String(fake), ResponseType: "DEFAULT_4XX",
				PatchOperations: []types.PatchOperation{patchOp(types.OpReplace, "/statusCode", aws.String("400"))}})
			return err
		}, 404, "NotFoundException", notFound},
		{"delete, unknown api", func() error {
			_, err := c.DeleteGatewayResponse(ctx(), &apigateway.DeleteGatewayResponseInput{RestApiId: aws.String(fake), ResponseType: "DEFAULT_4XX"})
			return err
		}, 404, "NotFoundException", notFound},
		{"get, unknown type", func() error {
			_, err := c.GetGatewayResponse(ctx(), &apigateway.GetGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "FAKE_RESPONSE_TYPE"})
			return err
		}, 400, "ValidationException", enumMessage},
		{"put, unknown type", func() error {
			_, err := c.PutGatewayResponse(ctx(), &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "FAKE_RESPONSE_TYPE"})
			return err
		}, 400, "ValidationException", enumMessage},
		{"delete, unknown type", func() error {
			_, err := c.DeleteGatewayResponse(ctx(), &apigateway.DeleteGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "FAKE_RESPONSE_TYPE"})
			return err
		}, 400, "ValidationException", enumMessage},
		{"delete, not customized", func() error {
			_, err := c.DeleteGatewayResponse(ctx(), &apigateway.DeleteGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "UNAUTHORIZED"})
			return err
		}, 404, "NotFoundException", "Gateway response type not defined on api"},
		{"put, unquoted literal value", func() error {
			_, err := c.PutGatewayResponse(ctx(), &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "DEFAULT_4XX",
				ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": "test-value"}})
			return err
		}, 400, "BadRequestException", "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: test-value]"},
		{"put, double-quoted literal", func() error {
			_, err := c.PutGatewayResponse(ctx(), &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "DEFAULT_4XX",
				ResponseParameters: map[string]string{"gatewayresponse.header.Access-Control-Allow-Origin": `"*"`}})
			return err
		}, 400, "BadRequestException", `Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: "*"]`},
		{"put, method.response key", func() error {
			_, err := c.PutGatewayResponse(ctx(), &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "DEFAULT_4XX",
				ResponseParameters: map[string]string{"method.response.header.Access-Control-Allow-Origin": "'*'"}})
			return err
		}, 400, "BadRequestException", "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: method.response.header.Access-Control-Allow-Origin]"},
		{"put, status out of pattern", func() error {
			_, err := c.PutGatewayResponse(ctx(), &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "DEFAULT_4XX", StatusCode: aws.String("600")})
			return err
		}, 400, "ValidationException", `1 validation error detected: Value '600' at 'putGatewayResponseInput.statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\d\d`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantAPIError(t, tc.call(), tc.status, tc.code, tc.message)
		})
	}
	// Nothing was stored by the failed calls.
	for typ, v := range listViews(t, c, api) {
		checkView(t, typ, v, builtin(typ, builtinStatus[typ]))
	}
}

func TestGatewayResponseValidExpressions(t *testing.T) {
	c, _ := setup(t)
	api := createAPI(t, c, "expr")
	params := map[string]string{
		"gatewayresponse.header.a": "'Basic realm=\"My secret realm\"'",
		"gatewayresponse.header.b": "method.request.header.Origin",
		"gatewayresponse.header.c": "method.request.querystring.q",
		"gatewayresponse.header.d": "method.request.path.petId",
		"gatewayresponse.header.e": "stageVariables.env",
		"gatewayresponse.header.f": "context.requestId",
		"gatewayresponse.header.g": "context.authorizer.principalId",
		"gatewayresponse.header.h": "method.request.multivalueheader.X-Forwarded-For",
	}
	got := putGR(t, c, &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "ACCESS_DENIED", ResponseParameters: params})
	if !reflect.DeepEqual(got.Params, params) {
		t.Errorf("got %v, want %v", got.Params, params)
	}
}

func TestDeleteGatewayResponse(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "delete")
	putGR(t, c, &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "UNAUTHORIZED", StatusCode: aws.String("418")})
	req, _ := http.NewRequest(http.MethodDelete, srv.URL+"/restapis/"+api+"/gatewayresponses/UNAUTHORIZED", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 202 || len(body) != 0 {
		t.Errorf("delete: got %d %q, want 202 and an empty body", resp.StatusCode, body)
	}
	checkView(t, "after delete", getGR(t, c, api, "UNAUTHORIZED"), builtin("UNAUTHORIZED", "401"))
}

func getJSON(t *testing.T, url, accept string) (int, http.Header, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return resp.StatusCode, resp.Header, m
}

func TestGatewayResponsesHAL(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "hal")
	putGR(t, c, &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api), ResponseType: "MISSING_AUTHENTICATION_TOKEN", StatusCode: aws.String("404")})
	base := "/restapis/" + api + "/gatewayresponses"

	status, h, one := getJSON(t, srv.URL+base+"/MISSING_AUTHENTICATION_TOKEN", "application/hal+json")
	if status != 200 || h.Get("Content-Type") != "application/hal+json" {
		t.Fatalf("got %d %s", status, h.Get("Content-Type"))
	}
	links := one["_links"].(map[string]any)
	for _, rel := range []string{"self", "curies", "gatewayresponse:delete", "gatewayresponse:put", "gatewayresponse:update"} {
		if links[rel] == nil {
			t.Errorf("single item: missing link %s", rel)
		}
	}
	if got := links["self"].(map[string]any)["href"]; got != base+"/MISSING_AUTHENTICATION_TOKEN" {
		t.Errorf("self href %v", got)
	}
	if one["statusCode"] != "404" || one["defaultResponse"] != false {
		t.Errorf("single item body: %v", one)
	}

	_, _, all := getJSON(t, srv.URL+base, "application/hal+json")
	links = all["_links"].(map[string]any)
	for _, rel := range []string{"self", "first", "curies", "gatewayresponse:by-type", "item"} {
		if links[rel] == nil {
			t.Errorf("collection: missing link %s", rel)
		}
	}
	if n := len(links["item"].([]any)); n != 21 {
		t.Errorf("collection: %d item links, want 21", n)
	}
	embedded := all["_embedded"].(map[string]any)["item"].([]any)
	if len(embedded) != 21 {
		t.Fatalf("collection: %d embedded items, want 21", len(embedded))
	}
	for _, e := range embedded {
		item := e.(map[string]any)
		l := item["_links"].(map[string]any)
		_, hasDelete := l["gatewayresponse:delete"]
		if customized := item["defaultResponse"] == false; hasDelete != customized {
			t.Errorf("%s: delete link %v, customized %v", item["responseType"], hasDelete, customized)
		}
	}

	// Plain JSON for SDKs.
	_, h, plain := getJSON(t, srv.URL+base, "application/json")
	if h.Get("Content-Type") != "application/json" || plain["_links"] != nil || len(plain["item"].([]any)) != 21 {
		t.Errorf("plain JSON form: %s %v", h.Get("Content-Type"), plain["_links"])
	}
}
