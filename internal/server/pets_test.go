package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// TestPetsExample builds AWS's "pets" example API with aws-sdk-go-v2 against
// a real Gantry (control and data plane on one listener), deploys it, and
// calls it over HTTP: /pets proxies to a back end on loopback, /pets/{petId}
// is a MOCK. It then restarts Gantry on the same data directory and checks
// the stage is served again from the store.
func TestPetsExample(t *testing.T) {
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"id":1,"type":"dog","price":249.99,"query":"`+r.URL.RawQuery+`"}]`)
	}))
	defer backend.Close()

	dir := t.TempDir()
	s := start(t, Config{Addr: "127.0.0.1:0", DataDir: dir})
	base := "http://" + s.Addr().String()
	ctx := context.Background()
	c := sdkClient(base)
	must := fatalIf(t)
	api, err := c.CreateRestApi(ctx, &apigateway.CreateRestApiInput{Name: aws.String("PetStore")})
	must(err)
	id := api.Id
	pets, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: api.RootResourceId, PathPart: aws.String("pets")})
	must(err)
	pet, err := c.CreateResource(ctx, &apigateway.CreateResourceInput{RestApiId: id, ParentId: pets.Id, PathPart: aws.String("{petId}")})
	must(err)

	// GET /pets: HTTP_PROXY to the back end, its host in a stage variable.
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: pets.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	must(err)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: pets.Id, HttpMethod: aws.String("GET"),
		Type: types.IntegrationTypeHttpProxy, IntegrationHttpMethod: aws.String("GET"), Uri: aws.String("http://${stageVariables.backend}/pets")})
	must(err)

	// GET /pets/{petId}: MOCK.
	_, err = c.PutMethod(ctx, &apigateway.PutMethodInput{RestApiId: id, ResourceId: pet.Id, HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE"),
		RequestParameters: map[string]bool{"method.request.path.petId": true}})
	must(err)
	_, err = c.PutIntegration(ctx, &apigateway.PutIntegrationInput{RestApiId: id, ResourceId: pet.Id, HttpMethod: aws.String("GET"), Type: types.IntegrationTypeMock,
		RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`}})
	must(err)
	_, err = c.PutMethodResponse(ctx, &apigateway.PutMethodResponseInput{RestApiId: id, ResourceId: pet.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		ResponseParameters: map[string]bool{"method.response.header.X-Pet": false}})
	must(err)
	_, err = c.PutIntegrationResponse(ctx, &apigateway.PutIntegrationResponseInput{RestApiId: id, ResourceId: pet.Id, HttpMethod: aws.String("GET"), StatusCode: aws.String("200"),
		ResponseParameters: map[string]string{"method.response.header.X-Pet": "'mock'"},
		ResponseTemplates:  map[string]string{"application/json": `{"id": $input.params('petId'), "type": "dog"}`}})
	must(err)

	// Gateway response customized before the deployment: it is part of it.
	_, err = c.PutGatewayResponse(ctx, &apigateway.PutGatewayResponseInput{RestApiId: id, ResponseType: types.GatewayResponseTypeMissingAuthenticationToken,
		StatusCode: aws.String("404"), ResponseTemplates: map[string]string{"application/json": `{"error":"no such route: $context.path"}`}})
	must(err)
	_, err = c.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{RestApiId: id, StageName: aws.String("prod"),
		Variables: map[string]string{"backend": strings.TrimPrefix(backend.URL, "http://")}})
	must(err)

	get := func(path string) (int, http.Header, string) {
		t.Helper()
		resp, err := http.Get(base + "/restapis/" + *id + "/prod/_user_request_" + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	check := func() {
		t.Helper()
		status, _, body := get("/pets?type=dog")
		var list []map[string]any
		if status != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list) != 1 || list[0]["query"] != "type=dog" {
			t.Errorf("GET /pets: %d %s", status, body)
		}
		status, hdr, body := get("/pets/7")
		if status != 200 || body != `{"id": 7, "type": "dog"}` || hdr.Get("X-Pet") != "mock" {
			t.Errorf("GET /pets/7: %d %s %v", status, body, hdr)
		}
		status, hdr, body = get("/birds")
		if status != 404 || body != `{"error":"no such route: /prod/birds"}` || hdr.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
			t.Errorf("GET /birds: %d %s", status, body)
		}
	}
	check()

	// Restart: the stage is compiled again from the store.
	must(s.Shutdown(ctx))
	s = start(t, Config{Addr: s.Addr().String(), DataDir: dir})
	defer s.Shutdown(ctx)
	check()
}
