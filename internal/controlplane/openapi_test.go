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
