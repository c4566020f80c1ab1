package openapi

import (
	"errors"
	"testing"
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
				if diff := compare(snap, snapshotOf(again)); diff != "" {
					t.Fatalf("%s round trip: %s\n%s", format, diff, out)
				}
			}
		}
	})
}
