package controlplane_test

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/gantryproject/gantry/internal/controlplane"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
	"github.com/gantryproject/gantry/internal/store/sqlite"
)

// depEnv is a control plane over an in-memory store whose Deployed hook
// records every call, with a client of the default account in us-east-1.
type depEnv struct {
	c   *apigateway.Client
	st  *sqlite.Store
	srv *httptest.Server

	mu    sync.Mutex
	hooks []string // "account/region/apiID" per Deployed call
}

func depNewEnv(t *testing.T) *depEnv {
	t.Helper()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	e := &depEnv{st: st}
	e.srv = httptest.NewServer(controlplane.New(st, controlplane.Options{
		Deployed: func(s model.Scope, apiID string) {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.hooks = append(e.hooks, s.Account+"/"+s.Region+"/"+apiID)
		},
	}))
	t.Cleanup(func() {
		e.srv.Close()
		st.Close()
	})
	e.c = newClient(e.srv, "test", "us-east-1")
	return e
}

// takeHooks returns the Deployed calls since the last take.
func (e *depEnv) takeHooks() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	h := e.hooks
	e.hooks = nil
	return h
}

// deployment reads a deployment straight from the store.
func (e *depEnv) deployment(t *testing.T, apiID, id string) model.Deployment {
	t.Helper()
	var d model.Deployment
	err := e.st.View(ctx(), model.Scope{Account: model.DefaultAccount, Region: "us-east-1"}, func(tx store.ReadTx) error {
		var err error
		d, err = tx.Deployment(apiID, id)
		return err
	})
	if err != nil {
		t.Fatalf("store Deployment: %v", err)
	}
	return d
}

// depAPI creates an API whose root has GET with a MOCK integration, and
// returns its id and root resource id.
func depAPI(t *testing.T, c *apigateway.Client, name string) (string, string) {
	t.Helper()
	out, err := c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("CreateRestApi: %v", err)
	}
	depMethod(t, c, *out.Id, *out.RootResourceId, "GET", false)
	return *out.Id, *out.RootResourceId
}

// depMethod puts a method with a MOCK integration.
func depMethod(t *testing.T, c *apigateway.Client, apiID, resourceID, method string, apiKey bool) {
	t.Helper()
	_, err := c.PutMethod(ctx(), &apigateway.PutMethodInput{RestApiId: aws.String(apiID), ResourceId: aws.String(resourceID),
		HttpMethod: aws.String(method), AuthorizationType: aws.String("NONE"), ApiKeyRequired: apiKey})
	if err != nil {
		t.Fatalf("PutMethod: %v", err)
	}
	_, err = c.PutIntegration(ctx(), &apigateway.PutIntegrationInput{RestApiId: aws.String(apiID), ResourceId: aws.String(resourceID),
		HttpMethod: aws.String(method), Type: types.IntegrationTypeMock})
	if err != nil {
		t.Fatalf("PutIntegration: %v", err)
	}
}

// depDeploy creates a deployment, into stage unless it is "".
func depDeploy(t *testing.T, c *apigateway.Client, apiID, stage string) string {
	t.Helper()
	in := &apigateway.CreateDeploymentInput{RestApiId: aws.String(apiID)}
	if stage != "" {
		in.StageName = aws.String(stage)
	}
	out, err := c.CreateDeployment(ctx(), in)
	if err != nil {
		t.Fatalf("CreateDeployment: %v", err)
	}
	return *out.Id
}

func depGetStage(t *testing.T, c *apigateway.Client, apiID, stage string) *apigateway.GetStageOutput {
	t.Helper()
	out, err := c.GetStage(ctx(), &apigateway.GetStageInput{RestApiId: aws.String(apiID), StageName: aws.String(stage)})
	if err != nil {
		t.Fatalf("GetStage %s: %v", stage, err)
	}
	return out
}

func TestCreateDeploymentRefusesIncompleteAPIs(t *testing.T) {
	e := depNewEnv(t)
	empty := createAPI(t, e.c, "empty")
	bare, err := e.c.CreateRestApi(ctx(), &apigateway.CreateRestApiInput{Name: aws.String("bare")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.c.PutMethod(ctx(), &apigateway.PutMethodInput{RestApiId: bare.Id, ResourceId: bare.RootResourceId,
		HttpMethod: aws.String("GET"), AuthorizationType: aws.String("NONE")})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, api     string
		status        int
		code, message string
	}{
		{"no methods", empty, 400, "BadRequestException", "The REST API doesn't contain any methods"},
		{"method without integration", *bare.Id, 400, "BadRequestException", "No integration defined for method"},
		{"unknown API", "nope", 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.CreateDeployment(ctx(), &apigateway.CreateDeploymentInput{RestApiId: aws.String(tc.api), StageName: aws.String("dev")})
			wantAPIError(t, err, tc.status, tc.code, tc.message)
		})
	}
	// Nothing was stored: no stage, no deployment.
	for _, api := range []string{empty, *bare.Id} {
		st, err := e.c.GetStages(ctx(), &apigateway.GetStagesInput{RestApiId: aws.String(api)})
		if err != nil || len(st.Item) != 0 {
			t.Errorf("stages of %s: %v %+v", api, err, st)
		}
		ds, err := e.c.GetDeployments(ctx(), &apigateway.GetDeploymentsInput{RestApiId: aws.String(api)})
		if err != nil || len(ds.Items) != 0 {
			t.Errorf("deployments of %s: %v %+v", api, err, ds)
		}
	}
	if h := e.takeHooks(); len(h) != 0 {
		t.Errorf("Deployed called for failed deployments: %v", h)
	}
}

// TestPrivateAPIDeploymentNeedsPolicy: a private API deploys only once it
// has a resource policy.
func TestPrivateAPIDeploymentNeedsPolicy(t *testing.T) {
	e := depNewEnv(t)
	id, _ := depAPI(t, e.c, "private")
	update := func(path, value string) {
		t.Helper()
		_, err := e.c.UpdateRestApi(ctx(), &apigateway.UpdateRestApiInput{RestApiId: aws.String(id),
			PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String(path), Value: aws.String(value)}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	update("/endpointConfiguration/types/EDGE", "PRIVATE")
	_, err := e.c.CreateDeployment(ctx(), &apigateway.CreateDeploymentInput{RestApiId: aws.String(id), StageName: aws.String("dev")})
	wantAPIError(t, err, 400, "BadRequestException", "Private REST API doesn't have a resource policy attached to it")
	update("/policy", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"execute-api:/*"}]}`)
	depDeploy(t, e.c, id, "dev")
}

// TestDeploymentFreezesTheAPI changes the API after CreateDeployment and
// checks, in the store, that the deployment still holds the old state.
func TestDeploymentFreezesTheAPI(t *testing.T) {
	e := depNewEnv(t)
	api, root := depAPI(t, e.c, "frozen")
	_, err := e.c.PutGatewayResponse(ctx(), &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api),
		ResponseType: types.GatewayResponseTypeDefault4xx, StatusCode: aws.String("418")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := e.c.CreateDeployment(ctx(), &apigateway.CreateDeploymentInput{RestApiId: aws.String(api), Description: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Description != "first" || out.CreatedDate == nil || len(*out.Id) != 6 || out.ApiSummary != nil {
		t.Errorf("CreateDeployment answer: %+v", out)
	}
	// Change everything the deployment captured.
	_, err = e.c.PutGatewayResponse(ctx(), &apigateway.PutGatewayResponseInput{RestApiId: aws.String(api),
		ResponseType: types.GatewayResponseTypeDefault4xx, StatusCode: aws.String("419")})
	if err != nil {
		t.Fatal(err)
	}
	depMethod(t, e.c, api, root, "POST", false)
	_, err = e.c.UpdateRestApi(ctx(), &apigateway.UpdateRestApiInput{RestApiId: aws.String(api),
		PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/name"), Value: aws.String("renamed")}}})
	if err != nil {
		t.Fatal(err)
	}

	d := e.deployment(t, api, *out.Id)
	if d.Snapshot.API.Name != "frozen" {
		t.Errorf("snapshot API name %q, want frozen", d.Snapshot.API.Name)
	}
	if gr := d.Snapshot.GatewayResponses["DEFAULT_4XX"]; gr.StatusCode != "418" {
		t.Errorf("snapshot DEFAULT_4XX status %q, want 418", gr.StatusCode)
	}
	if len(d.Snapshot.Resources) != 1 {
		t.Fatalf("snapshot resources: %+v", d.Snapshot.Resources)
	}
	methods := d.Snapshot.Resources[0].Methods
	if len(methods) != 1 || methods["GET"].Integration == nil || methods["GET"].Integration.Type != "MOCK" {
		t.Errorf("snapshot methods: %+v", methods)
	}
	// A new deployment sees the new state.
	d2 := e.deployment(t, api, depDeploy(t, e.c, api, ""))
	if d2.Snapshot.API.Name != "renamed" || d2.Snapshot.GatewayResponses["DEFAULT_4XX"].StatusCode != "419" ||
		len(d2.Snapshot.Resources[0].Methods) != 2 {
		t.Errorf("second snapshot: %+v", d2.Snapshot)
	}
	if h := e.takeHooks(); len(h) != 0 {
		t.Errorf("Deployed called for deployments without a stage: %v", h)
	}
}

func TestCreateDeploymentIntoStage(t *testing.T) {
	e := depNewEnv(t)
	api, _ := depAPI(t, e.c, "staged")
	first, err := e.c.CreateDeployment(ctx(), &apigateway.CreateDeploymentInput{
		RestApiId:           aws.String(api),
		StageName:           aws.String("dev"),
		StageDescription:    aws.String("development"),
		Variables:           map[string]string{"backend": "https://a.example.com/v1", "mode": "blue"},
		TracingEnabled:      aws.Bool(true),
		CacheClusterEnabled: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if h := e.takeHooks(); !reflect.DeepEqual(h, []string{"000000000000/us-east-1/" + api}) {
		t.Errorf("Deployed calls %v", h)
	}
	s := depGetStage(t, e.c, api, "dev")
	if *s.DeploymentId != *first.Id || *s.Description != "development" || !s.TracingEnabled ||
		!s.CacheClusterEnabled || s.CacheClusterSize != "0.5" || s.CacheClusterStatus != types.CacheClusterStatusAvailable ||
		!reflect.DeepEqual(s.Variables, map[string]string{"backend": "https://a.example.com/v1", "mode": "blue"}) {
		t.Errorf("stage after first deployment: %+v", s)
	}

	// A second deployment repoints the stage; the variables it gives are set,
	// the others kept.
	second, err := e.c.CreateDeployment(ctx(), &apigateway.CreateDeploymentInput{
		RestApiId: aws.String(api), StageName: aws.String("dev"), Variables: map[string]string{"mode": "green", "extra": "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	s = depGetStage(t, e.c, api, "dev")
	if *s.DeploymentId != *second.Id || *s.Description != "development" || !s.TracingEnabled ||
		!reflect.DeepEqual(s.Variables, map[string]string{"backend": "https://a.example.com/v1", "mode": "green", "extra": "x"}) {
		t.Errorf("stage after second deployment: %+v", s)
	}
	if h := e.takeHooks(); len(h) != 1 {
		t.Errorf("Deployed calls %v, want one", h)
	}
	// The first deployment, no longer in use, can go; the second cannot.
	if _, err := e.c.DeleteDeployment(ctx(), &apigateway.DeleteDeploymentInput{RestApiId: aws.String(api), DeploymentId: first.Id}); err != nil {
		t.Errorf("delete unused deployment: %v", err)
	}
	_, err = e.c.DeleteDeployment(ctx(), &apigateway.DeleteDeploymentInput{RestApiId: aws.String(api), DeploymentId: second.Id})
	wantAPIError(t, err, 400, "BadRequestException", "Active stages pointing to this deployment must be moved or deleted")

	st, err := e.c.GetStages(ctx(), &apigateway.GetStagesInput{RestApiId: aws.String(api)})
	if err != nil || len(st.Item) != 1 || *st.Item[0].StageName != "dev" {
		t.Errorf("GetStages: %v %+v", err, st)
	}
}

func TestCreateDeploymentStageErrors(t *testing.T) {
	e := depNewEnv(t)
	api, _ := depAPI(t, e.c, "errs")
	depDeploy(t, e.c, api, "dev")
	canary := &types.DeploymentCanarySettings{PercentTraffic: 10}
	cases := []struct {
		name          string
		in            apigateway.CreateDeploymentInput
		status        int
		code, message string
	}{
		{"dot in stage name", apigateway.CreateDeploymentInput{StageName: aws.String("v1.0")},
			400, "BadRequestException", "Stage name only allows a-zA-Z0-9_"},
		{"empty stage name", apigateway.CreateDeploymentInput{StageName: aws.String("")},
			400, "BadRequestException", "Stage name only allows a-zA-Z0-9_"},
		{"bad variable name", apigateway.CreateDeploymentInput{StageName: aws.String("x"), Variables: map[string]string{"a:b": "v"}},
			400, "BadRequestException", "Invalid stage variable name: a:b.  Please use names with only word characters."},
		{"empty variable value", apigateway.CreateDeploymentInput{StageName: aws.String("x"), Variables: map[string]string{"a": ""}},
			400, "BadRequestException", "Invalid stage variable value: .  Please use values with alphanumeric characters and the symbols ' ', -', '.', '_', ':', '/', '?', '&', '=', and ','."},
		{"bad cache size", apigateway.CreateDeploymentInput{CacheClusterSize: "2"},
			400, "ValidationException", "1 validation error detected: Value '2' at 'createDeploymentInput.cacheClusterSize' failed to satisfy constraint: Member must satisfy enum value set: [0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237]"},
		{"canary without stage", apigateway.CreateDeploymentInput{CanarySettings: canary},
			400, "BadRequestException", "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is null"},
		{"canary with empty stage", apigateway.CreateDeploymentInput{StageName: aws.String(""), CanarySettings: canary},
			400, "BadRequestException", "Invalid deployment content specified.Non null and non empty stageName must be provided for canary deployment. Provided value is "},
		{"canary into a new stage", apigateway.CreateDeploymentInput{StageName: aws.String("non-existing"), CanarySettings: canary},
			400, "BadRequestException", "Invalid deployment content specified.Stage non-existing must already be created before making a canary release deployment"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			in.RestApiId = aws.String(api)
			_, err := e.c.CreateDeployment(ctx(), &in)
			wantAPIError(t, err, tc.status, tc.code, tc.message)
		})
	}
	ds, err := e.c.GetDeployments(ctx(), &apigateway.GetDeploymentsInput{RestApiId: aws.String(api)})
	if err != nil || len(ds.Items) != 1 {
		t.Errorf("refused deployments were stored: %v %+v", err, ds)
	}
}

func TestCanaryDeployment(t *testing.T) {
	e := depNewEnv(t)
	api, _ := depAPI(t, e.c, "canary")
	base := depDeploy(t, e.c, api, "dev")
	e.takeHooks()
	out, err := e.c.CreateDeployment(ctx(), &apigateway.CreateDeploymentInput{
		RestApiId: aws.String(api), StageName: aws.String("dev"),
		CanarySettings: &types.DeploymentCanarySettings{PercentTraffic: 25, StageVariableOverrides: map[string]string{"v": "canary"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := depGetStage(t, e.c, api, "dev")
	want := &types.CanarySettings{DeploymentId: out.Id, PercentTraffic: 25, StageVariableOverrides: map[string]string{"v": "canary"}}
	if *s.DeploymentId != base || s.CanarySettings == nil || *s.CanarySettings.DeploymentId != *want.DeploymentId ||
		s.CanarySettings.PercentTraffic != 25 || !reflect.DeepEqual(s.CanarySettings.StageVariableOverrides, want.StageVariableOverrides) {
		t.Errorf("stage after canary deployment: %+v %+v", s, s.CanarySettings)
	}
	if h := e.takeHooks(); len(h) != 1 {
		t.Errorf("Deployed calls %v, want one", h)
	}
	// The canary's deployment is in use too.
	_, err = e.c.DeleteDeployment(ctx(), &apigateway.DeleteDeploymentInput{RestApiId: aws.String(api), DeploymentId: out.Id})
	wantAPIError(t, err, 400, "BadRequestException", "Active stages pointing to this deployment must be moved or deleted")
}

func TestGetDeployment(t *testing.T) {
	e := depNewEnv(t)
	api, _ := depAPI(t, e.c, "summary")
	pets, err := e.c.CreateResource(ctx(), &apigateway.CreateResourceInput{RestApiId: aws.String(api),
		ParentId: aws.String(rootOf(t, e.c, api)), PathPart: aws.String("pets")})
	if err != nil {
		t.Fatal(err)
	}
	depMethod(t, e.c, api, *pets.Id, "POST", true)
	id := depDeploy(t, e.c, api, "")

	got, err := e.c.GetDeployment(ctx(), &apigateway.GetDeploymentInput{RestApiId: aws.String(api), DeploymentId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if *got.Id != id || got.Description != nil || got.CreatedDate == nil || got.ApiSummary != nil {
		t.Errorf("GetDeployment: %+v", got)
	}
	got, err = e.c.GetDeployment(ctx(), &apigateway.GetDeploymentInput{RestApiId: aws.String(api), DeploymentId: aws.String(id),
		Embed: []string{"apisummary"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]types.MethodSnapshot{
		"/":     {"GET": {AuthorizationType: aws.String("NONE")}},
		"/pets": {"POST": {AuthorizationType: aws.String("NONE"), ApiKeyRequired: true}},
	}
	if !reflect.DeepEqual(got.ApiSummary, want) {
		t.Errorf("apiSummary:\n got %+v\nwant %+v", got.ApiSummary, want)
	}
	// The REST form of embed is comma-separated.
	r := do(t, e.srv, "GET", "/restapis/"+api+"/deployments/"+id+"?embed=foo,apisummary", nil)
	var raw map[string]any
	if err := json.Unmarshal(r.body, &raw); err != nil || raw["apiSummary"] == nil {
		t.Errorf("embed=foo,apisummary: %d %s", r.status, r.body)
	}

	cases := []struct {
		name, api, id string
		status        int
		code, message string
	}{
		{"unknown deployment", api, "nope00", 404, "NotFoundException", "Invalid Deployment identifier specified"},
		{"unknown API", "nope", id, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.GetDeployment(ctx(), &apigateway.GetDeploymentInput{RestApiId: aws.String(tc.api), DeploymentId: aws.String(tc.id)})
			wantAPIError(t, err, tc.status, tc.code, tc.message)
			_, err = e.c.DeleteDeployment(ctx(), &apigateway.DeleteDeploymentInput{RestApiId: aws.String(tc.api), DeploymentId: aws.String(tc.id)})
			wantAPIError(t, err, tc.status, tc.code, tc.message)
			_, err = e.c.UpdateDeployment(ctx(), &apigateway.UpdateDeploymentInput{RestApiId: aws.String(tc.api), DeploymentId: aws.String(tc.id)})
			wantAPIError(t, err, tc.status, tc.code, tc.message)
		})
	}
}

// rootOf returns an API's root resource id.
func rootOf(t *testing.T, c *apigateway.Client, api string) string {
	t.Helper()
	out, err := c.GetRestApi(ctx(), &apigateway.GetRestApiInput{RestApiId: aws.String(api)})
	if err != nil {
		t.Fatal(err)
	}
	return *out.RootResourceId
}

func TestGetDeploymentsPagination(t *testing.T) {
	e := depNewEnv(t)
	api, _ := depAPI(t, e.c, "paged")
	var ids []string
	for range 5 {
		ids = append(ids, depDeploy(t, e.c, api, ""))
	}
	var got []string
	var pages []int
	p := apigateway.NewGetDeploymentsPaginator(e.c, &apigateway.GetDeploymentsInput{RestApiId: aws.String(api), Limit: aws.Int32(2)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx())
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, len(out.Items))
		for _, d := range out.Items {
			got = append(got, *d.Id)
		}
	}
	if !slices.Equal(got, ids) || !slices.Equal(pages, []int{2, 2, 1}) {
		t.Errorf("pages %v of %v, want [2 2 1] of %v", pages, got, ids)
	}
	all, err := e.c.GetDeployments(ctx(), &apigateway.GetDeploymentsInput{RestApiId: aws.String(api)})
	if err != nil || len(all.Items) != 5 || all.Position != nil {
		t.Errorf("one page: %v %+v", err, all)
	}
	cases := []struct {
		name          string
		in            apigateway.GetDeploymentsInput
		status        int
		code, message string
	}{
		{"bad position", apigateway.GetDeploymentsInput{Position: aws.String("bogus")}, 400, "BadRequestException", "Invalid position parameter"},
		{"limit too small", apigateway.GetDeploymentsInput{Limit: aws.Int32(0)}, 400, "ValidationException",
			"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"unknown API", apigateway.GetDeploymentsInput{RestApiId: aws.String("nope")}, 404, "NotFoundException", "Invalid API identifier specified 000000000000:nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			if in.RestApiId == nil {
				in.RestApiId = aws.String(api)
			}
			_, err := e.c.GetDeployments(ctx(), &in)
			wantAPIError(t, err, tc.status, tc.code, tc.message)
		})
	}
}

func TestUpdateDeployment(t *testing.T) {
	e := depNewEnv(t)
	api, _ := depAPI(t, e.c, "upd")
	id := depDeploy(t, e.c, api, "dev")
	e.takeHooks()
	op := func(o types.Op, path, value string) types.PatchOperation {
		return types.PatchOperation{Op: o, Path: aws.String(path), Value: aws.String(value)}
	}
	out, err := e.c.UpdateDeployment(ctx(), &apigateway.UpdateDeploymentInput{RestApiId: aws.String(api), DeploymentId: aws.String(id),
		PatchOperations: []types.PatchOperation{op(types.OpReplace, "/description", "new words")}})
	if err != nil {
		t.Fatal(err)
	}
	if *out.Id != id || *out.Description != "new words" {
		t.Errorf("UpdateDeployment: %+v", out)
	}
	got, err := e.c.GetDeployment(ctx(), &apigateway.GetDeploymentInput{RestApiId: aws.String(api), DeploymentId: aws.String(id)})
	if err != nil || *got.Description != "new words" {
		t.Errorf("GetDeployment after update: %v %+v", err, got)
	}
	cases := []struct {
		name    string
		op      types.PatchOperation
		message string
	}{
		{"unknown path", op(types.OpReplace, "/stageName", "x"), "Invalid patch path /stageName"},
		{"add description", op(types.OpAdd, "/description", "x"), "Invalid patch path /description"},
		{"remove description", op(types.OpRemove, "/description", ""), "Invalid patch path /description"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.c.UpdateDeployment(ctx(), &apigateway.UpdateDeploymentInput{RestApiId: aws.String(api), DeploymentId: aws.String(id),
				PatchOperations: []types.PatchOperation{op(types.OpReplace, "/description", "lost"), tc.op}})
			wantAPIError(t, err, 400, "BadRequestException", tc.message)
		})
	}
	// A refused document changes nothing.
	got, _ = e.c.GetDeployment(ctx(), &apigateway.GetDeploymentInput{RestApiId: aws.String(api), DeploymentId: aws.String(id)})
	if *got.Description != "new words" {
		t.Errorf("a refused patch was applied: %q", *got.Description)
	}
	if h := e.takeHooks(); len(h) != 0 {
		t.Errorf("Deployed called by UpdateDeployment: %v", h)
	}
}

// TestDeployedHook checks that exactly the operations that change what a
// stage serves tell the data plane.
func TestDeployedHook(t *testing.T) {
	e := depNewEnv(t)
	api, _ := depAPI(t, e.c, "hook")
	a := aws.String(api)
	var dep string
	steps := []struct {
		name  string
		run   func() error
		calls int
	}{
		{"CreateDeployment without stage", func() error {
			out, err := e.c.CreateDeployment(ctx(), &apigateway.CreateDeploymentInput{RestApiId: a})
			if err == nil {
				dep = *out.Id
			}
			return err
		}, 0},
		{"CreateStage", func() error {
			_, err := e.c.CreateStage(ctx(), &apigateway.CreateStageInput{RestApiId: a, StageName: aws.String("s1"), DeploymentId: &dep})
			return err
		}, 1},
		{"GetStage", func() error {
			_, err := e.c.GetStage(ctx(), &apigateway.GetStageInput{RestApiId: a, StageName: aws.String("s1")})
			return err
		}, 0},
		{"UpdateStage", func() error {
			_, err := e.c.UpdateStage(ctx(), &apigateway.UpdateStageInput{RestApiId: a, StageName: aws.String("s1"),
				PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/variables/x"), Value: aws.String("1")}}})
			return err
		}, 1},
		{"CreateDeployment into stage", func() error {
			_, err := e.c.CreateDeployment(ctx(), &apigateway.CreateDeploymentInput{RestApiId: a, StageName: aws.String("s1")})
			return err
		}, 1},
		{"UpdateDeployment", func() error {
			_, err := e.c.UpdateDeployment(ctx(), &apigateway.UpdateDeploymentInput{RestApiId: a, DeploymentId: &dep,
				PatchOperations: []types.PatchOperation{{Op: types.OpReplace, Path: aws.String("/description"), Value: aws.String("d")}}})
			return err
		}, 0},
		{"DeleteStage", func() error {
			_, err := e.c.DeleteStage(ctx(), &apigateway.DeleteStageInput{RestApiId: a, StageName: aws.String("s1")})
			return err
		}, 1},
		{"DeleteDeployment", func() error {
			_, err := e.c.DeleteDeployment(ctx(), &apigateway.DeleteDeploymentInput{RestApiId: a, DeploymentId: &dep})
			return err
		}, 0},
		{"DeleteRestApi", func() error {
			_, err := e.c.DeleteRestApi(ctx(), &apigateway.DeleteRestApiInput{RestApiId: a})
			return err
		}, 1},
	}
	e.takeHooks()
	for _, s := range steps {
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if h := e.takeHooks(); len(h) != s.calls {
			t.Errorf("%s: Deployed calls %v, want %d", s.name, h, s.calls)
		}
	}
	// Refused changes do not call it.
	_, err := e.c.CreateStage(ctx(), &apigateway.CreateStageInput{RestApiId: a, StageName: aws.String("s2"), DeploymentId: &dep})
	if err == nil {
		t.Fatal("CreateStage on a deleted API succeeded")
	}
	if h := e.takeHooks(); len(h) != 0 {
		t.Errorf("Deployed called by a refused CreateStage: %v", h)
	}
}
