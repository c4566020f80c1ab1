package controlplane_test

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/gantryproject/gantry/internal/controlplane"
	"github.com/gantryproject/gantry/internal/store/sqlite"
)

// mustPutMockIntegration puts a MOCK integration answering 200.
func mustPutMockIntegration(t *testing.T, c *apigateway.Client, api, res, method string) {
	t.Helper()
	_, err := c.PutIntegration(ctx(), &apigateway.PutIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(res), HttpMethod: aws.String(method),
		Type: types.IntegrationTypeMock, RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	if err != nil {
		t.Fatalf("PutIntegration %s: %v", method, err)
	}
}

// TestPetsExample builds AWS's pets example through the SDK: /pets with GET
// (HTTP_PROXY) and POST (HTTP with mappings), /pets/{petId} GET (MOCK), with
// method and integration responses, then reads it back embedded.
func TestPetsExample(t *testing.T) {
	c, api, root := resSetup(t)
	pets := mustCreateResource(t, c, api, root, "pets")
	pet := mustCreateResource(t, c, api, pets, "{petId}")
	mustPutMethod(t, c, api, pets, "GET", map[string]bool{"method.request.querystring.type": false, "method.request.querystring.page": false})
	mustPutMethod(t, c, api, pets, "POST", nil)
	mustPutMethod(t, c, api, pet, "GET", map[string]bool{"method.request.path.petId": true})

	get, err := c.PutIntegration(ctx(), &apigateway.PutIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(pets), HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String("http://petstore-demo-endpoint.execute-api.com/petstore/pets"),
		RequestParameters: map[string]string{"integration.request.querystring.type": "method.request.querystring.type",
			"integration.request.querystring.page": "method.request.multivaluequerystring.page"}})
	if err != nil {
		t.Fatal(err)
	}
	if get.Type != types.IntegrationTypeHttpProxy || *get.HttpMethod != "GET" || get.ConnectionType != types.ConnectionTypeInternet ||
		*get.PassthroughBehavior != "WHEN_NO_MATCH" || get.TimeoutInMillis != 29000 || *get.CacheNamespace != pets ||
		get.CacheKeyParameters == nil || len(get.CacheKeyParameters) != 0 || len(get.RequestParameters) != 2 {
		t.Errorf("HTTP_PROXY integration: %+v", get)
	}
	_, err = c.PutIntegration(ctx(), &apigateway.PutIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(pets), HttpMethod: aws.String("POST"),
		Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("POST"), Uri: aws.String("https://${stageVariables.host}/petstore/pets"),
		RequestParameters: map[string]string{"integration.request.header.X-Source": "'gantry'", "integration.request.header.X-Id": "context.requestId"},
		RequestTemplates:  map[string]string{"application/json": `{"pet": $input.json('$')}`}})
	if err != nil {
		t.Fatal(err)
	}
	mustPutMethodResponse(t, c, api, pets, "POST", "200", map[string]bool{"method.response.header.Access-Control-Allow-Origin": false})
	_, err = c.PutIntegrationResponse(ctx(), &apigateway.PutIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(pets), HttpMethod: aws.String("POST"),
		StatusCode: aws.String("200"), SelectionPattern: aws.String("2\\d{2}"),
		ResponseParameters: map[string]string{"method.response.header.Access-Control-Allow-Origin": "'*'"},
		ResponseTemplates:  map[string]string{"application/json": "$input.json('$')"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutIntegration(ctx(), &apigateway.PutIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(pet), HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeMock, RequestParameters: map[string]string{"integration.request.path.id": "method.request.path.petId"},
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	if err != nil {
		t.Fatal(err)
	}
	mustPutMethodResponse(t, c, api, pet, "GET", "200", nil)
	_, err = c.PutIntegrationResponse(ctx(), &apigateway.PutIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(pet), HttpMethod: aws.String("GET"),
		StatusCode: aws.String("200"), ResponseTemplates: map[string]string{"application/json": `{"id": "$input.params('petId')"}`}})
	if err != nil {
		t.Fatal(err)
	}

	list, err := c.GetResources(ctx(), &apigateway.GetResourcesInput{RestApiId: aws.String(api), Embed: []string{"methods"}})
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]types.Resource{}
	for _, r := range list.Items {
		byPath[*r.Path] = r
	}
	post := byPath["/pets"].ResourceMethods["POST"]
	if post.MethodIntegration == nil || post.MethodIntegration.Type != types.IntegrationTypeHttp ||
		*post.MethodIntegration.IntegrationResponses["200"].SelectionPattern != "2\\d{2}" ||
		post.MethodIntegration.IntegrationResponses["200"].ResponseParameters["method.response.header.Access-Control-Allow-Origin"] != "'*'" ||
		!reflect.DeepEqual(post.MethodResponses["200"].ResponseParameters, map[string]bool{"method.response.header.Access-Control-Allow-Origin": false}) {
		t.Errorf("POST /pets: %+v", post)
	}
	mock := byPath["/pets/{petId}"].ResourceMethods["GET"]
	if mock.MethodIntegration == nil || mock.MethodIntegration.Type != types.IntegrationTypeMock || mock.MethodIntegration.ConnectionType != "" ||
		mock.MethodIntegration.Uri != nil || *mock.MethodIntegration.CacheNamespace != pet || !mock.RequestParameters["method.request.path.petId"] {
		t.Errorf("GET /pets/{petId}: %+v %+v", mock, mock.MethodIntegration)
	}
}

func TestPutIntegrationWireForm(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "wire")
	root := resRoot(t, c, api)
	mustPutMethod(t, c, api, root, "GET", nil)
	// The body's httpMethod is the integration's method (the SDK's
	// integrationHttpMethod); the output orders and defaults follow AWS.
	r := do(t, srv, "PUT", "/restapis/"+api+"/resources/"+root+"/methods/GET/integration",
		[]byte(`{"type":"HTTP","httpMethod":"GET","uri":"http://petstore-demo-endpoint.execute-api.com/petstore/pets"}`))
	want := `{"type":"HTTP","httpMethod":"GET","uri":"http://petstore-demo-endpoint.execute-api.com/petstore/pets","connectionType":"INTERNET",` +
		`"passthroughBehavior":"WHEN_NO_MATCH","timeoutInMillis":29000,"cacheNamespace":"` + root + `","cacheKeyParameters":[]}`
	if r.status != 201 || string(r.body) != want {
		t.Errorf("got %d %s\nwant %s", r.status, r.body, want)
	}
	r = do(t, srv, "PUT", "/restapis/"+api+"/resources/"+root+"/methods/GET/integration", []byte(`{"httpMethod":"GET"}`))
	if r.status != 400 || string(r.body) != `{"message":"1 validation error detected: Value null at 'putIntegrationInput.type' failed to satisfy constraint: Member must not be null"}` {
		t.Errorf("missing type: %d %s", r.status, r.body)
	}
}

func TestPutIntegrationAllFieldsAndReplace(t *testing.T) {
	c, api, root := resSetup(t)
	mustPutMethod(t, c, api, root, "ANY", map[string]bool{"method.request.path.proxy": true})
	in := &apigateway.PutIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("ANY"),
		Type: types.IntegrationTypeAwsProxy, IntegrationHttpMethod: aws.String("POST"),
		Uri:                  aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets/invocations"),
		Credentials:          aws.String("arn:aws:iam::123456789012:role/apigw"),
		ContentHandling:      types.ContentHandlingStrategyConvertToText,
		PassthroughBehavior:  aws.String("NEVER"),
		TimeoutInMillis:      aws.Int32(5000),
		CacheNamespace:       aws.String("ns"),
		CacheKeyParameters:   []string{"method.request.path.proxy"},
		TlsConfig:            &types.TlsConfig{InsecureSkipVerification: true},
		ResponseTransferMode: types.ResponseTransferModeStream,
	}
	put, err := c.PutIntegration(ctx(), in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.GetIntegration(ctx(), &apigateway.GetIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("ANY")})
	if err != nil {
		t.Fatal(err)
	}
	for label, o := range map[string]*apigateway.GetIntegrationOutput{"put": (*apigateway.GetIntegrationOutput)(put), "get": got} {
		if o.Type != types.IntegrationTypeAwsProxy || *o.HttpMethod != "POST" || *o.Uri != *in.Uri || *o.Credentials != *in.Credentials ||
			o.ContentHandling != types.ContentHandlingStrategyConvertToText || *o.PassthroughBehavior != "NEVER" || o.TimeoutInMillis != 5000 ||
			*o.CacheNamespace != "ns" || !reflect.DeepEqual(o.CacheKeyParameters, in.CacheKeyParameters) || o.TlsConfig == nil ||
			!o.TlsConfig.InsecureSkipVerification || o.ResponseTransferMode != types.ResponseTransferModeStream || o.ConnectionType != types.ConnectionTypeInternet {
			t.Errorf("%s: %+v", label, o)
		}
	}
	// Putting again replaces the integration and drops its responses.
	if _, err := c.PutIntegrationResponse(ctx(), &apigateway.PutIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root),
		HttpMethod: aws.String("ANY"), StatusCode: aws.String("200")}); err != nil {
		t.Fatal(err)
	}
	mustPutMockIntegration(t, c, api, root, "ANY")
	m := getMethod(t, c, api, root, "ANY")
	if ig := m.MethodIntegration; ig.Type != types.IntegrationTypeMock || ig.IntegrationResponses != nil || ig.TlsConfig != nil || ig.Credentials != nil || *ig.CacheNamespace != root {
		t.Errorf("replaced: %+v", ig)
	}
}

func TestPutIntegrationErrors(t *testing.T) {
	c, api, root := resSetup(t)
	mustPutMethod(t, c, api, root, "GET", map[string]bool{"method.request.querystring.q": false})
	put := func(method string, typ types.IntegrationType, httpMethod, uri string, mod func(*apigateway.PutIntegrationInput)) error {
		in := &apigateway.PutIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String(method), Type: typ}
		if httpMethod != "" {
			in.IntegrationHttpMethod = aws.String(httpMethod)
		}
		if uri != "" {
			in.Uri = aws.String(uri)
		}
		if mod != nil {
			mod(in)
		}
		_, err := c.PutIntegration(ctx(), in)
		return err
	}
	lambda := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"
	mapping := func(problems string) string {
		return "Invalid mapping expression specified: Validation Result: warnings : [], errors : [" + problems + "]"
	}
	params := func(p map[string]string) func(*apigateway.PutIntegrationInput) {
		return func(in *apigateway.PutIntegrationInput) { in.RequestParameters = p }
	}
	cases := []struct {
		name    string
		err     error
		status  int
		code    string
		message string
	}{
		{"bad type", put("GET", "HTTPS_PROXY", "", "", nil), 400, "ValidationException",
			"1 validation error detected: Value 'HTTPS_PROXY' at 'putIntegrationInput.type' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, MOCK, AWS_PROXY, HTTP_PROXY, AWS]"},
		{"bad connection type", put("GET", "HTTP", "GET", "http://a.b", func(in *apigateway.PutIntegrationInput) { in.ConnectionType = "CABLE" }), 400, "ValidationException",
			"1 validation error detected: Value 'CABLE' at 'putIntegrationInput.connectionType' failed to satisfy constraint: Member must satisfy enum value set: [INTERNET, VPC_LINK]"},
		{"no method for HTTP", put("GET", "HTTP", "", "http://a.b", nil), 400, "BadRequestException", "Enumeration value for HttpMethod must be non-empty"},
		{"no method for AWS", put("GET", "AWS", "", lambda, nil), 400, "BadRequestException", "Enumeration value for HttpMethod must be non-empty"},
		{"bad http uri", put("GET", "HTTP_PROXY", "GET", "non-valid-http", nil), 400, "BadRequestException", "Invalid HTTP endpoint specified for URI"},
		{"no http uri", put("GET", "HTTP", "GET", "", nil), 400, "BadRequestException", "Invalid HTTP endpoint specified for URI"},
		{"bad arn", put("GET", "AWS", "POST", "non-valid-arn", nil), 400, "BadRequestException", "Invalid ARN specified in the request"},
		{"arn without path or action", put("GET", "AWS", "POST", "arn:aws:apigateway:us-east-1:s3:bucket/key", nil), 400, "BadRequestException",
			"AWS ARN for integration must contain path or action"},
		{"aws proxy to s3", put("GET", "AWS_PROXY", "POST", "arn:aws:apigateway:us-east-1:s3:path/bucket/key", nil), 400, "BadRequestException",
			"Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations."},
		{"timeout too small", put("GET", "MOCK", "", "", func(in *apigateway.PutIntegrationInput) { in.TimeoutInMillis = aws.Int32(49) }), 400, "BadRequestException",
			"Timeout should be between 50 ms and 29000 ms"},
		{"timeout too large", put("GET", "MOCK", "", "", func(in *apigateway.PutIntegrationInput) { in.TimeoutInMillis = aws.Int32(29001) }), 400, "BadRequestException",
			"Timeout should be between 50 ms and 29000 ms"},
		{"unknown method", put("POST", "MOCK", "", "", nil), 404, "NotFoundException", "Invalid Method identifier specified"},
		{"bad passthrough", put("GET", "MOCK", "", "", func(in *apigateway.PutIntegrationInput) { in.PassthroughBehavior = aws.String("SOMETIMES") }), 400, "BadRequestException",
			"Invalid passthrough behavior specified: SOMETIMES"},
		{"undeclared parameter", put("GET", "MOCK", "", "", params(map[string]string{"integration.request.querystring.x": "method.request.querystring.undeclared"})),
			400, "BadRequestException", mapping("Invalid mapping expression parameter specified: method.request.querystring.undeclared")},
		{"bad key and value", put("GET", "MOCK", "", "", params(map[string]string{"integration.request.body.x": "'a'", "integration.request.header.h": "foo"})),
			400, "BadRequestException", mapping("Invalid mapping expression specified: integration.request.body.x, Invalid mapping expression specified: foo")},
		{"bad template content type", put("GET", "MOCK", "", "", func(in *apigateway.PutIntegrationInput) { in.RequestTemplates = map[string]string{"123": "{}"} }),
			400, "BadRequestException", "Validation Result: warnings : [], errors : [Invalid content type specified: 123]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.err, tc.status, tc.code, tc.message) })
	}
	// Every kind of mapping source a request parameter may use.
	err := put("GET", "MOCK", "", "", params(map[string]string{
		"integration.request.querystring.a":           "method.request.querystring.q",
		"integration.request.multivaluequerystring.b": "method.request.multivaluequerystring.q",
		"integration.request.header.c":                "method.request.body",
		"integration.request.header.d":                "method.request.body.pet.name",
		"integration.request.header.e":                "stageVariables.env",
		"integration.request.header.f":                "context.identity.sourceIp",
		"integration.request.path.g":                  "'literal value'",
	}))
	if err != nil {
		t.Errorf("valid sources: %v", err)
	}
	_, err = c.GetIntegration(ctx(), &apigateway.GetIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String("nope"), HttpMethod: aws.String("GET")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Resource identifier specified")
	_, err = c.GetIntegration(ctx(), &apigateway.GetIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("PUT")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Method identifier specified")
}

func TestUpdateIntegration(t *testing.T) {
	c, api, root := resSetup(t)
	mustPutMethod(t, c, api, root, "GET", map[string]bool{"method.request.header.h": false})
	_, err := c.PutIntegration(ctx(), &apigateway.PutIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeHttp, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String("http://a.example/"),
		RequestTemplates: map[string]string{"application/json": "{}"}})
	if err != nil {
		t.Fatal(err)
	}
	update := func(ops ...types.PatchOperation) (*apigateway.UpdateIntegrationOutput, error) {
		return c.UpdateIntegration(ctx(), &apigateway.UpdateIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), PatchOperations: ops})
	}
	out, err := update(
		patchOp(types.OpReplace, "/uri", aws.String("https://b.example/{id}")),
		patchOp(types.OpReplace, "/httpMethod", aws.String("POST")),
		patchOp(types.OpReplace, "/timeoutInMillis", aws.String("1000")),
		patchOp(types.OpReplace, "/passthroughBehavior", aws.String("WHEN_NO_TEMPLATES")),
		patchOp(types.OpReplace, "/contentHandling", aws.String("CONVERT_TO_BINARY")),
		patchOp(types.OpReplace, "/cacheNamespace", aws.String("ns")),
		patchOp(types.OpReplace, "/connectionType", aws.String("VPC_LINK")),
		patchOp(types.OpReplace, "/connectionId", aws.String("${stageVariables.link}")),
		patchOp(types.OpReplace, "/credentials", aws.String("arn:aws:iam::123456789012:role/r")),
		patchOp(types.OpReplace, "/tlsConfig/insecureSkipVerification", aws.String("true")),
		patchOp(types.OpAdd, "/cacheKeyParameters/method.request.header.h", nil),
		patchOp(types.OpAdd, "/requestParameters/integration.request.header.x", aws.String("method.request.header.h")),
		patchOp(types.OpAdd, "/requestTemplates/application~1xml", aws.String("<a/>")),
		patchOp(types.OpRemove, "/requestTemplates/application~1json", nil),
	)
	if err != nil {
		t.Fatal(err)
	}
	if *out.Uri != "https://b.example/{id}" || *out.HttpMethod != "POST" || out.TimeoutInMillis != 1000 || *out.PassthroughBehavior != "WHEN_NO_TEMPLATES" ||
		out.ContentHandling != "CONVERT_TO_BINARY" || *out.CacheNamespace != "ns" || out.ConnectionType != "VPC_LINK" || *out.ConnectionId != "${stageVariables.link}" ||
		*out.Credentials == "" || !out.TlsConfig.InsecureSkipVerification || !reflect.DeepEqual(out.CacheKeyParameters, []string{"method.request.header.h"}) ||
		out.RequestParameters["integration.request.header.x"] != "method.request.header.h" || !reflect.DeepEqual(out.RequestTemplates, map[string]string{"application/xml": "<a/>"}) {
		t.Errorf("update: %+v", out)
	}
	out, err = update(
		patchOp(types.OpRemove, "/cacheKeyParameters/method.request.header.h", nil),
		patchOp(types.OpReplace, "/requestParameters/integration.request.header.x", aws.String("'fixed'")),
		patchOp(types.OpReplace, "/contentHandling", aws.String("")),
	)
	if err != nil || len(out.CacheKeyParameters) != 0 || out.RequestParameters["integration.request.header.x"] != "'fixed'" || out.ContentHandling != "" {
		t.Errorf("second update: %+v %v", out, err)
	}

	opErr := func(ops ...types.PatchOperation) error { _, err := update(ops...); return err }
	cases := []struct {
		name    string
		err     error
		status  int
		code    string
		message string
	}{
		{"bad uri", opErr(patchOp(types.OpReplace, "/uri", aws.String("ftp://x"))), 400, "BadRequestException", "Invalid HTTP endpoint specified for URI"},
		{"empty method", opErr(patchOp(types.OpReplace, "/httpMethod", aws.String(""))), 400, "BadRequestException", "Enumeration value for HttpMethod must be non-empty"},
		{"timeout", opErr(patchOp(types.OpReplace, "/timeoutInMillis", aws.String("30000"))), 400, "BadRequestException", "Timeout should be between 50 ms and 29000 ms"},
		{"timeout not a number", opErr(patchOp(types.OpReplace, "/timeoutInMillis", aws.String("soon"))), 400, "BadRequestException", "Timeout should be between 50 ms and 29000 ms"},
		{"connection type", opErr(patchOp(types.OpReplace, "/connectionType", aws.String("CABLE"))), 400, "BadRequestException", "Invalid connection type specified: CABLE"},
		{"add to replace-only path", opErr(patchOp(types.OpAdd, "/uri", aws.String("http://c.example"))), 400, "BadRequestException", "Invalid patch operation specified. Must be one of: [replace]"},
		{"type is not patchable", opErr(patchOp(types.OpReplace, "/type", aws.String("MOCK"))), 400, "BadRequestException", "Invalid patch path /type"},
		{"replace absent parameter", opErr(patchOp(types.OpReplace, "/requestParameters/integration.request.header.nope", aws.String("'x'"))), 404, "NotFoundException", "Invalid parameter name specified"},
		{"undeclared source", opErr(patchOp(types.OpAdd, "/requestParameters/integration.request.header.y", aws.String("method.request.header.nope"))), 400, "BadRequestException",
			"Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: method.request.header.nope]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.err, tc.status, tc.code, tc.message) })
	}
	_, err = c.UpdateIntegration(ctx(), &apigateway.UpdateIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("PUT"),
		PatchOperations: []types.PatchOperation{patchOp(types.OpReplace, "/uri", aws.String("http://c.example"))}})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Integration identifier specified")
	if got, _ := c.GetIntegration(ctx(), &apigateway.GetIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET")}); *got.Uri != "https://b.example/{id}" {
		t.Errorf("failed updates changed the integration: %+v", got)
	}
}

func TestDeleteIntegration(t *testing.T) {
	c, api, root := resSetup(t)
	mustPutMethod(t, c, api, root, "GET", nil)
	mustPutMockIntegration(t, c, api, root, "GET")
	del := func(method string) error {
		_, err := c.DeleteIntegration(ctx(), &apigateway.DeleteIntegrationInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String(method)})
		return err
	}
	if err := del("GET"); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, del("GET"), 404, "NotFoundException", "Invalid Integration identifier specified")
	wantAPIError(t, del("POST"), 404, "NotFoundException", "Invalid Integration identifier specified")
	if m := getMethod(t, c, api, root, "GET"); m.MethodIntegration != nil {
		t.Errorf("integration still there: %+v", m.MethodIntegration)
	}
}

func TestIntegrationResponses(t *testing.T) {
	c, srv := setup(t)
	api := createAPI(t, c, "ir")
	root := resRoot(t, c, api)
	mustPutMethod(t, c, api, root, "GET", nil)
	base := "/restapis/" + api + "/resources/" + root + "/methods/GET/integration/responses/"
	r := do(t, srv, "PUT", base+"200", []byte(`{}`))
	if r.status != 404 || !strings.Contains(string(r.body), "Invalid Integration identifier specified") {
		t.Errorf("without integration: %d %s", r.status, r.body)
	}
	mustPutMockIntegration(t, c, api, root, "GET")
	// No method response is needed when no header is mapped; an empty
	// selection pattern is echoed and an empty template shows as null.
	r = do(t, srv, "PUT", base+"200", []byte(`{"selectionPattern":"","responseTemplates":{"application/json":"\"created\"","text/plain":""}}`))
	if r.status != 201 || string(r.body) != `{"statusCode":"200","selectionPattern":"","responseTemplates":{"application/json":"\"created\"","text/plain":null}}` {
		t.Errorf("put: %d %s", r.status, r.body)
	}
	mustPutMethodResponse(t, c, api, root, "GET", "400", map[string]bool{"method.response.header.X-Err": true})
	put, err := c.PutIntegrationResponse(ctx(), &apigateway.PutIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"),
		StatusCode: aws.String("400"), SelectionPattern: aws.String("4\\d{2}"), ContentHandling: types.ContentHandlingStrategyConvertToText,
		ResponseParameters: map[string]string{"method.response.header.X-Err": "integration.response.header.X-Upstream"}})
	if err != nil || *put.SelectionPattern != "4\\d{2}" || put.ContentHandling != "CONVERT_TO_TEXT" || len(put.ResponseParameters) != 1 || put.ResponseTemplates != nil {
		t.Fatalf("put 400: %+v %v", put, err)
	}
	update := func(code string, ops ...types.PatchOperation) (*apigateway.UpdateIntegrationResponseOutput, error) {
		return c.UpdateIntegrationResponse(ctx(), &apigateway.UpdateIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root),
			HttpMethod: aws.String("GET"), StatusCode: aws.String(code), PatchOperations: ops})
	}
	out, err := update("400",
		patchOp(types.OpReplace, "/selectionPattern", aws.String("updated-pattern")),
		patchOp(types.OpReplace, "/contentHandling", aws.String("CONVERT_TO_BINARY")),
		patchOp(types.OpReplace, "/responseParameters/method.response.header.X-Err", aws.String("integration.response.body.error")),
		patchOp(types.OpAdd, "/responseTemplates/application~1json", aws.String("{}")),
	)
	if err != nil || *out.SelectionPattern != "updated-pattern" || out.ContentHandling != "CONVERT_TO_BINARY" ||
		out.ResponseParameters["method.response.header.X-Err"] != "integration.response.body.error" || out.ResponseTemplates["application/json"] != "{}" {
		t.Errorf("update: %+v %v", out, err)
	}
	got, err := c.GetIntegrationResponse(ctx(), &apigateway.GetIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), StatusCode: aws.String("400")})
	if err != nil || *got.SelectionPattern != "updated-pattern" {
		t.Errorf("get: %+v %v", got, err)
	}
	if ig := getMethod(t, c, api, root, "GET").MethodIntegration; len(ig.IntegrationResponses) != 2 {
		t.Errorf("method integration responses: %+v", ig.IntegrationResponses)
	}

	mapping := func(problems string) string {
		return "Invalid mapping expression specified: Validation Result: warnings : [], errors : [" + problems + "]"
	}
	putIR := func(code string, params map[string]string, templates map[string]string) error {
		_, err := c.PutIntegrationResponse(ctx(), &apigateway.PutIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"),
			StatusCode: aws.String(code), ResponseParameters: params, ResponseTemplates: templates})
		return err
	}
	cases := []struct {
		name    string
		err     error
		status  int
		code    string
		message string
	}{
		{"no method response", putIR("500", map[string]string{"method.response.header.X": "'x'"}, nil), 400, "BadRequestException", mapping("No method response exists for method.")},
		{"undeclared header", putIR("400", map[string]string{"method.response.header.X-Nope": "'x'"}, nil), 400, "BadRequestException",
			mapping("Invalid mapping expression parameter specified: method.response.header.X-Nope")},
		{"bad source", putIR("400", map[string]string{"method.response.header.X-Err": "'Content-Type',Authorization"}, nil), 400, "BadRequestException",
			mapping("Invalid mapping expression specified: 'Content-Type',Authorization")},
		{"bad content type", putIR("400", nil, map[string]string{"123": "{}"}), 400, "BadRequestException", "Validation Result: warnings : [], errors : [Invalid content type specified: 123]"},
		{"bad status", putIR("wrong", nil, nil), 400, "ValidationException",
			`1 validation error detected: Value 'wrong' at 'statusCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [1-5]\d\d`},
		{"unknown method", func() error {
			_, err := c.PutIntegrationResponse(ctx(), &apigateway.PutIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("wrong-method"), StatusCode: aws.String("200")})
			return err
		}(), 404, "NotFoundException", "Invalid Method identifier specified"},
		{"unknown API", func() error {
			_, err := c.GetIntegrationResponse(ctx(), &apigateway.GetIntegrationResponseInput{RestApiId: aws.String("wrong-api"), ResourceId: aws.String("dummy"), HttpMethod: aws.String("GET"), StatusCode: aws.String("200")})
			return err
		}(), 404, "NotFoundException", "Invalid Resource identifier specified"},
		{"get unknown status", func() error {
			_, err := c.GetIntegrationResponse(ctx(), &apigateway.GetIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), StatusCode: aws.String("201")})
			return err
		}(), 404, "NotFoundException", "Invalid Response status code specified"},
		{"update unknown status", func() error {
			_, err := update("201", patchOp(types.OpReplace, "/selectionPattern", aws.String("x")))
			return err
		}(),
			404, "NotFoundException", "Invalid Response status code specified"},
		{"update wrong path", func() error {
			_, err := update("400", patchOp(types.OpReplace, "/statusCode", aws.String("401")))
			return err
		}(),
			400, "BadRequestException", "Invalid patch path /statusCode"},
		{"update remove absent template", func() error {
			_, err := update("400", patchOp(types.OpRemove, "/responseTemplates/text~1html", nil))
			return err
		}(),
			404, "NotFoundException", "Content-Type specified was not found"},
		{"update undeclared header", func() error {
			_, err := update("400", patchOp(types.OpAdd, "/responseParameters/method.response.header.Other", aws.String("'x'")))
			return err
		}(), 400, "BadRequestException", mapping("Invalid mapping expression parameter specified: method.response.header.Other")},
		{"delete for unknown method", func() error {
			_, err := c.DeleteIntegrationResponse(ctx(), &apigateway.DeleteIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("POST"), StatusCode: aws.String("200")})
			return err
		}(), 404, "NotFoundException", "Invalid Integration identifier specified"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantAPIError(t, tc.err, tc.status, tc.code, tc.message) })
	}
	// Valid response mapping sources.
	if err := putIR("400", map[string]string{"method.response.header.X-Err": "integration.response.multivalueheader.X"}, nil); err != nil {
		t.Errorf("multivalue header source: %v", err)
	}
	if err := putIR("400", map[string]string{"method.response.header.X-Err": "context.requestId"}, nil); err != nil {
		t.Errorf("context source: %v", err)
	}
	if _, err := c.DeleteIntegrationResponse(ctx(), &apigateway.DeleteIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), StatusCode: aws.String("400")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteIntegrationResponse(ctx(), &apigateway.DeleteIntegrationResponseInput{RestApiId: aws.String(api), ResourceId: aws.String(root), HttpMethod: aws.String("GET"), StatusCode: aws.String("400")})
	wantAPIError(t, err, 404, "NotFoundException", "Invalid Response status code specified")
	var m map[string]any
	json.Unmarshal(do(t, srv, "GET", "/restapis/"+api+"/resources/"+root+"/methods/GET/integration", nil).body, &m)
	if irs, _ := m["integrationResponses"].(map[string]any); len(irs) != 1 || irs["200"] == nil {
		t.Errorf("integration responses after delete: %v", m["integrationResponses"])
	}
}

// FuzzMethodsAndIntegrations feeds arbitrary bodies to the operations of
// resources, methods and integrations. No input may cause a panic or a 5xx.
func FuzzMethodsAndIntegrations(f *testing.F) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	h := controlplane.New(st, controlplane.Options{})
	serve := func(method, path, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		return rec
	}
	rec := serve("POST", "/restapis", `{"name":"fuzz","tags":{"_custom_id_":"fuzzapi"}}`)
	if rec.Code != 201 {
		f.Fatalf("setup: %d %s", rec.Code, rec.Body)
	}
	var api struct {
		RootResourceID string `json:"rootResourceId"`
	}
	json.Unmarshal(rec.Body.Bytes(), &api)
	root := "/restapis/fuzzapi/resources/" + api.RootResourceID
	for _, step := range [][3]string{
		{"PUT", root + "/methods/GET", `{"authorizationType":"NONE","requestParameters":{"method.request.header.h":true}}`},
		{"PUT", root + "/methods/GET/responses/200", `{"responseParameters":{"method.response.header.x":true}}`},
		{"PUT", root + "/methods/GET/integration", `{"type":"MOCK"}`},
		{"PUT", root + "/methods/GET/integration/responses/200", `{}`},
	} {
		if rec := serve(step[0], step[1], step[2]); rec.Code != 201 {
			f.Fatalf("setup %s: %d %s", step[1], rec.Code, rec.Body)
		}
	}
	targets := []struct{ method, path string }{
		{"POST", root},
		{"PATCH", root},
		{"PUT", root + "/methods/POST"},
		{"PATCH", root + "/methods/GET"},
		{"PUT", root + "/methods/GET/responses/201"},
		{"PATCH", root + "/methods/GET/responses/200"},
		{"PUT", root + "/methods/GET/integration"},
		{"PATCH", root + "/methods/GET/integration"},
		{"PUT", root + "/methods/GET/integration/responses/200"},
		{"PATCH", root + "/methods/GET/integration/responses/200"},
	}
	seeds := []string{
		`{"pathPart":"{proxy+}"}`,
		`{"patchOperations":[{"op":"replace","path":"/pathPart","value":"x"},{"op":"replace","path":"/parentId","value":"y"}]}`,
		`{"authorizationType":"CUSTOM","authorizerId":"a","requestParameters":{"method.request.path.p":true}}`,
		`{"patchOperations":[{"op":"add","path":"/requestParameters/method.request.querystring.q","value":"true"},{"op":"add","path":"/authorizationScopes","value":"s"}]}`,
		`{"responseParameters":{"method.response.header.y":false},"responseModels":{"application/json":"Empty"}}`,
		`{"patchOperations":[{"op":"remove","path":"/responseModels/application~1json"}]}`,
		`{"type":"HTTP","httpMethod":"GET","uri":"http://x/{a}","requestParameters":{"integration.request.path.a":"method.request.header.h"},"timeoutInMillis":100}`,
		`{"patchOperations":[{"op":"replace","path":"/timeoutInMillis","value":"77"},{"op":"add","path":"/cacheKeyParameters/k"}]}`,
		`{"selectionPattern":"4\\d{2}","responseParameters":{"method.response.header.x":"integration.response.body.a"},"responseTemplates":{"a/b":""}}`,
		`{"patchOperations":[{"op":"replace","path":"/selectionPattern","value":"x"},{"op":"add","path":"/responseTemplates/text~1plain","value":"t"}]}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Add(uint8(1), []byte("")) // an empty PATCH of the root resource
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		tg := targets[int(which)%len(targets)]
		if rec := serve(tg.method, tg.path, string(body)); rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d %s", tg.method, tg.path, body, rec.Code, rec.Body)
		}
	})
}
