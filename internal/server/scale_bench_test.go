package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
	"github.com/gantryproject/gantry/internal/store/sqlite"
)

// BenchmarkStartup1000APIs measures start-up to the first served request
// with 1,000 stored APIs, each deployed to a stage: opening the database,
// compiling every stage (New loads them all before it returns), binding,
// and answering an invocation of the last API. The data directory is built
// once, through the store, and reused; the operating system's page cache is
// therefore warm. ns/API is ns/op over 1,000.
func BenchmarkStartup1000APIs(b *testing.B) {
	const apis = 1000
	dir := b.TempDir()
	writeDeployedAPIs(b, filepath.Join(dir, "gantry.db"), apis)
	last := fmt.Sprintf("/restapis/%s/prod/_user_request_/pets/7", scaleAPIID(apis-1))
	for b.Loop() {
		s, err := New(Config{Addr: "127.0.0.1:0", DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		go s.Serve()
		resp, err := http.Get("http://" + s.Addr().String() + last)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		b.StopTimer()
		if err := s.Shutdown(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/apis, "ns/API")
}

func scaleAPIID(i int) string { return fmt.Sprintf("scale%05d", i) }

// writeDeployedAPIs stores n APIs in the database at path, as the control
// plane would leave them after CreateRestApi, CreateResource, PutMethod,
// PutIntegration and CreateDeployment: each has GET /pets and
// GET /pets/{petId} (MOCK, with request and response templates), one
// deployment and a stage "prod". One transaction, so that writing 1,000 APIs
// takes one fsync, not 1,000.
func writeDeployedAPIs(b *testing.B, path string, n int) {
	b.Helper()
	st, err := sqlite.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	scope := model.Scope{Account: "000000000000", Region: "us-east-1"}
	now := time.Now()
	err = st.Update(context.Background(), scope, func(tx store.Tx) error {
		for i := range n {
			id := scaleAPIID(i)
			root := model.Resource{ID: "root" + id[5:], Path: "/"}
			pets := model.Resource{ID: "pets" + id[5:], ParentID: root.ID, PathPart: "pets", Path: "/pets",
				Methods: map[string]model.Method{"GET": mockMethodModel(`{"pets":[]}`)}}
			pet := model.Resource{ID: "pet0" + id[5:], ParentID: pets.ID, PathPart: "{petId}", Path: "/pets/{petId}",
				Methods: map[string]model.Method{"GET": mockMethodModel(`{"id":"$input.params('petId')"}`)}}
			resources := []model.Resource{root, pets, pet}
			rest := model.RestAPI{ID: id, Name: id, CreatedDate: now, RootResourceID: root.ID}
			if err := tx.CreateRestAPI(rest, root); err != nil {
				return err
			}
			for _, r := range resources[1:] {
				if err := tx.PutResource(id, r); err != nil {
					return err
				}
			}
			dep := model.Deployment{ID: "dep" + id[5:], CreatedDate: now,
				Snapshot: model.Snapshot{API: rest, Resources: resources}}
			if err := tx.CreateDeployment(id, dep); err != nil {
				return err
			}
			if err := tx.CreateStage(id, model.Stage{Name: "prod", DeploymentID: dep.ID, CreatedDate: now}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// mockMethodModel is a MOCK method answering 200 with body (a mapping template).
func mockMethodModel(body string) model.Method {
	return model.Method{
		AuthorizationType: "NONE",
		Responses:         map[string]model.MethodResponse{"200": {StatusCode: "200"}},
		Integration: &model.Integration{
			Type:             model.IntegrationMock,
			RequestTemplates: map[string]string{"application/json": `{"statusCode": 200}`},
			Responses: map[string]model.IntegrationResponse{"200": {
				StatusCode:        "200",
				ResponseTemplates: map[string]string{"application/json": body},
			}},
		},
	}
}
