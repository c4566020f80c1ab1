package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
)

// createAtVersion makes a database file with only the first n migrations
// applied, as an older Gantry left it, and runs seed in it.
func createAtVersion(t *testing.T, n int, seed string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, m := range migrations[:n] {
		if _, err := db.Exec(m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec("PRAGMA user_version = " + strconv.Itoa(n)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(seed); err != nil {
		t.Fatal(err)
	}
	return path
}

// openUpgraded opens the database at path, which brings its schema up to
// date, and checks the schema's version. The store closes with the test.
func openUpgraded(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	var version int
	if err := s.write.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("user_version %d %v, want %d", version, err, len(migrations))
	}
	return s
}

// countRows checks that each table holds want rows.
func countRows(t *testing.T, s *Store, want int, tables ...string) {
	t.Helper()
	for _, table := range tables {
		var n int
		if err := s.write.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil || n != want {
			t.Errorf("%s: %d rows %v, want %d", table, n, err, want)
		}
	}
}

// seedV1 writes an API with a resource in the scope 000000000000/us-east-1,
// in the tables of the first migration.
const seedV1 = `
INSERT INTO rest_apis (account, region, id, doc) VALUES ('000000000000', 'us-east-1', 'old', '{"id":"old","name":"o"}');
INSERT INTO resources (account, region, api_id, id, doc) VALUES ('000000000000', 'us-east-1', 'old', 'r', '{"id":"r","path":"/"}');`

// checkSeedV1 checks that what seedV1 wrote reads back.
func checkSeedV1(t *testing.T, tx store.ReadTx) {
	t.Helper()
	if a, err := tx.RestAPI("old"); err != nil || a.Name != "o" {
		t.Errorf("API after upgrade: %+v %v", a, err)
	}
	if r, err := tx.Resource("old", "r"); err != nil || r.Path != "/" {
		t.Errorf("resource after upgrade: %+v %v", r, err)
	}
}

// TestUpgradeFromVersion1 opens a database written before deployments and
// stages existed: its data stays, and the new tables work.
func TestUpgradeFromVersion1(t *testing.T) {
	path := createAtVersion(t, 1, seedV1)
	s := openUpgraded(t, path)
	scope := model.Scope{Account: "000000000000", Region: "us-east-1"}
	err := s.Update(context.Background(), scope, func(tx store.Tx) error {
		if err := tx.CreateDeployment("old", model.Deployment{ID: "d"}); err != nil {
			return err
		}
		return tx.CreateStage("old", model.Stage{Name: "s", DeploymentID: "d"})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(context.Background(), scope, func(tx store.ReadTx) error {
		checkSeedV1(t, tx)
		if st, err := tx.Stage("old", "s"); err != nil || st.DeploymentID != "d" {
			t.Errorf("stage: %+v %v", st, err)
		}
		return nil
	})
	// The new tables cascade from the old one.
	if err := s.Update(context.Background(), scope, func(tx store.Tx) error { return tx.DeleteRestAPI("old") }); err != nil {
		t.Fatal(err)
	}
	countRows(t, s, 0, "deployments", "stages", "resources")
}

// TestUpgradeFromVersion2 opens a database written before API keys, usage
// plans, account settings and usage existed: its data stays, and the new
// tables work, cascades included.
func TestUpgradeFromVersion2(t *testing.T) {
	path := createAtVersion(t, 2, seedV1+`
INSERT INTO deployments (account, region, api_id, id, doc) VALUES ('000000000000', 'us-east-1', 'old', 'd', '{"id":"d","description":"dd"}');
INSERT INTO stages (account, region, api_id, name, doc) VALUES ('000000000000', 'us-east-1', 'old', 's', '{"stageName":"s","deploymentId":"d"}');
INSERT INTO tags (account, region, resource, key, value) VALUES ('000000000000', 'us-east-1', '/restapis/old', 'k', 'v');`)
	s := openUpgraded(t, path)
	ctx := context.Background()
	scope := model.Scope{Account: "000000000000", Region: "us-east-1"}
	s.View(ctx, scope, func(tx store.ReadTx) error {
		checkSeedV1(t, tx)
		if d, err := tx.Deployment("old", "d"); err != nil || d.Description != "dd" {
			t.Errorf("deployment after upgrade: %+v %v", d, err)
		}
		if st, err := tx.Stage("old", "s"); err != nil || st.DeploymentID != "d" {
			t.Errorf("stage after upgrade: %+v %v", st, err)
		}
		if tags, err := tx.Tags("/restapis/old"); err != nil || tags["k"] != "v" {
			t.Errorf("tags after upgrade: %v %v", tags, err)
		}
		return nil
	})
	err := s.Update(ctx, scope, func(tx store.Tx) error {
		return errors.Join(
			tx.CreateAPIKey(model.APIKey{ID: "k", Value: "secret"}),
			tx.CreateUsagePlan(model.UsagePlan{ID: "p", APIStages: []model.APIStage{{APIID: "old", Stage: "s"}}}),
			tx.AddUsagePlanKey("p", "k"),
			tx.AddUsage("p", []model.DailyUsage{{KeyID: "k", Day: "2024-01-01", Used: 3}}),
			tx.PutAccount(model.DefaultAccountSettings()),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(ctx, scope, func(tx store.ReadTx) error {
		if keys, err := tx.UsagePlanKeys("p"); err != nil || len(keys) != 1 || keys[0] != "k" {
			t.Errorf("plan keys: %v %v", keys, err)
		}
		if u, err := tx.Usage("p", "", "2024-01-01", "2024-01-01"); err != nil || len(u) != 1 || u[0].Used != 3 {
			t.Errorf("usage: %+v %v", u, err)
		}
		if a, err := tx.Account(); err != nil || !reflect.DeepEqual(a, model.DefaultAccountSettings()) {
			t.Errorf("account: %+v %v", a, err)
		}
		return nil
	})
	// The new tables cascade: from the key to its memberships, from the plan
	// to its memberships and usage.
	if err := s.Update(ctx, scope, func(tx store.Tx) error { return tx.DeleteAPIKey("k") }); err != nil {
		t.Fatal(err)
	}
	countRows(t, s, 0, "usage_plan_keys")
	countRows(t, s, 1, "usage")
	if err := s.Update(ctx, scope, func(tx store.Tx) error { return tx.DeleteUsagePlan("p") }); err != nil {
		t.Fatal(err)
	}
	countRows(t, s, 0, "usage")
	countRows(t, s, 1, "rest_apis", "resources", "deployments", "stages", "tags", "accounts")
}

// TestNewerSchemaRefused checks that a database from a newer Gantry is not
// opened (and so not damaged).
func TestNewerSchemaRefused(t *testing.T) {
	path := createAtVersion(t, len(migrations), "PRAGMA user_version = "+strconv.Itoa(len(migrations)+1))
	s, err := Open(path)
	if err == nil {
		s.Close()
		t.Fatal("opened a database with a newer schema")
	}
}
