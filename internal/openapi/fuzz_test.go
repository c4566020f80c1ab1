package openapi

import (
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/gantryproject/gantry/internal/model"
)

// FuzzImportExport imports arbitrary documents. Import must never panic and
// must fail only with an *Error; a document it accepts must export (in both
// formats) to a document that imports to the same configuration.
//
// The seeds are whole documents: fuzz with -fuzzminimizetime 0.
func FuzzImportExport(f *testing.F) {
	for _, name := range documents {
		f.Add(readDoc(f, name))
	}
	f.Add([]byte(`{"swagger":"2.0","info":{"title":"x"},"paths":{"/a/{b+}":{"get":{"parameters":[{"name":"b+","in":"path"}]}}}}`))
	f.Add([]byte("openapi: 3.0.0\ninfo: {title: y, version: 1}\npaths: {/: {x-amazon-apigateway-any-method: {}}}\n"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		api, err := Import(doc, Options{BasePath: BasePathPrepend})
		if err != nil {
			var ie *Error
			if !errors.As(err, &ie) || len(ie.Problems) == 0 {
				t.Fatalf("Import failed without problems: %v", err)
			}
			return
		}
		snap := snapshotOf(api)
		for _, format := range []string{FormatSwagger, FormatOAS30} {
			for _, yamlOut := range []bool{false, true} {
				out, err := Export(snap, ExportOptions{Format: format, YAML: yamlOut, Stage: "s", Extensions: map[string]bool{ExtAPIGateway: true}})
				if err != nil {
					t.Fatalf("Export %s: %v", format, err)
				}
				again, err := Import(out, Options{})
				if err != nil {
					t.Fatalf("re-import of the %s export failed: %v\n%s", format, err, out)
				}
				if snap.API.Version == "" {
					// An API without a version is exported with its
					// creation date as the version, as AWS does.
					again.RestAPI.Version = ""
				}
				if format == FormatSwagger && !swaggerCanHold(snap) {
					// Swagger 2.0 has one body schema per operation and
					// response, and one produces list per operation:
					// per-media-type models do not survive it.
					continue
				}
				if diff := compare(snap, snapshotOf(again)); diff != "" {
					t.Fatalf("%s round trip: %s\n%s", format, diff, out)
				}
			}
		}
	})
}

// swaggerCanHold reports whether a Swagger 2.0 document can describe the
// snapshot's method models: one model per request body and per response,
// and the same media types for every response of an operation (its
// produces list).
func swaggerCanHold(s model.Snapshot) bool {
	oneModel := func(models map[string]string) bool {
		return len(slices.Compact(slices.Sorted(maps.Values(models)))) <= 1
	}
	for _, r := range s.Resources {
		for _, m := range r.Methods {
			if !oneModel(m.RequestModels) {
				return false
			}
			var types []string
			for _, resp := range m.Responses {
				if len(resp.ResponseModels) == 0 {
					continue
				}
				keys := slices.Sorted(maps.Keys(resp.ResponseModels))
				if !oneModel(resp.ResponseModels) || types != nil && !slices.Equal(types, keys) {
					return false
				}
				types = keys
			}
		}
	}
	return true
}
