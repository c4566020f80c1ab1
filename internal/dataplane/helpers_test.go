package dataplane_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/dataplane"
	"github.com/gantryproject/gantry/internal/front/fronttest"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
	"github.com/gantryproject/gantry/internal/store/sqlite"
)

var testScope = model.Scope{Account: "000000000000", Region: "us-east-1"}

// fixture is a data plane over an in-memory store, served by a real HTTP
// server on loopback. APIs are written to the store directly, as the
// control plane would, and deployed with deploy.
type fixture struct {
	t   testing.TB
	st  store.Store
	dp  *dataplane.Handler
	srv *fronttest.Server
	seq int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureWith(t, dataplane.Options{})
}

// newFixtureWith is newFixture with data-plane options (a moved clock, say).
func newFixtureWith(t testing.TB, opts dataplane.Options) *fixture {
	t.Helper()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	dp := dataplane.New(st, opts)
	if err := dp.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv := fronttest.NewServer(t, dp.Serve)
	t.Cleanup(func() {
		srv.Close()
		if err := dp.Close(context.Background()); err != nil {
			t.Errorf("closing the data plane: %v", err)
		}
		st.Close()
	})
	return &fixture{t: t, st: st, dp: dp, srv: srv}
}

// api describes an API to deploy: resources by path (parents are created
// as needed) with their methods, and gateway responses.
type api struct {
	id               string
	methods          map[string]map[string]model.Method // path -> verb -> method
	gatewayResponses map[string]model.GatewayResponse
	variables        map[string]string
	stage            string
	methodSettings   map[string]model.MethodSetting
	apiKeySource     string
	binaryMediaTypes []string
	policy           string // the API's resource policy
	// models, validators and authorizers go into the deployment's snapshot.
	models      []model.Model
	validators  []model.RequestValidator
	authorizers []model.Authorizer
}

// deploy writes the API to the store (replacing an earlier version),
// snapshots it into a new deployment, points the stage at it, and tells the
// data plane, as CreateDeployment does.
func (f *fixture) deploy(a api) {
	f.t.Helper()
	if a.stage == "" {
		a.stage = "test"
	}
	f.seq++
	ctx := context.Background()
	resources := buildResources(a.methods)
	err := f.st.Update(ctx, testScope, func(tx store.Tx) error {
		rest := model.RestAPI{ID: a.id, Name: a.id, CreatedDate: time.Now(), RootResourceID: resources[0].ID, APIKeySource: a.apiKeySource,
			BinaryMediaTypes: a.binaryMediaTypes, Policy: a.policy}
		if _, err := tx.RestAPI(a.id); err != nil {
			if err := tx.CreateRestAPI(rest, resources[0]); err != nil {
				return err
			}
		}
		for _, r := range resources {
			if err := tx.PutResource(a.id, r); err != nil {
				return err
			}
		}
		grs, err := tx.GatewayResponses(a.id)
		if err != nil {
			return err
		}
		for k := range grs {
			if err := tx.DeleteGatewayResponse(a.id, k); err != nil {
				return err
			}
		}
		for _, gr := range a.gatewayResponses {
			if err := tx.PutGatewayResponse(a.id, gr); err != nil {
				return err
			}
		}
		dep := model.Deployment{
			ID:          "dep" + string(rune('a'+f.seq%26)) + time.Now().Format("150405.000000000"),
			CreatedDate: time.Now(),
			Snapshot: model.Snapshot{API: rest, Resources: resources, GatewayResponses: a.gatewayResponses,
				Models: a.models, RequestValidators: a.validators, Authorizers: a.authorizers},
		}
		if err := tx.CreateDeployment(a.id, dep); err != nil {
			return err
		}
		st := model.Stage{Name: a.stage, DeploymentID: dep.ID, Variables: a.variables, MethodSettings: a.methodSettings}
		if _, err := tx.Stage(a.id, a.stage); err == nil {
			return tx.PutStage(a.id, st)
		}
		return tx.CreateStage(a.id, st)
	})
	if err != nil {
		f.t.Fatalf("deploy: %v", err)
	}
	if err := f.dp.Reload(ctx, testScope, a.id); err != nil {
		f.t.Fatalf("reload: %v", err)
	}
}

// buildResources turns paths into a resource tree rooted at "/".
func buildResources(methods map[string]map[string]model.Method) []model.Resource {
	byPath := map[string]*model.Resource{"/": {ID: "root000000", Path: "/"}}
	order := []string{"/"}
	var ensure func(p string) *model.Resource
	ensure = func(p string) *model.Resource {
		if r, ok := byPath[p]; ok {
			return r
		}
		i := strings.LastIndex(p, "/")
		parentPath := p[:i]
		if parentPath == "" {
			parentPath = "/"
		}
		parent := ensure(parentPath)
		r := &model.Resource{ID: "res" + strings.NewReplacer("/", "_", "{", "", "}", "", "+", "").Replace(p), ParentID: parent.ID, PathPart: p[i+1:], Path: p}
		byPath[p] = r
		order = append(order, p)
		return r
	}
	for p, ms := range methods {
		r := ensure(p)
		r.Methods = ms
	}
	out := make([]model.Resource, 0, len(order))
	for _, p := range order {
		out = append(out, *byPath[p])
	}
	return out
}

// mockMethod is a MOCK method answering status with body.
func mockMethod(status, body string, headers map[string]string) model.Method {
	params := map[string]string{}
	declared := map[string]bool{}
	for k, v := range headers {
		params["method.response.header."+k] = v
		declared["method.response.header."+k] = false
	}
	return model.Method{
		AuthorizationType: "NONE",
		Responses:         map[string]model.MethodResponse{status: {StatusCode: status, ResponseParameters: declared}},
		Integration: &model.Integration{
			Type:             model.IntegrationMock,
			RequestTemplates: map[string]string{"application/json": `{"statusCode": ` + status + `}`},
			Responses: map[string]model.IntegrationResponse{status: {
				StatusCode:         status,
				ResponseParameters: params,
				ResponseTemplates:  map[string]string{"application/json": body},
			}},
		},
	}
}

// proxyMethod is an HTTP_PROXY method to uri.
func proxyMethod(uri string, timeoutMillis int64) model.Method {
	return model.Method{
		AuthorizationType: "NONE",
		Integration: &model.Integration{
			Type: model.IntegrationHTTPProxy, HTTPMethod: "ANY", URI: uri, TimeoutInMillis: timeoutMillis,
		},
	}
}

// url is the invocation URL of path on the API's stage, in the
// /restapis/{id}/{stage}/_user_request_ form.
func (f *fixture) url(apiID, stage, path string) string {
	return f.srv.URL + "/restapis/" + apiID + "/" + stage + "/_user_request_" + path
}

// response is a received response with its body read.
type response struct {
	status int
	header http.Header
	body   string
}

func (f *fixture) do(req *http.Request) response {
	f.t.Helper()
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (f *fixture) get(apiID, stage, path string, header ...string) response {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.url(apiID, stage, path), nil)
	if err != nil {
		f.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return f.do(req)
}

// wantError checks a gateway response's status, error type and body.
func wantError(t *testing.T, r response, status int, errorType, body string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status: got %d, want %d (body %s)", r.status, status, r.body)
	}
	if got := r.header.Get("x-amzn-ErrorType"); got != errorType {
		t.Errorf("x-amzn-ErrorType: got %q, want %q", got, errorType)
	}
	if r.body != body {
		t.Errorf("body:\n got %s\nwant %s", r.body, body)
	}
	if r.header.Get("x-amzn-RequestId") == "" || r.header.Get("x-amz-apigw-id") == "" {
		t.Errorf("missing request ids: %v", r.header)
	}
}

type storeTx = store.Tx

func httptestServer(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// closedURL is the address of a server that is no longer listening.
func closedURL(t testing.TB) string {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}

// compareGolden compares got with testdata/name, or rewrites the file with
// -update.
func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run with -update and review the diff):\n%s", golden, got)
	}
}
