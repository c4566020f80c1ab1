package controlplane_test

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// openapiDoc reads a test document of the openapi package.
func openapiDoc(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "openapi", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// resourcePaths lists an API's resource paths with their methods, sorted.
func resourcePaths(t *testing.T, c *apigateway.Client, id string) map[string][]string {
	t.Helper()
	out, err := c.GetResources(ctx(), &apigateway.GetResourcesInput{RestApiId: aws.String(id), Embed: []string{"methods"}, Limit: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string][]string{}
	for _, r := range out.Items {
		var verbs []string
		for v := range r.ResourceMethods {
			verbs = append(verbs, v)
		}
		slices.Sort(verbs)
		paths[*r.Path] = verbs
	}
	return paths
}

func countAPIs(t *testing.T, c *apigateway.Client) int {
	t.Helper()
	out, err := c.GetRestApis(ctx(), &apigateway.GetRestApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Items)
}

func TestImportRestApi(t *testing.T) {
	c, _ := setup(t)
	out, err := c.ImportRestApi(ctx(), &apigateway.ImportRestApiInput{Body: openapiDoc(t, "petstore.json"),
		Parameters: map[string]string{"endpointConfigurationTypes": "REGIONAL"}})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Name != "PetStore" || out.EndpointConfiguration.Types[0] != types.EndpointTypeRegional || out.ApiKeySource != types.ApiKeySourceTypeHeader {
		t.Errorf("RestApi: got name %q, endpoint %v, key source %q", *out.Name, out.EndpointConfiguration.Types, out.ApiKeySource)
	}
	if len(out.Warnings) != 0 {
		t.Errorf("warnings: got %q", out.Warnings)
	}
	// The definitions are the API's models (and only they: an import
	// starts from an API without the default models), referring to each
	// other by their canonical URLs.
	models, err := c.GetModels(ctx(), &apigateway.GetModelsInput{RestApiId: out.Id})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range models.Items {
		names = append(names, *m.Name)
		if *m.ContentType != "application/json" {
			t.Errorf("model %s: content type %q", *m.Name, *m.ContentType)
		}
		if *m.Name == "Pets" && *m.Schema != `{"items":{"$ref":"https://apigateway.amazonaws.com/restapis/`+*out.Id+`/models/Pet"},"type":"array"}` {
			t.Errorf("Pets schema: got %s", *m.Schema)
		}
	}
	slices.Sort(names)
	if want := []string{"Empty", "NewPet", "NewPetResponse", "Pet", "PetType", "Pets"}; !slices.Equal(names, want) {
		t.Errorf("models: got %v, want %v", names, want)
	}
	post, err := c.GetMethod(ctx(), &apigateway.GetMethodInput{RestApiId: out.Id, ResourceId: aws.String(resourceID(t, c, *out.Id, "/pets")), HttpMethod: aws.String("POST")})
	if err != nil {
		t.Fatal(err)
	}
	if post.RequestModels["application/json"] != "NewPet" || post.MethodResponses["200"].ResponseModels["application/json"] != "NewPetResponse" {
		t.Errorf("POST /pets: request models %v, responses %+v", post.RequestModels, post.MethodResponses["200"])
	}
	want := map[string][]string{"/": {"GET"}, "/pets": {"GET", "OPTIONS", "POST"}, "/pets/{petId}": {"GET", "OPTIONS"}}
	if got := resourcePaths(t, c, *out.Id); !mapsEqual(got, want) {
		t.Errorf("resources: got %v, want %v", got, want)
	}
	ig, err := c.GetIntegration(ctx(), &apigateway.GetIntegrationInput{RestApiId: out.Id, ResourceId: aws.String(resourceID(t, c, *out.Id, "/pets/{petId}")), HttpMethod: aws.String("GET")})
	if err != nil {
		t.Fatal(err)
	}
	if ig.Type != types.IntegrationTypeHttp || ig.RequestParameters["integration.request.path.petId"] != "method.request.path.petId" || ig.TimeoutInMillis != 29000 {
		t.Errorf("integration: got %+v", ig)
	}

	t.Run("basepath prepend", func(t *testing.T) {
		out, err := c.ImportRestApi(ctx(), &apigateway.ImportRestApiInput{Body: openapiDoc(t, "greedy-proxy.json"), Parameters: map[string]string{"basepath": "prepend"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := resourcePaths(t, c, *out.Id)["/test/{proxy+}"]; !ok {
			t.Errorf("no /test/{proxy+}: %v", resourcePaths(t, c, *out.Id))
		}
	})
	t.Run("ignore documentation", func(t *testing.T) {
		doc := []byte(`{"swagger":"2.0","info":{"title":"d"},"x-amazon-apigateway-documentation":{"documentationParts":[]}}`)
		out, err := c.ImportRestApi(ctx(), &apigateway.ImportRestApiInput{Body: doc, FailOnWarnings: true, Parameters: map[string]string{"ignore": "documentation"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Warnings) != 0 {
			t.Errorf("warnings: got %q", out.Warnings)
		}
	})
}

func mapsEqual(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func resourceID(t *testing.T, c *apigateway.Client, api, path string) string {
	t.Helper()
	out, err := c.GetResources(ctx(), &apigateway.GetResourcesInput{RestApiId: aws.String(api), Limit: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Items {
		if *r.Path == path {
			return *r.Id
		}
	}
	t.Fatalf("no resource %s", path)
	return ""
}

// TestImportErrors checks that a document that cannot be imported gets a
// 400 BadRequestException in AWS's "Errors found during import" form, and
// that nothing is created.
func TestImportErrors(t *testing.T) {
	c, _ := setup(t)
	const prefix = "Errors found during import:\n\t"
	for _, tc := range []struct {
		name   string
		doc    string
		params map[string]string
		fail   bool
		code   string
		want   string
	}{
		{name: "not a document", doc: `hello`, code: "BadRequestException",
			want: prefix + "Unable to parse API definition: the document's root is not an object"},
		{name: "no title", doc: `{"swagger":"2.0","paths":{}}`, code: "BadRequestException",
			want: prefix + "Unable to create API: Invalid REST API name specified"},
		{name: "bad uri", code: "BadRequestException",
			doc:  `{"swagger":"2.0","info":{"title":"x"},"paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"type":"http","httpMethod":"GET","uri":"ftp://x"}}}}}`,
			want: prefix + "Unable to put integration on 'GET' for resource at path '/a': Invalid HTTP endpoint specified for URI"},
		{name: "undeclared parameter", code: "BadRequestException",
			doc: `{"swagger":"2.0","info":{"title":"x"},"paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"type":"http","httpMethod":"GET","uri":"http://x",` +
				`"requestParameters":{"integration.request.querystring.q":"method.request.querystring.q"}}}}}}`,
			want: prefix + "Unable to put integration on 'GET' for resource at path '/a': Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression parameter specified: method.request.querystring.q]"},
		{name: "two variables", code: "BadRequestException",
			doc:  `{"swagger":"2.0","info":{"title":"x"},"paths":{"/{a}":{},"/{b}":{}}}`,
			want: prefix + "Unable to create resource at path '/{b}': A sibling ({a}) of this resource already has a variable path part -- only one is allowed"},
		{name: "bad path part", code: "BadRequestException",
			doc:  `{"swagger":"2.0","info":{"title":"x"},"paths":{"/a b":{}}}`,
			want: prefix + "Unable to create resource at path '/a b': Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace."},
		{name: "gateway response header", code: "BadRequestException",
			doc:  `{"swagger":"2.0","info":{"title":"x"},"x-amazon-apigateway-gateway-responses":{"DEFAULT_4XX":{"responseParameters":{"gatewayresponse.header.a":"nope"}}}}`,
			want: prefix + "Unable to put gateway response 'DEFAULT_4XX': Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: nope]"},
		{name: "fail on warnings", fail: true, code: "BadRequestException",
			doc:  `{"swagger":"2.0","info":{"title":"x"},"paths":{"/a":{"get":{"responses":{"200":{"schema":{"$ref":"#/definitions/Nope"}}}}}}}`,
			want: "Warnings found during import:\n\tReference to model 'Nope' not found. Ignoring."},
		{name: "bad model schema", code: "BadRequestException",
			doc:  `{"swagger":"2.0","info":{"title":"x"},"definitions":{"Pet":{"type":"thing"}}}`,
			want: prefix + "Unable to create model for 'Pet': Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]"},
		{name: "bad model name", code: "BadRequestException",
			doc:  `{"swagger":"2.0","info":{"title":"x"},"definitions":{"Pet_1":{"type":"object"}}}`,
			want: prefix + "Unable to create model for 'Pet_1': Model name must be alphanumeric: Pet_1"},
		{name: "unknown validator", code: "BadRequestException",
			doc:  `{"swagger":"2.0","info":{"title":"x"},"paths":{"/a":{"get":{"x-amazon-apigateway-request-validator":"all"}}}}`,
			want: prefix + "Invalid x-amazon-apigateway-request-validator on method 'GET' on resource at path '/a': no request validator named 'all' in x-amazon-apigateway-request-validators"},
		{name: "authorizer without uri", code: "BadRequestException",
			doc: `{"swagger":"2.0","info":{"title":"x"},"securityDefinitions":{"auth":{"type":"apiKey","name":"Authorization","in":"header",` +
				`"x-amazon-apigateway-authtype":"custom","x-amazon-apigateway-authorizer":{"type":"token"}}},"paths":{"/a":{"get":{"security":[{"auth":[]}]}}}}`,
			want: prefix + "Unable to create authorizer 'auth': Invalid Authorizer URI: null. Authorizer URI should be a valid API Gateway ARN that represents a Lambda function invocation."},
		{name: "policy not a policy", code: "BadRequestException",
			doc:  `{"swagger":"2.0","info":{"title":"x"},"x-amazon-apigateway-policy":"this is not a policy"}`,
			want: prefix + "Invalid x-amazon-apigateway-policy: Invalid policy document. Please check the policy syntax and ensure that Principals are valid."},
		{name: "policy with a bad principal", code: "BadRequestException",
			doc: `{"swagger":"2.0","info":{"title":"x"},"x-amazon-apigateway-policy":{"Version":"2012-10-17","Statement":[` +
				`{"Effect":"Allow","Principal":{"AWS":"bad-principal"},"Action":"execute-api:Invoke","Resource":"execute-api:/*"}]}}`,
			want: prefix + "Invalid x-amazon-apigateway-policy: Invalid policy document. Please check the policy syntax and ensure that Principals are valid."},
		{name: "bad basepath", doc: `{"swagger":"2.0","info":{"title":"x"}}`, params: map[string]string{"basepath": "up"}, code: "BadRequestException",
			want: "Invalid basepath parameter value: up. Must be one of [ignore, prepend, split]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.ImportRestApi(ctx(), &apigateway.ImportRestApiInput{Body: []byte(tc.doc), FailOnWarnings: tc.fail, Parameters: tc.params})
			wantAPIError(t, err, 400, tc.code, tc.want)
			if n := countAPIs(t, c); n != 0 {
				t.Errorf("a failed import created %d APIs", n)
			}
		})
	}
}

func TestPutRestApi(t *testing.T) {
	c, _ := setup(t)
	out, err := c.ImportRestApi(ctx(), &apigateway.ImportRestApiInput{Body: openapiDoc(t, "greedy-proxy.json")})
	if err != nil {
		t.Fatal(err)
	}
	id := out.Id
	healthID := resourceID(t, c, *id, "/health")
	_, err = c.PutGatewayResponse(ctx(), &apigateway.PutGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeThrottled, StatusCode: aws.String("503")})
	if err != nil {
		t.Fatal(err)
	}
	update := []byte(`{"swagger":"2.0","info":{"title":"Renamed"},
		"x-amazon-apigateway-endpoint-configuration":{"disableExecuteApiEndpoint":true},
		"x-amazon-apigateway-gateway-responses":{"DEFAULT_5XX":{"statusCode":"599"}},
		"paths":{"/health":{"post":{"x-amazon-apigateway-integration":{"type":"mock","requestTemplates":{"application/json":"{\"statusCode\": 200}"}}}},
		"/new":{"get":{"x-amazon-apigateway-integration":{"type":"mock"}}}}}`)

	t.Run("failed put changes nothing", func(t *testing.T) {
		before := resourcePaths(t, c, *id)
		bad := []byte(`{"swagger":"2.0","paths":{"/x":{"get":{}},"/y":{"get":{"x-amazon-apigateway-integration":{"type":"http","httpMethod":"GET","uri":"nope"}}}}}`)
		_, err := c.PutRestApi(ctx(), &apigateway.PutRestApiInput{RestApiId: id, Body: bad, Mode: types.PutModeOverwrite})
		wantAPIError(t, err, 400, "BadRequestException", "Errors found during import:\n\tUnable to put integration on 'GET' for resource at path '/y': Invalid HTTP endpoint specified for URI")
		if after := resourcePaths(t, c, *id); !mapsEqual(before, after) {
			t.Errorf("resources changed: %v, was %v", after, before)
		}
	})
	t.Run("merge", func(t *testing.T) {
		out, err := c.PutRestApi(ctx(), &apigateway.PutRestApiInput{RestApiId: id, Body: update})
		if err != nil {
			t.Fatal(err)
		}
		// An update leaves the endpoint configuration alone (AWS's "Import
		// an OpenAPI file to update an existing API definition").
		if *out.Name != "Renamed" || out.DisableExecuteApiEndpoint || out.EndpointConfiguration.Types[0] != types.EndpointTypeEdge {
			t.Errorf("API: got name %q, disableExecuteApiEndpoint %v, endpoint %v", *out.Name, out.DisableExecuteApiEndpoint, out.EndpointConfiguration.Types)
		}
		want := map[string][]string{"/": {"ANY"}, "/{proxy+}": {"ANY"}, "/health": {"GET", "POST"}, "/new": {"GET"}}
		if got := resourcePaths(t, c, *id); !mapsEqual(got, want) {
			t.Errorf("resources: got %v, want %v", got, want)
		}
		if got := resourceID(t, c, *id, "/health"); got != healthID {
			t.Errorf("/health id changed: %s, was %s", got, healthID)
		}
		grs := gatewayResponseCodes(t, c, *id)
		if grs["THROTTLED"] != "503" || grs["DEFAULT_5XX"] != "599" {
			t.Errorf("gateway responses: got %v", grs)
		}
	})
	t.Run("overwrite", func(t *testing.T) {
		if _, err := c.PutRestApi(ctx(), &apigateway.PutRestApiInput{RestApiId: id, Body: update, Mode: types.PutModeOverwrite}); err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{"/": nil, "/health": {"POST"}, "/new": {"GET"}}
		if got := resourcePaths(t, c, *id); !mapsEqual(got, want) {
			t.Errorf("resources: got %v, want %v", got, want)
		}
		if got := resourceID(t, c, *id, "/health"); got != healthID {
			t.Errorf("/health id changed: %s, was %s", got, healthID)
		}
		grs := gatewayResponseCodes(t, c, *id)
		if grs["THROTTLED"] != "429" || grs["DEFAULT_5XX"] != "599" {
			t.Errorf("gateway responses: got %v (THROTTLED's customization must be gone)", grs)
		}
	})
	t.Run("empty title", func(t *testing.T) {
		_, err := c.PutRestApi(ctx(), &apigateway.PutRestApiInput{RestApiId: id, Body: []byte(`{"swagger":"2.0","info":{"title":""}}`)})
		wantAPIError(t, err, 400, "BadRequestException", "Errors found during import:\n\tUnable to update API: Invalid REST API name specified")
	})
	t.Run("unknown API", func(t *testing.T) {
		_, err := c.PutRestApi(ctx(), &apigateway.PutRestApiInput{RestApiId: aws.String("nope"), Body: update})
		wantAPIError(t, err, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope")
	})
}

func gatewayResponseCodes(t *testing.T, c *apigateway.Client, id string) map[string]string {
	t.Helper()
	out, err := c.GetGatewayResponses(ctx(), &apigateway.GetGatewayResponsesInput{RestApiId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, g := range out.Items {
		codes[string(g.ResponseType)] = aws.ToString(g.StatusCode)
	}
	return codes
}

func TestGetExport(t *testing.T) {
	c, srv := setup(t)
	out, err := c.ImportRestApi(ctx(), &apigateway.ImportRestApiInput{Body: openapiDoc(t, "gateway-responses.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	id := out.Id
	if _, err := c.CreateDeployment(ctx(), &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("test")}); err != nil {
		t.Fatal(err)
	}
	// aws-sdk-go-v2 always sends Accept: application/json (its API Gateway
	// customization overwrites the Accepts member), so it gets JSON;
	// YAML is asked for over plain HTTP, as the aws CLI and boto3 can.
	for _, tc := range []struct {
		typ, accept, wantType, wantStart string
	}{
		{"swagger", "", "application/json", "{\n  \"basePath\": \"/test\""},
		{"oas30", "application/json", "application/json", "{\n  \"components\""},
	} {
		t.Run(tc.typ+" "+tc.accept, func(t *testing.T) {
			in := &apigateway.GetExportInput{RestApiId: id, StageName: aws.String("test"), ExportType: aws.String(tc.typ),
				Parameters: map[string]string{"extensions": "apigateway"}}
			if tc.accept != "" {
				in.Accepts = aws.String(tc.accept)
			}
			exp, err := c.GetExport(ctx(), in)
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(exp.ContentType) != tc.wantType || !strings.HasPrefix(string(exp.Body), tc.wantStart) {
				t.Errorf("got %s %.60q", aws.ToString(exp.ContentType), exp.Body)
			}
			if !strings.Contains(string(exp.Body), "x-amazon-apigateway-gateway-responses") || !strings.Contains(aws.ToString(exp.ContentDisposition), tc.typ+"_test") {
				t.Errorf("gateway responses or file name missing: %s", aws.ToString(exp.ContentDisposition))
			}
		})
	}
	for _, typ := range []string{"swagger", "oas30"} {
		t.Run(typ+" yaml", func(t *testing.T) {
			req := httptest.NewRequest("GET", srv.URL+"/restapis/"+*id+"/stages/test/exports/"+typ+"?extensions=integrations", nil)
			req.RequestURI = ""
			req.Header.Set("Accept", "application/yaml")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/yaml" || !strings.Contains(string(body), "\npaths:\n") ||
				!strings.Contains(string(body), "x-amazon-apigateway-integration:") || strings.Contains(string(body), "gateway-responses") {
				t.Errorf("got %d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
	t.Run("unknown stage", func(t *testing.T) {
		_, err := c.GetExport(ctx(), &apigateway.GetExportInput{RestApiId: id, StageName: aws.String("nope"), ExportType: aws.String("swagger")})
		wantAPIError(t, err, 404, "NotFoundException", "Invalid stage identifier specified")
	})
	t.Run("unknown type", func(t *testing.T) {
		_, err := c.GetExport(ctx(), &apigateway.GetExportInput{RestApiId: id, StageName: aws.String("test"), ExportType: aws.String("raml")})
		wantAPIError(t, err, 400, "BadRequestException", "Invalid export type specified: raml. Must be one of [swagger, oas30]")
	})
}

// FuzzImport feeds arbitrary documents to ImportRestApi and to PutRestApi
// (overwrite and merge). No document may cause a panic or a 5xx, and a
// refused document changes nothing: no API is created and the existing
// API's resources are what they were.
//
// The seeds are whole documents: fuzz with -fuzzminimizetime 0, or the
// engine spends its time minimizing them.
func FuzzImport(f *testing.F) {
	h := fuzzHandler(f)
	targets := []struct{ method, path string }{
		{"POST", "/restapis?mode=import"},
		{"POST", "/restapis?mode=import&basepath=prepend&failonwarnings=true"},
		{"PUT", "/restapis/fuzzapi?mode=overwrite"},
		{"PUT", "/restapis/fuzzapi?mode=merge&basepath=split"},
	}
	for _, name := range []string{"petstore.json", "gateway-responses.yaml", "oas30-components.yaml", "greedy-proxy.json", "authorizers.yaml"} {
		f.Add(uint8(0), openapiDoc(f, name))
		f.Add(uint8(2), openapiDoc(f, name))
	}
	for i, s := range []string{
		`{"swagger":"2.0","info":{"title":"x"},"paths":{"/a/{b}/{c+}":{"get":{"parameters":[{"$ref":"#/p"}]}}}}`,
		"openapi: 3.0.0\ninfo: {title: y}\npaths:\n  /a:\n    x-amazon-apigateway-any-method:\n      x-amazon-apigateway-integration: {type: aws_proxy, httpMethod: POST, uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/f/invocations'}\n",
		`{"swagger":"2.0","info":{"title":1},"x-amazon-apigateway-gateway-responses":{"DEFAULT_4XX":{"statusCode":4.5}}}`,
		"a: &a [*a]",
		`{"swagger":"2.0","paths":{"/":{"get":{"responses":{"200":{"$ref":"#/paths/~1/get/responses/200"}}}}}}`,
	} {
		f.Add(uint8(i), []byte(s))
	}
	state := func(t *testing.T) string {
		var b strings.Builder
		for _, p := range []string{"/restapis", "/restapis/fuzzapi/resources?embed=methods&limit=500", "/restapis/fuzzapi/gatewayresponses",
			"/restapis/fuzzapi/models?limit=500", "/restapis/fuzzapi/requestvalidators?limit=500", "/restapis/fuzzapi/authorizers?limit=500"} {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
			b.WriteString(rec.Body.String())
		}
		return b.String()
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		tg := targets[int(which)%len(targets)]
		before := state(t)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tg.method, tg.path, strings.NewReader(string(body))))
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: status %d %s", tg.method, tg.path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && state(t) != before {
			t.Fatalf("%s %s %q: refused with %d %s, but the store changed", tg.method, tg.path, body, rec.Code, rec.Body)
		}
	})
}

// modelNames lists an API's models by name, sorted.
func modelNames(t *testing.T, c *apigateway.Client, id string) []string {
	t.Helper()
	out, err := c.GetModels(ctx(), &apigateway.GetModelsInput{RestApiId: aws.String(id), Limit: aws.Int32(500)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range out.Items {
		names = append(names, *m.Name)
	}
	slices.Sort(names)
	return names
}

// validatorsOf maps an API's request validators' names to their ids and
// flags ("id body params").
func validatorsOf(t *testing.T, c *apigateway.Client, id string) map[string]types.RequestValidator {
	t.Helper()
	out, err := c.GetRequestValidators(ctx(), &apigateway.GetRequestValidatorsInput{RestApiId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]types.RequestValidator{}
	for _, v := range out.Items {
		m[*v.Name] = v
	}
	return m
}

// TestImportModelsValidatorsAuthorizers imports authorizers.yaml with the
// SDK, then merges and overwrites it with PutRestApi: merge replaces what
// the document names (keeping ids) and keeps the rest, overwrite replaces
// all.
func TestImportModelsValidatorsAuthorizers(t *testing.T) {
	c, _ := setup(t)
	api, err := c.ImportRestApi(ctx(), &apigateway.ImportRestApiInput{Body: openapiDoc(t, "authorizers.yaml"), FailOnWarnings: true})
	if err != nil {
		t.Fatal(err)
	}
	id := api.Id
	if got := modelNames(t, c, *id); len(got) != 5 || got[0] != "Empty" || !strings.HasPrefix(got[1], "MODEL") {
		t.Errorf("models: got %v", got)
	}
	vs := validatorsOf(t, c, *id)
	if all := vs["all"]; len(vs) != 2 || !all.ValidateRequestBody || !all.ValidateRequestParameters {
		t.Errorf("validators: got %+v", vs)
	}
	auths, err := c.GetAuthorizers(ctx(), &apigateway.GetAuthorizersInput{RestApiId: id})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]types.Authorizer{}
	for _, a := range auths.Items {
		byName[*a.Name] = a
	}
	if a := byName["token-authorizer"]; a.Type != types.AuthorizerTypeToken || aws.ToString(a.IdentitySource) != "method.request.header.Authorization" ||
		aws.ToInt32(a.AuthorizerResultTtlInSeconds) != 0 || aws.ToString(a.AuthType) != "custom" {
		t.Errorf("token authorizer: got %+v", a)
	}
	if a := byName["cognito"]; a.Type != types.AuthorizerTypeCognitoUserPools || len(a.ProviderARNs) != 1 {
		t.Errorf("cognito authorizer: got %+v", a)
	}
	pets := aws.String(resourceID(t, c, *id, "/pets"))
	get, err := c.GetMethod(ctx(), &apigateway.GetMethodInput{RestApiId: id, ResourceId: pets, HttpMethod: aws.String("GET")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(get.AuthorizationType) != "CUSTOM" || aws.ToString(get.AuthorizerId) != aws.ToString(byName["token-authorizer"].Id) {
		t.Errorf("GET /pets: got %s %s", aws.ToString(get.AuthorizationType), aws.ToString(get.AuthorizerId))
	}
	post, err := c.GetMethod(ctx(), &apigateway.GetMethodInput{RestApiId: id, ResourceId: pets, HttpMethod: aws.String("POST")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(post.RequestValidatorId) != aws.ToString(vs["all"].Id) || post.RequestModels["application/json"] != "NewPet" ||
		!post.RequestParameters["method.request.header.h1"] {
		t.Errorf("POST /pets: got validator %s, models %v, parameters %v", aws.ToString(post.RequestValidatorId), post.RequestModels, post.RequestParameters)
	}
	del, err := c.GetMethod(ctx(), &apigateway.GetMethodInput{RestApiId: id, ResourceId: aws.String(resourceID(t, c, *id, "/pets/{petId}")), HttpMethod: aws.String("DELETE")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(del.AuthorizationType) != "COGNITO_USER_POOLS" || !slices.Equal(del.AuthorizationScopes, []string{"pets/admin"}) {
		t.Errorf("DELETE /pets/{petId}: got %s %v", aws.ToString(del.AuthorizationType), del.AuthorizationScopes)
	}

	t.Run("merge", func(t *testing.T) {
		doc := `{"swagger":"2.0","info":{"title":"Guarded pets"},
			"x-amazon-apigateway-request-validators":{"all":{"validateRequestBody":false,"validateRequestParameters":true}},
			"definitions":{"Pet":{"type":"object","required":["id"]},"Extra":{"type":"string"}},
			"paths":{"/extra":{"post":{"x-amazon-apigateway-request-validator":"all","parameters":[{"in":"body","name":"b","schema":{"$ref":"#/definitions/Extra"}}]}}}}`
		if _, err := c.PutRestApi(ctx(), &apigateway.PutRestApiInput{RestApiId: id, Body: []byte(doc), Mode: types.PutModeMerge}); err != nil {
			t.Fatal(err)
		}
		if got := modelNames(t, c, *id); len(got) != 6 || !slices.Contains(got, "Extra") {
			t.Errorf("models: got %v", got)
		}
		pet, err := c.GetModel(ctx(), &apigateway.GetModelInput{RestApiId: id, ModelName: aws.String("Pet")})
		if err != nil || *pet.Schema != `{"required":["id"],"type":"object"}` {
			t.Errorf("Pet: got %v %v", pet, err)
		}
		after := validatorsOf(t, c, *id)
		if all := after["all"]; len(after) != 2 || *all.Id != *vs["all"].Id || all.ValidateRequestBody {
			t.Errorf("validators: got %+v", after)
		}
		if auths, _ := c.GetAuthorizers(ctx(), &apigateway.GetAuthorizersInput{RestApiId: id}); len(auths.Items) != 3 {
			t.Errorf("authorizers: got %d, want the 3 kept", len(auths.Items))
		}
	})
	t.Run("refused", func(t *testing.T) {
		// A method of the document naming a model the result would not
		// have: nothing changes.
		doc := `{"swagger":"2.0","info":{"title":"Guarded pets"},"definitions":{"Bad":{"type":"nope"}}}`
		_, err := c.PutRestApi(ctx(), &apigateway.PutRestApiInput{RestApiId: id, Body: []byte(doc), Mode: types.PutModeOverwrite})
		wantAPIError(t, err, 400, "BadRequestException", "Errors found during import:\n\tUnable to create model for 'Bad': Invalid model specified: Validation Result: warnings : [], errors : [Invalid model schema specified]")
		if got := modelNames(t, c, *id); len(got) != 6 {
			t.Errorf("models after a refused import: got %v", got)
		}
	})
	t.Run("overwrite", func(t *testing.T) {
		doc := `{"swagger":"2.0","info":{"title":"Guarded pets"},"definitions":{"Only":{"type":"object"}},"paths":{"/a":{"get":{"responses":{}}}}}`
		if _, err := c.PutRestApi(ctx(), &apigateway.PutRestApiInput{RestApiId: id, Body: []byte(doc), Mode: types.PutModeOverwrite}); err != nil {
			t.Fatal(err)
		}
		if got := modelNames(t, c, *id); !slices.Equal(got, []string{"Only"}) {
			t.Errorf("models: got %v", got)
		}
		if got := validatorsOf(t, c, *id); len(got) != 0 {
			t.Errorf("validators: got %v", got)
		}
		if auths, _ := c.GetAuthorizers(ctx(), &apigateway.GetAuthorizersInput{RestApiId: id}); len(auths.Items) != 0 {
			t.Errorf("authorizers: got %d, want none", len(auths.Items))
		}
	})
}

// TestExportModels exports an API built with the SDK: the default Empty
// model is exported because a method response uses it, the unused default
// Error model is not (as AWS's exports show), a model's reference to
// another becomes a local reference, and the authorizer is exported only
// with extensions=authorizers (or apigateway).
func TestExportModels(t *testing.T) {
	c, _ := setup(t)
	api, err := c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String("built")})
	if err != nil {
		t.Fatal(err)
	}
	id := api.Id
	_, err = c.CreateModel(ctx(), &apigateway.CreateModelInput{RestApiId: id, Name: aws.String("Pets"), ContentType: aws.String("application/json"),
		Schema: aws.String(`{"type":"array","items":{"$ref":"https://apigateway.amazonaws.com/restapis/` + *id + `/models/Empty"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := c.CreateAuthorizer(ctx(), &apigateway.CreateAuthorizerInput{RestApiId: id, Name: aws.String("tok"), Type: types.AuthorizerTypeToken,
		AuthorizerUri:  aws.String("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:a/invocations"),
		IdentitySource: aws.String("method.request.header.Auth")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutMethod(ctx(), &apigateway.PutMethodInput{RestApiId: id, ResourceId: api.RootResourceId, HttpMethod: aws.String("POST"),
		AuthorizationType: aws.String("CUSTOM"), AuthorizerId: auth.Id, RequestModels: map[string]string{"application/json": "Pets"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutMethodResponse(ctx(), &apigateway.PutMethodResponseInput{RestApiId: id, ResourceId: api.RootResourceId, HttpMethod: aws.String("POST"),
		StatusCode: aws.String("200"), ResponseModels: map[string]string{"application/json": "Empty"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutIntegration(ctx(), &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: api.RootResourceId, HttpMethod: aws.String("POST"), Type: types.IntegrationTypeMock})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDeployment(ctx(), &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ext        string
		authorizer bool
	}{{"", false}, {"authorizers", true}, {"apigateway", true}} {
		t.Run("extensions="+tc.ext, func(t *testing.T) {
			exp, err := c.GetExport(ctx(), &apigateway.GetExportInput{RestApiId: id, StageName: aws.String("s"), ExportType: aws.String("swagger"),
				Parameters: map[string]string{"extensions": tc.ext}})
			if err != nil {
				t.Fatal(err)
			}
			body := string(exp.Body)
			for _, part := range []string{`"Empty": {`, `"$ref": "#/definitions/Empty"`, `"$ref": "#/definitions/Pets"`, `"title": "Empty Schema"`} {
				if !strings.Contains(body, part) {
					t.Errorf("export lacks %s:\n%s", part, body)
				}
			}
			if strings.Contains(body, `"Error"`) || strings.Contains(body, "$schema") {
				t.Errorf("export has the unused Error model or $schema:\n%s", body)
			}
			if got := strings.Contains(body, `"x-amazon-apigateway-authorizer"`); got != tc.authorizer {
				t.Errorf("authorizer exported: got %v, want %v\n%s", got, tc.authorizer, body)
			}
		})
	}
}

// TestImportPolicyIsNormalized: an imported resource policy is saved as
// CreateRestApi saves one, with execute-api:/ resources expanded to ARNs.
func TestImportPolicyIsNormalized(t *testing.T) {
	c, _ := setup(t)
	doc := `{"swagger":"2.0","info":{"title":"x"},"x-amazon-apigateway-policy":{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}]}}`
	out, err := c.ImportRestApi(ctx(), &apigateway.ImportRestApiInput{Body: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
	want := "arn:aws:execute-api:us-east-1:000000000000:" + *out.Id + "/*"
	if out.Policy == nil || !strings.Contains(*out.Policy, strings.ReplaceAll(want, "/", `\/`)) {
		t.Errorf("policy %v, want its resource expanded to %s", out.Policy, want)
	}
}
