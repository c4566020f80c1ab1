package openapi

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// documents are the test documents of testdata/.
var documents = []string{"petstore.json", "gateway-responses.yaml", "oas30-components.yaml", "greedy-proxy.json", "authorizers.yaml"}

func readDoc(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustImport(t testing.TB, doc []byte, opts Options) *API {
	t.Helper()
	api, err := Import(doc, opts)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	return api
}

// snapshotOf builds the snapshot a deployment of api would hold, with
// stable ids (the resource path) and the defaults the control plane fills.
func snapshotOf(api *API) model.Snapshot {
	s := model.Snapshot{API: api.RestAPI, GatewayResponses: api.GatewayResponses, Models: api.ModelsFor(api.RestAPI.ID)}
	// Methods name their validators and authorizers: the names are the ids.
	for _, v := range api.RequestValidators {
		v.ID = v.Name
		s.RequestValidators = append(s.RequestValidators, v)
	}
	for _, a := range api.Authorizers {
		a.ID = a.Name
		s.Authorizers = append(s.Authorizers, a)
	}
	for _, r := range api.Resources {
		r.ID = "id" + r.Path
		for verb, m := range r.Methods {
			if m.Integration != nil && m.Integration.CacheNamespace == "" {
				ig := *m.Integration
				ig.CacheNamespace = r.ID
				m.Integration = &ig
				r.Methods[verb] = m
			}
		}
		s.Resources = append(s.Resources, r)
	}
	return s
}

func methodOf(t *testing.T, api *API, path, verb string) model.Method {
	t.Helper()
	for _, r := range api.Resources {
		if r.Path == path {
			m, ok := r.Methods[verb]
			if !ok {
				t.Fatalf("no %s on %s", verb, path)
			}
			return m
		}
	}
	t.Fatalf("no resource %s", path)
	return model.Method{}
}

func paths(api *API) []string {
	var out []string
	for _, r := range api.Resources {
		out = append(out, r.Path)
	}
	return out
}

func TestImportDocuments(t *testing.T) {
	t.Run("petstore", func(t *testing.T) {
		api := mustImport(t, readDoc(t, "petstore.json"), Options{})
		if api.RestAPI.Name != "PetStore" {
			t.Errorf("name: got %q", api.RestAPI.Name)
		}
		if got, want := paths(api), []string{"/", "/pets", "/pets/{petId}"}; !slices.Equal(got, want) {
			t.Errorf("paths: got %v, want %v", got, want)
		}
		get := methodOf(t, api, "/pets", "GET")
		if want := map[string]bool{"method.request.querystring.type": false, "method.request.querystring.page": false}; !reflect.DeepEqual(get.RequestParameters, want) {
			t.Errorf("requestParameters: got %v, want %v", get.RequestParameters, want)
		}
		ig := get.Integration
		if ig == nil || ig.Type != "HTTP" || ig.HTTPMethod != "GET" || ig.PassthroughBehavior != "WHEN_NO_MATCH" || ig.ConnectionType != "INTERNET" {
			t.Fatalf("integration: got %+v", ig)
		}
		if r := ig.Responses["200"]; r.SelectionPattern != "" || r.ResponseParameters["method.response.header.Access-Control-Allow-Origin"] != "'*'" {
			t.Errorf("integration response: got %+v", r)
		}
		if pet := methodOf(t, api, "/pets/{petId}", "GET"); !pet.RequestParameters["method.request.path.petId"] || pet.OperationName != "GetPet" {
			t.Errorf("GET /pets/{petId}: got %+v", pet)
		}
		if len(api.Warnings) != 0 {
			t.Errorf("warnings: got %q", api.Warnings)
		}
		// Definitions become models; references between them use the
		// canonical model URL.
		var names []string
		for _, m := range api.ModelsFor("abc123") {
			names = append(names, m.Name)
			if m.ContentType != "application/json" {
				t.Errorf("model %s: content type %q", m.Name, m.ContentType)
			}
			if m.Name == "NewPet" && !strings.Contains(m.Schema, `"$ref":"https://apigateway.amazonaws.com/restapis/abc123/models/PetType"`) {
				t.Errorf("NewPet schema: got %s", m.Schema)
			}
		}
		if want := []string{"Empty", "NewPet", "NewPetResponse", "Pet", "PetType", "Pets"}; !slices.Equal(names, want) {
			t.Errorf("models: got %v, want %v", names, want)
		}
		post := methodOf(t, api, "/pets", "POST")
		if post.RequestModels["application/json"] != "NewPet" || post.Responses["200"].ResponseModels["application/json"] != "NewPetResponse" {
			t.Errorf("POST /pets models: got %v and %+v", post.RequestModels, post.Responses)
		}
	})
	t.Run("gateway responses", func(t *testing.T) {
		api := mustImport(t, readDoc(t, "gateway-responses.yaml"), Options{})
		grs := api.GatewayResponses
		if grs["MISSING_AUTHENTICATION_TOKEN"].StatusCode != "404" || grs["INVALID_API_KEY"].StatusCode != "401" || grs["DEFAULT_4XX"].StatusCode != "" {
			t.Errorf("status codes: got %+v", grs)
		}
		if got := grs["DEFAULT_4XX"].ResponseParameters["gatewayresponse.header.Access-Control-Allow-Origin"]; got != "'*'" {
			t.Errorf("DEFAULT_4XX header: got %q", got)
		}
		if !methodOf(t, api, "/secret", "GET").APIKeyRequired || methodOf(t, api, "/greeting", "GET").APIKeyRequired {
			t.Error("apiKeyRequired: want it on /secret only")
		}
		a := api.RestAPI
		if a.APIKeySource != "HEADER" || *a.MinimumCompressionSize != 1024 || !slices.Equal(a.BinaryMediaTypes, []string{"image/png", "application/octet-stream"}) {
			t.Errorf("API attributes: got %+v", a)
		}
		if len(api.Warnings) != 0 {
			t.Errorf("warnings: got %q", api.Warnings)
		}
		want := []model.RequestValidator{{Name: "all", ValidateRequestBody: true, ValidateRequestParameters: true},
			{Name: "params-only", ValidateRequestParameters: true}}
		if !reflect.DeepEqual(api.RequestValidators, want) {
			t.Errorf("validators: got %+v, want %+v", api.RequestValidators, want)
		}
		// The root validator applies to every method that names none.
		if g, s := methodOf(t, api, "/greeting", "GET"), methodOf(t, api, "/secret", "GET"); g.RequestValidatorID != "all" || s.RequestValidatorID != "params-only" {
			t.Errorf("requestValidatorId: got %q and %q", g.RequestValidatorID, s.RequestValidatorID)
		}
	})
	t.Run("oas30 components", func(t *testing.T) {
		api := mustImport(t, readDoc(t, "oas30-components.yaml"), Options{})
		list := methodOf(t, api, "/orders", "GET")
		want := map[string]bool{"method.request.querystring.limit": false, "method.request.header.X-Trace": true}
		if !reflect.DeepEqual(list.RequestParameters, want) {
			t.Errorf("requestParameters from $ref: got %v, want %v", list.RequestParameters, want)
		}
		if _, ok := list.Responses["200"].ResponseParameters["method.response.header.X-Order-Count"]; !ok {
			t.Errorf("response headers from $ref: got %+v", list.Responses)
		}
		if r := list.Integration.Responses["500"]; r.SelectionPattern != `5\d{2}` {
			t.Errorf("selection pattern: got %q", r.SelectionPattern)
		}
		get := methodOf(t, api, "/orders/{orderId}", "GET")
		if !get.APIKeyRequired || !get.RequestParameters["method.request.path.orderId"] {
			t.Errorf("GET /orders/{orderId}: path-level $ref parameter and security: got %+v", get)
		}
		if list.Responses["200"].ResponseModels["application/json"] == "" || !strings.HasPrefix(list.Responses["200"].ResponseModels["application/json"], "MODEL") {
			t.Errorf("inline response schema: got %+v", list.Responses["200"])
		}
		if get.Responses["200"].ResponseModels["application/json"] != "Order" {
			t.Errorf("GET /orders/{orderId} response model: got %+v", get.Responses["200"])
		}
		if list.Integration.TimeoutInMillis != 5000 {
			t.Errorf("timeout: got %d", list.Integration.TimeoutInMillis)
		}
	})
	t.Run("greedy proxy", func(t *testing.T) {
		api := mustImport(t, readDoc(t, "greedy-proxy.json"), Options{})
		m := methodOf(t, api, "/{proxy+}", "ANY")
		if m.Integration.Type != "HTTP_PROXY" || m.Integration.HTTPMethod != "ANY" || m.Integration.CacheNamespace != "proxyns" {
			t.Errorf("ANY /{proxy+}: got %+v", m.Integration)
		}
		if !strings.Contains(api.RestAPI.Policy, `"execute-api:Invoke"`) {
			t.Errorf("policy: got %q", api.RestAPI.Policy)
		}
	})
}

// TestNumbers checks that numbers keep their written form where API Gateway
// reads them as text (a version 1.0 stays "1.0") and are accepted as numbers
// or strings where it reads integers.
func TestNumbers(t *testing.T) {
	for name, doc := range map[string]string{
		"yaml": "swagger: '2.0'\ninfo: {title: n, version: 1.0}\nx-amazon-apigateway-minimum-compression-size: 1024\n" +
			"x-amazon-apigateway-gateway-responses: {DEFAULT_4XX: {statusCode: 404.0}, DEFAULT_5XX: {statusCode: '503'}}\n",
		"json": `{"swagger":"2.0","info":{"title":"n","version":1.0},"x-amazon-apigateway-minimum-compression-size":1024,` +
			`"x-amazon-apigateway-gateway-responses":{"DEFAULT_4XX":{"statusCode":404},"DEFAULT_5XX":{"statusCode":"503"}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			api := mustImport(t, []byte(doc), Options{})
			if api.RestAPI.Version != "1.0" || *api.RestAPI.MinimumCompressionSize != 1024 ||
				api.GatewayResponses["DEFAULT_4XX"].StatusCode != "404" || api.GatewayResponses["DEFAULT_5XX"].StatusCode != "503" {
				t.Errorf("got %+v %+v", api.RestAPI, api.GatewayResponses)
			}
		})
	}
}

// TestYAMLAnchors checks that anchors, aliases and merge keys, which
// hand-written documents use to share integrations, are honoured.
func TestYAMLAnchors(t *testing.T) {
	doc := `swagger: "2.0"
info: {title: anchors, version: "1"}
x-shared: &backend
  type: http_proxy
  httpMethod: GET
  uri: http://backend.example.com/a
paths:
  /a:
    get:
      x-amazon-apigateway-integration: *backend
  /b:
    get:
      x-amazon-apigateway-integration:
        <<: *backend
        uri: http://backend.example.com/b
`
	api := mustImport(t, []byte(doc), Options{})
	a, b := methodOf(t, api, "/a", "GET").Integration, methodOf(t, api, "/b", "GET").Integration
	if a.URI != "http://backend.example.com/a" || b.URI != "http://backend.example.com/b" || b.Type != "HTTP_PROXY" || b.HTTPMethod != "GET" {
		t.Errorf("got %+v and %+v", a, b)
	}
}

func TestBasePath(t *testing.T) {
	swagger := []byte(`{"swagger":"2.0","info":{"title":"t"},"basePath":"/a/b/c","paths":{"/e":{},"/f":{}}}`)
	oas := []byte(`{"openapi":"3.0.1","info":{"title":"t"},"servers":[{"url":"https://h.example.com/a/b/c"}],"paths":{"/e":{},"/f":{}}}`)
	// The examples of AWS's "Set the OpenAPI basePath property".
	for _, tc := range []struct {
		mode string
		want []string
	}{
		{"", []string{"/", "/e", "/f"}},
		{BasePathIgnore, []string{"/", "/e", "/f"}},
		{BasePathPrepend, []string{"/", "/a", "/a/b", "/a/b/c", "/a/b/c/e", "/a/b/c/f"}},
		{BasePathSplit, []string{"/", "/b", "/b/c", "/b/c/e", "/b/c/f"}},
	} {
		for name, doc := range map[string][]byte{"swagger": swagger, "oas30": oas} {
			t.Run(name+"/"+tc.mode, func(t *testing.T) {
				api := mustImport(t, doc, Options{BasePath: tc.mode})
				if got := paths(api); !slices.Equal(got, tc.want) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
			})
		}
	}
}

func TestImportErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"empty", ``, "Unable to parse API definition: the document is empty"},
		{"not an object", `[1]`, "Unable to parse API definition: the document's root is not an object"},
		{"no version", `{"info":{"title":"x"}}`, `Unable to parse API definition: the document must declare swagger: "2.0" or openapi: "3.0.x"`},
		{"bad type", `{"swagger":"2.0","paths":{"/a":{"get":{"x-amazon-apigateway-integration":{"type":"ftp"}}}}}`,
			"Unable to put integration on 'GET' on resource at path '/a': Invalid integration type 'ftp'"},
		{"bad gateway response", `{"swagger":"2.0","x-amazon-apigateway-gateway-responses":{"NOPE":{}}}`,
			"Unable to put gateway response 'NOPE': invalid response type"},
		{"bad status", `{"swagger":"2.0","paths":{"/a":{"get":{"responses":{"99":{}}}}}}`,
			"Unable to put method response on 'GET' on resource at path '/a': invalid status code '99'"},
		{"external ref", `{"swagger":"2.0","paths":{"/a":{"$ref":"http://example.com/x"}}}`,
			`Unable to create resource at path '/a': unsupported reference "http://example.com/x": only references within the document (#/...) are supported`},
		{"unresolved ref", `{"swagger":"2.0","paths":{"/a":{"$ref":"#/nowhere"}}}`,
			`Unable to create resource at path '/a': unresolvable reference "#/nowhere"`},
		{"circular ref", `{"swagger":"2.0","parameters":{"p":{"$ref":"#/parameters/p"}},"paths":{"/a":{"get":{"parameters":[{"$ref":"#/parameters/p"}]}}}}`,
			"Unable to put method 'GET' on resource at path '/a': the reference chain is too long or circular"},
		{"yaml alias bomb", "swagger: '2.0'\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n",
			"Unable to parse API definition: malformed YAML: the document is too large once its aliases are expanded"},
		{"too many resources", `{"swagger":"2.0","paths":{"/` + strings.Repeat("a/", MaxResources) + `b":{}}}`,
			fmt.Sprintf("Unable to parse API definition: more than %d resources", MaxResources)},
		{"yaml version", "swagger: '2.0'\ninfo: {version: [1]}\n", "Invalid info.version: must be a string"},
		{"model name", `{"swagger":"2.0","definitions":{"a-b":{}}}`, "Unable to create model for 'a-b': Model name must be alphanumeric: a-b"},
		{"model reference", `{"swagger":"2.0","definitions":{"A":{"$ref":"#/parameters/p"}}}`,
			"Unable to create model for 'A': unsupported reference '#/parameters/p': a schema may refer only to #/definitions/..."},
		{"validator flag", `{"swagger":"2.0","x-amazon-apigateway-request-validators":{"v":{"validateRequestBody":"yes"}}}`,
			"Unable to create request validator 'v': validateRequestBody must be a boolean"},
		{"authorizer type", `{"swagger":"2.0","securityDefinitions":{"a":{"type":"apiKey","x-amazon-apigateway-authorizer":{"type":"jwt"}}}}`,
			"Unable to create authorizer 'a': Invalid authorizer type 'jwt': must be one of [token, request, cognito_user_pools]"},
		{"authorizer ttl", `{"swagger":"2.0","securityDefinitions":{"a":{"type":"apiKey","x-amazon-apigateway-authorizer":{"type":"token","authorizerResultTtlInSeconds":"x"}}}}`,
			"Unable to create authorizer 'a': authorizerResultTtlInSeconds must be an integer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Import([]byte(tc.doc), Options{})
			var ie *Error
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want an *Error", err)
			}
			if !slices.Contains(ie.Problems, tc.want) {
				t.Errorf("got %q, want %q among them", ie.Problems, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "Errors found during import:\n\t") {
				t.Errorf("text: got %q", err.Error())
			}
		})
	}
}

// TestRoundTrip exports each document's import, in both formats and both
// encodings, and checks that importing the export gives the same
// configuration. The exports are also golden files.
func TestRoundTrip(t *testing.T) {
	created := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for _, name := range documents {
		first := mustImport(t, readDoc(t, name), Options{})
		snap := snapshotOf(first)
		for _, format := range []string{FormatSwagger, FormatOAS30} {
			for _, yamlOut := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/yaml=%v", name, format, yamlOut), func(t *testing.T) {
					out, err := Export(snap, ExportOptions{Format: format, YAML: yamlOut, Host: "abc.execute-api.us-east-1.amazonaws.com",
						Stage: "test", Created: created, Extensions: map[string]bool{ExtAPIGateway: true}})
					if err != nil {
						t.Fatal(err)
					}
					golden := filepath.Join("testdata", "export", strings.TrimSuffix(name, filepath.Ext(name))+"."+FileName(format, "test", yamlOut))
					checkGolden(t, golden, out)
					second := mustImport(t, out, Options{})
					if first.RestAPI.Version == "" {
						// An API without a version is exported with its
						// creation date as the version, as AWS does.
						if want := created.Format(time.RFC3339); second.RestAPI.Version != want {
							t.Errorf("version: got %q, want %q", second.RestAPI.Version, want)
						}
						second.RestAPI.Version = ""
					}
					if diff := compare(snapshotOf(first), snapshotOf(second)); diff != "" {
						t.Errorf("round trip changed the configuration: %s", diff)
					}
				})
			}
		}
	}
}

// compare reports how two snapshots' configurations differ ("" if not).
func compare(a, b model.Snapshot) string {
	if !reflect.DeepEqual(a.Resources, b.Resources) {
		return fmt.Sprintf("resources:\n got %+v\nwant %+v", b.Resources, a.Resources)
	}
	if !reflect.DeepEqual(a.GatewayResponses, b.GatewayResponses) {
		return fmt.Sprintf("gateway responses:\n got %+v\nwant %+v", b.GatewayResponses, a.GatewayResponses)
	}
	if !reflect.DeepEqual(a.Models, b.Models) {
		return fmt.Sprintf("models:\n got %+v\nwant %+v", b.Models, a.Models)
	}
	if !reflect.DeepEqual(a.RequestValidators, b.RequestValidators) {
		return fmt.Sprintf("request validators:\n got %+v\nwant %+v", b.RequestValidators, a.RequestValidators)
	}
	if !reflect.DeepEqual(a.Authorizers, b.Authorizers) {
		return fmt.Sprintf("authorizers:\n got %+v\nwant %+v", b.Authorizers, a.Authorizers)
	}
	if !reflect.DeepEqual(a.API, b.API) {
		return fmt.Sprintf("API:\n got %+v\nwant %+v", b.API, a.API)
	}
	return ""
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the export:\n%s", path, got)
	}
}

func TestExportExtensions(t *testing.T) {
	snap := snapshotOf(mustImport(t, readDoc(t, "gateway-responses.yaml"), Options{}))
	for _, tc := range []struct {
		ext                    string
		integration, responses bool
	}{
		{"", false, false},
		{ExtIntegrations, true, false},
		{ExtAPIGateway, true, true},
	} {
		t.Run(tc.ext, func(t *testing.T) {
			out, err := Export(snap, ExportOptions{Format: FormatOAS30, Stage: "s", Extensions: map[string]bool{tc.ext: true}})
			if err != nil {
				t.Fatal(err)
			}
			if got := bytes.Contains(out, []byte("x-amazon-apigateway-integration")); got != tc.integration {
				t.Errorf("integration extension present: got %v, want %v", got, tc.integration)
			}
			if got := bytes.Contains(out, []byte("x-amazon-apigateway-gateway-responses")); got != tc.responses {
				t.Errorf("gateway responses present: got %v, want %v", got, tc.responses)
			}
		})
	}
}

// TestEndpointConfiguration checks where x-amazon-apigateway-endpoint-configuration
// is read and written: at the root in Swagger 2.0, on the server object in
// OpenAPI 3.0 (AWS's "x-amazon-apigateway-endpoint-configuration object").
func TestEndpointConfiguration(t *testing.T) {
	const ec = `{"disableExecuteApiEndpoint":true,"vpcEndpointIds":["vpce-1"]}`
	for _, tc := range []struct{ name, doc, format string }{
		{"swagger", `{"swagger":"2.0","info":{"title":"t","version":"1"},"x-amazon-apigateway-endpoint-configuration":` + ec + `}`, FormatSwagger},
		{"oas30", `{"openapi":"3.0.1","info":{"title":"t","version":"1"},"servers":[{"url":"https://h/","x-amazon-apigateway-endpoint-configuration":` + ec + `}]}`, FormatOAS30},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := mustImport(t, []byte(tc.doc), Options{})
			if !api.RestAPI.DisableExecuteAPIEndpoint || !slices.Equal(api.RestAPI.EndpointConfiguration.VPCEndpointIDs, []string{"vpce-1"}) {
				t.Fatalf("got %+v", api.RestAPI)
			}
			out, err := Export(snapshotOf(api), ExportOptions{Format: tc.format, Stage: "s", Extensions: map[string]bool{ExtAPIGateway: true}})
			if err != nil {
				t.Fatal(err)
			}
			again := mustImport(t, out, Options{})
			if diff := compare(snapshotOf(api), snapshotOf(again)); diff != "" {
				t.Errorf("%s\n%s", diff, out)
			}
		})
	}
}

// TestAuthorization checks the ways a document sets a method's
// authorization: an awsSigv4 security scheme and x-amazon-apigateway-auth
// (AWS_IAM), and an apiKey scheme required at the root (apiKeyRequired on
// every operation that does not override security).
func TestAuthorization(t *testing.T) {
	doc := []byte(`{"swagger":"2.0","info":{"title":"auth","version":"1"},
		"security":[{"key":[]}],
		"securityDefinitions":{
			"key":{"type":"apiKey","name":"x-api-key","in":"header"},
			"sigv4":{"type":"apiKey","name":"Authorization","in":"header","x-amazon-apigateway-authtype":"awsSigv4"}},
		"paths":{
			"/signed":{"get":{"security":[{"sigv4":[]}],"responses":{}}},
			"/iam":{"get":{"security":[],"x-amazon-apigateway-auth":{"type":"aws_iam"},"responses":{}}},
			"/keyed":{"get":{"responses":{}}}}}`)
	api := mustImport(t, doc, Options{})
	for _, tc := range []struct {
		path, auth string
		key        bool
	}{
		{"/signed", "AWS_IAM", false},
		{"/iam", "AWS_IAM", false},
		{"/keyed", "NONE", true},
	} {
		m := methodOf(t, api, tc.path, "GET")
		if m.AuthorizationType != tc.auth || m.APIKeyRequired != tc.key {
			t.Errorf("%s: got %s, key %v; want %s, key %v", tc.path, m.AuthorizationType, m.APIKeyRequired, tc.auth, tc.key)
		}
	}
	for _, format := range []string{FormatSwagger, FormatOAS30} {
		out, err := Export(snapshotOf(api), ExportOptions{Format: format, Stage: "s"})
		if err != nil {
			t.Fatal(err)
		}
		if diff := compare(snapshotOf(api), snapshotOf(mustImport(t, out, Options{}))); diff != "" {
			t.Errorf("%s: %s\n%s", format, diff, out)
		}
	}
}

// TestAuthorizers checks the authorizers of authorizers.yaml: each security
// scheme with x-amazon-apigateway-authorizer is an authorizer named after
// it, and the operations requiring it use it.
func TestAuthorizers(t *testing.T) {
	api := mustImport(t, readDoc(t, "authorizers.yaml"), Options{})
	const uri = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:authorizer/invocations"
	want := []model.Authorizer{
		{Name: "cognito", Type: model.AuthorizerCognito, AuthType: "cognito_user_pools", IdentitySource: "method.request.header.Authorization",
			ProviderARNs: []string{"arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_pets"}, ResultTTLInSeconds: 300},
		{Name: "request-authorizer", Type: model.AuthorizerRequest, AuthType: "custom", AuthorizerURI: uri,
			AuthorizerCredentials: "arn:aws:iam::000000000000:role/authorizer-invoker",
			IdentitySource:        "method.request.header.X-Token, method.request.querystring.token", ResultTTLInSeconds: 300},
		{Name: "token-authorizer", Type: model.AuthorizerToken, AuthType: "custom", AuthorizerURI: uri, IdentitySource: "method.request.header.Authorization",
			IdentityValidationExpression: "^(allow|deny|unauthorized).*"},
	}
	if !reflect.DeepEqual(api.Authorizers, want) {
		t.Errorf("authorizers:\n got %+v\nwant %+v", api.Authorizers, want)
	}
	for _, tc := range []struct {
		path, verb, auth, authorizer, validator string
		scopes                                  []string
	}{
		{"/pets", "GET", "CUSTOM", "token-authorizer", "", nil},
		{"/pets", "POST", "NONE", "", "all", nil},
		{"/pets/{petId}", "GET", "CUSTOM", "request-authorizer", "", nil},
		{"/pets/{petId}", "DELETE", "COGNITO_USER_POOLS", "cognito", "body-only", []string{"pets/admin"}},
	} {
		m := methodOf(t, api, tc.path, tc.verb)
		if m.AuthorizationType != tc.auth || m.AuthorizerID != tc.authorizer || m.RequestValidatorID != tc.validator || !slices.Equal(m.AuthorizationScopes, tc.scopes) {
			t.Errorf("%s %s: got %s %q %q %v", tc.verb, tc.path, m.AuthorizationType, m.AuthorizerID, m.RequestValidatorID, m.AuthorizationScopes)
		}
	}
	if post := methodOf(t, api, "/pets", "POST"); post.RequestModels["application/json"] != "NewPet" {
		t.Errorf("POST /pets request models: got %v", post.RequestModels)
	}
	// Without the authorizers extension set, an export leaves authorizers
	// out: the methods are exported without their security.
	for _, tc := range []struct {
		ext  string
		want bool
	}{{ExtIntegrations, false}, {ExtAuthorizers, true}, {ExtAPIGateway, true}} {
		out, err := Export(snapshotOf(api), ExportOptions{Format: FormatSwagger, Stage: "s", Extensions: map[string]bool{tc.ext: true}})
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(out, []byte("x-amazon-apigateway-authorizer")); got != tc.want {
			t.Errorf("extensions=%s: authorizers exported: got %v, want %v", tc.ext, got, tc.want)
		}
	}
}

// TestModelReferences checks how references between schemas become model
// references: to a named schema (with a fragment into it), or by the
// canonical URL of another API's model, as documents exported from AWS with
// flattened references carry.
func TestModelReferences(t *testing.T) {
	doc := `{"swagger":"2.0","definitions":{
		"A":{"type":"object","properties":{"b":{"$ref":"#/definitions/B"},"id":{"$ref":"#/definitions/B/properties/id"},
			"c":{"$ref":"https://apigateway.amazonaws.com/restapis/other123/models/B"}}},
		"B":{"type":"object","properties":{"id":{"type":"string"}}}}}`
	api := mustImport(t, []byte(doc), Options{})
	got := api.ModelsFor("me")[0].Schema
	want := `{"properties":{"b":{"$ref":"https://apigateway.amazonaws.com/restapis/me/models/B"},` +
		`"c":{"$ref":"https://apigateway.amazonaws.com/restapis/me/models/B"},` +
		`"id":{"$ref":"https://apigateway.amazonaws.com/restapis/me/models/B#/properties/id"}},"type":"object"}`
	if got != want {
		t.Errorf("schema of A:\n got %s\nwant %s", got, want)
	}
	out, err := Export(snapshotOf(api), ExportOptions{Format: FormatOAS30, Stage: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, []byte(`"$ref": "#/components/schemas/B/properties/id"`)) {
		t.Errorf("export:\n%s", out)
	}
}
