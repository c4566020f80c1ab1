package controlplane_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/gantryproject/gantry/internal/controlplane"
)

var update = flag.Bool("update", false, "rewrite golden files and README's coverage table")

const (
	coverageStart = "<!-- coverage:start -->\n"
	coverageEnd   = "<!-- coverage:end -->"
)

// TestREADMECoverageTable keeps README.md's coverage table equal to what the
// code serves. Run with -update to rewrite it.
func TestREADMECoverageTable(t *testing.T) {
	const readme = "../../README.md"
	raw, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, coverageStart), strings.Index(doc, coverageEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q ... %q section", coverageStart, coverageEnd)
	}
	want := controlplane.New(nil, controlplane.Options{}).CoverageTable()
	got := doc[i+len(coverageStart) : j]
	if got == want {
		return
	}
	if *update {
		doc = doc[:i+len(coverageStart)] + want + doc[j:]
		if err := os.WriteFile(readme, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's coverage table is stale; run: go test ./internal/controlplane -run TestREADMECoverageTable -update")
}
