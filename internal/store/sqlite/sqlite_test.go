package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

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
	s, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(context.Background(), scope, func(tx store.Tx) error {
		if err := tx.CreateRestAPI(model.RestAPI{ID: "keep", Name: "k"}, model.Resource{ID: "r", Path: "/"}); err != nil {
			return err
		}
		return tx.PutGatewayResponse("keep", model.GatewayResponse{Type: "DEFAULT_4XX", StatusCode: "418"})
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
			return nil
		})
		s.Close()
	}
}
