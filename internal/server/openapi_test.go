package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/gantryproject/gantry/internal/authorizer/authorizertest"
	"github.com/gantryproject/gantry/internal/lambda"
	"github.com/gantryproject/gantry/internal/lambda/lambdatest"
)

// demoEndpoint is the back end the test documents name (AWS's PetStore demo
// endpoint); the tests point it at a back end on loopback.
const demoEndpoint = "http://petstore-demo-endpoint.execute-api.com"

// seen is what the loopback back end received.
type seen struct {
	mu       sync.Mutex
	requests []string // "METHOD /path?query header-trace body"
}

func (s *seen) add(r *http.Request, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	parts := []string{r.Method, r.URL.RequestURI(), r.Header.Get("X-Trace"), string(body)}
	s.requests = append(s.requests, strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p == "" }), " "))
}

func (s *seen) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) == 0 {
		return ""
	}
	return s.requests[len(s.requests)-1]
}

// openapiBackend serves what the test documents' integrations call: the
// PetStore's /petstore/pets, the orders service, and anything else echoed.
func openapiBackend(rec *seen) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.add(r, body)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/petstore/pets" && r.Method == "GET":
			io.WriteString(w, `[{"id":1,"type":"`+r.URL.Query().Get("type")+`","price":249.99}]`)
		case r.URL.Path == "/petstore/pets" && r.Method == "POST":
			io.WriteString(w, `{"pet":`+string(body)+`,"message":"success"}`)
		case strings.HasPrefix(r.URL.Path, "/petstore/pets/"):
			io.WriteString(w, `{"id":"`+strings.TrimPrefix(r.URL.Path, "/petstore/pets/")+`","type":"cat"}`)
		case r.URL.Path == "/orders":
			if r.URL.Query().Get("limit") == "fail" {
				w.WriteHeader(http.StatusServiceUnavailable)
				io.WriteString(w, `{"error":"down"}`)
				return
			}
			w.Header().Set("X-Count", "3")
			io.WriteString(w, `[{"id":"a"},{"id":"b"},{"id":"c"}]`)
		case strings.HasPrefix(r.URL.Path, "/orders/"):
			io.WriteString(w, `{"id":"`+strings.TrimPrefix(r.URL.Path, "/orders/")+`"}`)
		default:
			io.WriteString(w, `{"echo":"`+r.Method+" "+r.URL.Path+`"}`)
		}
	}))
}

// httpAnswer is a data-plane answer.
type httpAnswer struct {
	status int
	header http.Header
	body   string
}

// TestOpenAPIDocumentsEndToEnd imports each test document with
// aws-sdk-go-v2 into a real Gantry, deploys it and calls it over HTTP (MOCK
// integrations, and HTTP and HTTP_PROXY integrations to a back end on
// loopback). It then exports the stage (OpenAPI 2.0 and 3.0), imports the
// export as a new API, checks that the configuration is the same (gateway
// responses included), and calls the copy the same way.
func TestOpenAPIDocumentsEndToEnd(t *testing.T) {
	rec := &seen{}
	backend := openapiBackend(rec)
	defer backend.Close()
	fn := &authorizertest.Function{}
	inv := lambdatest.NewServer(t, fn.Handler(t))
	s := start(t, Config{Addr: "127.0.0.1:0", InMemory: true, Lambda: lambda.Config{Endpoint: inv.URL}})
	base := "http://" + s.Addr().String()
	ctx := context.Background()
	c := sdkClient(base)
	must := fatalIf(t)

	call := func(t *testing.T, id, method, path, body string, header map[string]string) httpAnswer {
		t.Helper()
		req, err := http.NewRequest(method, base+"/restapis/"+id+"/test/_user_request_"+path, strings.NewReader(body))
		must(err)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		must(err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		must(err)
		return httpAnswer{resp.StatusCode, resp.Header, string(b)}
	}
	want := func(t *testing.T, got httpAnswer, status int, bodyPart string) {
		t.Helper()
		if got.status != status || !strings.Contains(got.body, bodyPart) {
			t.Errorf("got %d %s, want %d with %q", got.status, got.body, status, bodyPart)
		}
	}

	for _, tc := range []struct {
		doc      string
		warnings int
		// check calls the deployed API and checks the answers.
		check func(t *testing.T, id string)
	}{
		{"petstore.json", 0, func(t *testing.T, id string) {
			r := call(t, id, "GET", "/", "", nil)
			want(t, r, 200, "Welcome to the PetStore API")
			if ct := r.header.Get("Content-Type"); ct != "text/html" {
				t.Errorf("GET /: Content-Type %q", ct)
			}
			r = call(t, id, "GET", "/pets?type=dog&page=2", "", nil)
			want(t, r, 200, `"type":"dog"`)
			if got := rec.last(); got != "GET /petstore/pets?page=2&type=dog" {
				t.Errorf("back end got %q", got)
			}
			if r.header.Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("GET /pets: headers %v", r.header)
			}
			want(t, call(t, id, "GET", "/pets/7", "", nil), 200, `{"id":"7","type":"cat"}`)
			want(t, call(t, id, "POST", "/pets", `{"type":"dog","price":12}`, nil), 200, `{"pet":{"type":"dog","price":12},"message":"success"}`)
			r = call(t, id, "OPTIONS", "/pets", "", nil)
			if r.status != 200 || r.header.Get("Access-Control-Allow-Methods") != "POST,GET,OPTIONS" {
				t.Errorf("OPTIONS /pets: %d %v", r.status, r.header)
			}
		}},
		{"gateway-responses.yaml", 0, func(t *testing.T, id string) {
			r := call(t, id, "GET", "/greeting?name=bob", "", nil)
			want(t, r, 200, `{"greeting": "hello bob"}`)
			if r.header.Get("X-Greeting-Version") != "1" {
				t.Errorf("GET /greeting: headers %v", r.header)
			}
			// MISSING_AUTHENTICATION_TOKEN customized to 404 with a template
			// and a header; INVALID_API_KEY to 401.
			r = call(t, id, "GET", "/nowhere", "", nil)
			want(t, r, 404, `"message": "no such route"`)
			if r.header.Get("Access-Control-Allow-Origin") != "*" || r.header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
				t.Errorf("GET /nowhere: headers %v", r.header)
			}
			want(t, call(t, id, "GET", "/secret", "", nil), 401, `{"message": "a valid x-api-key header is required"}`)
		}},
		{"oas30-components.yaml", 0, func(t *testing.T, id string) {
			r := call(t, id, "GET", "/orders?limit=2", "", map[string]string{"X-Trace": "t-1"})
			want(t, r, 200, `[{"id":"a"},{"id":"b"},{"id":"c"}]`)
			if got := rec.last(); got != "GET /orders?limit=2 t-1" {
				t.Errorf("back end got %q", got)
			}
			if r.header.Get("X-Order-Count") != "3" {
				t.Errorf("GET /orders: headers %v", r.header)
			}
			want(t, call(t, id, "GET", "/orders?limit=fail", "", nil), 500, `{"message": "the order service failed"}`)
			want(t, call(t, id, "GET", "/orders/42", "", nil), 403, `{"message":"Forbidden"}`)
			want(t, call(t, id, "GET", "/orders/42", "", map[string]string{"x-api-key": apiKeyFor(t, c, id)}), 200, `{"id":"42"}`)
			if r := call(t, id, "DELETE", "/orders/42", "", nil); r.status != 204 {
				t.Errorf("DELETE /orders/42: %d %s", r.status, r.body)
			}
		}},
		{"greedy-proxy.json", 0, func(t *testing.T, id string) {
			want(t, call(t, id, "GET", "/anything/deep/path?x=1", "", nil), 200, `{"echo":"GET /anything/deep/path"}`)
			if got := rec.last(); got != "GET /anything/deep/path?x=1" {
				t.Errorf("back end got %q", got)
			}
			want(t, call(t, id, "PATCH", "/a", `{"v":1}`, nil), 200, `{"echo":"PATCH /a"}`)
			if got := rec.last(); got != `PATCH /a {"v":1}` {
				t.Errorf("back end got %q", got)
			}
			want(t, call(t, id, "DELETE", "/", "", nil), 200, `{"echo":"DELETE /"}`)
			want(t, call(t, id, "GET", "/health", "", nil), 200, `{"status": "ok"}`)
		}},
		{"authorizers.yaml", 0, func(t *testing.T, id string) {
			// The TOKEN authorizer guards GET /pets.
			want(t, call(t, id, "GET", "/pets", "", nil), 401, `{"message":"Unauthorized"}`)
			want(t, call(t, id, "GET", "/pets", "", map[string]string{"Authorization": "deny:*"}), 403, "explicit deny")
			want(t, call(t, id, "GET", "/pets", "", map[string]string{"Authorization": "allow:*"}), 200, `{"principal": "user-1"}`)
			// The REQUEST authorizer reads the X-Token header and the
			// token query string parameter.
			want(t, call(t, id, "GET", "/pets/7", "", nil), 401, `{"message":"Unauthorized"}`)
			want(t, call(t, id, "GET", "/pets/7?token=allow:*", "", map[string]string{"X-Token": "x"}), 200, "")
			// The "all" validator checks the required header and the body
			// against NewPet before the back end is called.
			before := rec.last()
			good := `{"type":"dog","name":"rex","price":30}`
			want(t, call(t, id, "POST", "/pets", good, nil), 400, `{"message":"Missing required request parameters: [h1]"}`)
			r := call(t, id, "POST", "/pets", `{"type":"cow","name":"rex","price":3}`, map[string]string{"h1": "v"})
			want(t, r, 400, `{"message":"Invalid request body"}`)
			if r.header.Get("x-amzn-ErrorType") != "BadRequestException" {
				t.Errorf("invalid body: headers %v", r.header)
			}
			if got := rec.last(); got != before {
				t.Errorf("the back end was called for invalid requests: %q", got)
			}
			want(t, call(t, id, "POST", "/pets", good, map[string]string{"h1": "v"}), 200, `"message":"success"`)
			if got := rec.last(); got != "POST /petstore/pets "+good {
				t.Errorf("back end got %q", got)
			}
		}},
	} {
		t.Run(tc.doc, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "openapi", "testdata", tc.doc))
			must(err)
			doc := strings.ReplaceAll(string(raw), demoEndpoint, backend.URL)
			api, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: []byte(doc)})
			must(err)
			if len(api.Warnings) != tc.warnings {
				t.Errorf("warnings: got %q, want %d", api.Warnings, tc.warnings)
			}
			_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: api.Id, StageName: aws.String("test")})
			must(err)
			tc.check(t, *api.Id)
			original := apiConfig(t, c, *api.Id)
			for _, format := range []string{"swagger", "oas30"} {
				t.Run("round trip "+format, func(t *testing.T) {
					exp, err := c.GetExport(ctx, &apigateway.GetExportInput{RestApiId: api.Id, StageName: aws.String("test"),
						ExportType: aws.String(format), Parameters: map[string]string{"extensions": "apigateway"}})
					must(err)
					copyAPI, err := c.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: exp.Body, FailOnWarnings: true})
					must(err)
					if got := apiConfig(t, c, *copyAPI.Id); got != original {
						t.Errorf("the copy differs:\n got %s\nwant %s", got, original)
					}
					// The version is the original's or, when it has none,
					// its creation date (AWS exports that as info.version).
					want := aws.ToString(api.Version)
					if want == "" {
						want = api.CreatedDate.UTC().Format(time.RFC3339)
					}
					if got := aws.ToString(copyAPI.Version); got != want {
						t.Errorf("version: got %q, want %q", got, want)
					}
					_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: copyAPI.Id, StageName: aws.String("test")})
					must(err)
					tc.check(t, *copyAPI.Id)
				})
			}
		})
	}
}

// apiKeyFor returns the value of a new API key in a usage plan of the API's
// test stage.
func apiKeyFor(t *testing.T, c *apigateway.Client, apiID string) string {
	ctx := context.Background()
	must := fatalIf(t)
	key, err := c.CreateApiKey(ctx, &apigateway.CreateApiKeyInput{Name: aws.String("k-" + apiID), Enabled: true})
	must(err)
	plan, err := c.CreateUsagePlan(ctx, &apigateway.CreateUsagePlanInput{Name: aws.String("p-" + apiID),
		ApiStages: []types.ApiStage{{ApiId: aws.String(apiID), Stage: aws.String("test")}}})
	must(err)
	_, err = c.CreateUsagePlanKey(ctx, &apigateway.CreateUsagePlanKeyInput{UsagePlanId: plan.Id, KeyId: key.Id, KeyType: aws.String("API_KEY")})
	must(err)
	return *key.Value
}

// apiConfig renders what an API is configured to do, as the SDK reads it,
// without what differs between two copies: ids, dates, the version (checked
// apart) and the cache namespace when it is the default (the resource's own
// id).
func apiConfig(t *testing.T, c *apigateway.Client, id string) string {
	t.Helper()
	ctx := context.Background()
	must := fatalIf(t)
	api, err := c.GetRestApi(ctx, &apigateway.GetRestApiInput{RestApiId: aws.String(id)})
	must(err)
	res, err := c.GetResources(ctx, &apigateway.GetResourcesInput{RestApiId: aws.String(id), Embed: []string{"methods"}, Limit: aws.Int32(500)})
	must(err)
	grs, err := c.GetGatewayResponses(ctx, &apigateway.GetGatewayResponsesInput{RestApiId: aws.String(id)})
	must(err)
	models, err := c.GetModels(ctx, &apigateway.GetModelsInput{RestApiId: aws.String(id), Limit: aws.Int32(500)})
	must(err)
	validators, err := c.GetRequestValidators(ctx, &apigateway.GetRequestValidatorsInput{RestApiId: aws.String(id), Limit: aws.Int32(500)})
	must(err)
	authorizers, err := c.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: aws.String(id), Limit: aws.Int32(500)})
	must(err)
	// Models, validators and authorizers by name, and methods naming
	// theirs: ids differ between copies.
	modelsByName := map[string]string{}
	for _, m := range models.Items {
		modelsByName[*m.Name] = strings.ReplaceAll(aws.ToString(m.Schema), "/restapis/"+id+"/", "/restapis/{id}/") + " " + aws.ToString(m.ContentType)
	}
	names := map[string]string{}
	validatorsByName := map[string]types.RequestValidator{}
	for _, v := range validators.Items {
		names[*v.Id] = *v.Name
		v.Id = nil
		validatorsByName[*v.Name] = v
	}
	authorizersByName := map[string]types.Authorizer{}
	for _, a := range authorizers.Items {
		names[*a.Id] = *a.Name
		a.Id = nil
		authorizersByName[*a.Name] = a
	}
	resources := map[string]map[string]types.Method{}
	for _, r := range res.Items {
		for verb, m := range r.ResourceMethods {
			if m.RequestValidatorId != nil {
				m.RequestValidatorId = aws.String(names[*m.RequestValidatorId])
			}
			if m.AuthorizerId != nil {
				m.AuthorizerId = aws.String(names[*m.AuthorizerId])
			}
			if ig := m.MethodIntegration; ig != nil && aws.ToString(ig.CacheNamespace) == *r.Id {
				ig.CacheNamespace = nil
			}
			if resources[*r.Path] == nil {
				resources[*r.Path] = map[string]types.Method{}
			}
			resources[*r.Path][verb] = m
		}
	}
	slices.SortFunc(grs.Items, func(a, b types.GatewayResponse) int {
		return strings.Compare(string(a.ResponseType), string(b.ResponseType))
	})
	out, err := json.MarshalIndent(map[string]any{
		"name": api.Name, "description": api.Description, "binaryMediaTypes": api.BinaryMediaTypes,
		"minimumCompressionSize": api.MinimumCompressionSize, "apiKeySource": api.ApiKeySource,
		// The policy names the API's own ARN, which differs between copies.
		"policy":                    strings.ReplaceAll(aws.ToString(api.Policy), ":"+id+`\/`, ":{id}"+`\/`),
		"disableExecuteApiEndpoint": api.DisableExecuteApiEndpoint,
		"resources":                 resources, "gatewayResponses": grs.Items,
		"models": modelsByName, "requestValidators": validatorsByName, "authorizers": authorizersByName,
	}, "", " ")
	must(err)
	return string(out)
}
