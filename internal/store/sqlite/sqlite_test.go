package sqlite_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
	"github.com/gantryproject/gantry/internal/store/sqlite"
	"github.com/gantryproject/gantry/internal/store/storetest"
)

func TestConformanceFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.Open(filepath.Join(t.TempDir(), "gantry.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestConformanceMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := sqlite.OpenMemory()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestReopen checks that committed data is there after the store is closed
// and opened again, and that reopening an up-to-date schema is a no-op.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gantry.db")
	scope := model.Scope{Account: "000000000000", Region: "us-east-1"}
	other := model.Scope{Account: "111111111111", Region: "eu-west-1"}
	res := model.Resource{ID: "child", ParentID: "r", PathPart: "items", Path: "/items",
		Methods: map[string]model.Method{"GET": {HTTPMethod: "GET", AuthorizationType: "NONE",
			Responses: map[string]model.MethodResponse{"200": {StatusCode: "200"}},
			Integration: &model.Integration{Type: model.IntegrationMock,
				Responses: map[string]model.IntegrationResponse{"200": {StatusCode: "200",
					ResponseTemplates: map[string]string{"application/json": `{"ok":true}`}}}}}}}
	dep := model.Deployment{ID: "dep1", Description: "d", CreatedDate: time.Unix(1700000000, 0).UTC(),
		Snapshot: model.Snapshot{API: model.RestAPI{ID: "keep", Name: "k"}, Resources: []model.Resource{{ID: "r", Path: "/"}, res},
			GatewayResponses: map[string]model.GatewayResponse{"DEFAULT_4XX": {Type: "DEFAULT_4XX", StatusCode: "418"}}}}
	stage := model.Stage{Name: "prod", DeploymentID: "dep1", Variables: map[string]string{"a": "b"},
		MethodSettings:  map[string]model.MethodSetting{"*/*": {MetricsEnabled: true, ThrottlingRateLimit: 10}},
		CreatedDate:     time.Unix(1700000001, 0).UTC(),
		LastUpdatedDate: time.Unix(1700000002, 0).UTC()}
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(context.Background(), scope, func(tx store.Tx) error {
		if err := tx.CreateRestAPI(model.RestAPI{ID: "keep", Name: "k"}, model.Resource{ID: "r", Path: "/"}); err != nil {
			return err
		}
		if err := tx.PutGatewayResponse("keep", model.GatewayResponse{Type: "DEFAULT_4XX", StatusCode: "418"}); err != nil {
			return err
		}
		if err := tx.PutResource("keep", res); err != nil {
			return err
		}
		if err := tx.CreateDeployment("keep", dep); err != nil {
			return err
		}
		return tx.CreateStage("keep", stage)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(context.Background(), other, func(tx store.Tx) error {
		return tx.CreateRestAPI(model.RestAPI{ID: "o"}, model.Resource{ID: "or", Path: "/"})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for i := 0; i < 2; i++ {
		s, err = sqlite.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		s.View(context.Background(), scope, func(tx store.ReadTx) error {
			m, err := tx.GatewayResponses("keep")
			if err != nil || m["DEFAULT_4XX"].StatusCode != "418" {
				t.Errorf("after reopen: %v %v", m, err)
			}
			rs, err := tx.Resources("keep")
			if err != nil || len(rs) != 2 || !reflect.DeepEqual(rs[1], res) {
				t.Errorf("resources after reopen: %+v %v", rs, err)
			}
			ds, err := tx.Deployments("keep")
			if err != nil || len(ds) != 1 || !reflect.DeepEqual(ds[0], dep) {
				t.Errorf("deployments after reopen: %+v %v", ds, err)
			}
			st, err := tx.Stage("keep", "prod")
			if err != nil || !reflect.DeepEqual(st, stage) {
				t.Errorf("stage after reopen: %+v %v", st, err)
			}
			return nil
		})
		scopes, err := s.Scopes(context.Background())
		if want := []model.Scope{scope, other}; err != nil || !reflect.DeepEqual(scopes, want) {
			t.Errorf("scopes after reopen: %v %v, want %v", scopes, err, want)
		}
		s.Close()
	}
}
