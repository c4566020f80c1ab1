package dataplane

import (
	"strings"
	"testing"
)

func TestURITemplate(t *testing.T) {
	vars := map[string]string{"host": "backend:8080", "empty": ""}
	params := map[string]string{"id": "a b", "proxy": "x/y z"}
	for _, tc := range []struct{ raw, want, err string }{
		{"http://${stageVariables.host}/pets/{id}", "http://backend:8080/pets/a%20b", ""},
		{"http://h/files/{proxy+}?v=${stageVariables.host}", "http://h/files/x/y%20z?v=backend:8080", ""},
		{"http://h/{missing}/{rest+}", "http://h/%7Bmissing%7D/%7Brest+%7D", ""},
		{"http://h/$x{", "http://h/$x%7B", ""},
		{"http://${stageVariables.nope}/", "", "not defined"},
		{"http://${stageVariables.empty}/", "", "not defined"},
		{"ftp://h/", "", "invalid endpoint"},
		{"/relative", "", "invalid endpoint"},
	} {
		u, err := parseURITemplate(tc.raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := u.expand(vars, params)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: got %v, want error containing %q", tc.raw, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.raw, err)
		case got.String() != tc.want:
			t.Errorf("%s: got %s, want %s", tc.raw, got, tc.want)
		}
	}
}
