package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
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

// TestUpgradeFromVersion1 opens a database written before deployments and
// stages existed: its data stays, and the new tables work.
func TestUpgradeFromVersion1(t *testing.T) {
	path := createAtVersion(t, 1, `
INSERT INTO rest_apis (account, region, id, doc) VALUES ('000000000000', 'us-east-1', 'old', '{"id":"old","name":"o"}');
INSERT INTO resources (account, region, api_id, id, doc) VALUES ('000000000000', 'us-east-1', 'old', 'r', '{"id":"r","path":"/"}');`)
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var version int
	if err := s.write.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != len(migrations) {
		t.Fatalf("user_version %d %v, want %d", version, err, len(migrations))
	}
	scope := model.Scope{Account: "000000000000", Region: "us-east-1"}
	err = s.Update(context.Background(), scope, func(tx store.Tx) error {
		if err := tx.CreateDeployment("old", model.Deployment{ID: "d"}); err != nil {
			return err
		}
		return tx.CreateStage("old", model.Stage{Name: "s", DeploymentID: "d"})
	})
	if err != nil {
		t.Fatal(err)
	}
	s.View(context.Background(), scope, func(tx store.ReadTx) error {
		if a, err := tx.RestAPI("old"); err != nil || a.Name != "o" {
			t.Errorf("API after upgrade: %+v %v", a, err)
		}
		if r, err := tx.Resource("old", "r"); err != nil || r.Path != "/" {
			t.Errorf("resource after upgrade: %+v %v", r, err)
		}
		if st, err := tx.Stage("old", "s"); err != nil || st.DeploymentID != "d" {
			t.Errorf("stage: %+v %v", st, err)
		}
		return nil
	})
	// The new tables cascade from the old one.
	if err := s.Update(context.Background(), scope, func(tx store.Tx) error { return tx.DeleteRestAPI("old") }); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"deployments", "stages", "resources"} {
		var n int
		if err := s.write.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s after DeleteRestAPI: %d rows %v", table, n, err)
		}
	}
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
