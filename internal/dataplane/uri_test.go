package dataplane

import (
	"net/url"
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
		{"http://h:8080/static/a%2Fb?q=1", "http://h:8080/static/a%2Fb?q=1", ""}, // parsed once, at compile time
		{"ftp://static/", "", "invalid endpoint"},
		{"http://h:/empty-port", "http://h/empty-port", ""}, // as http.NewRequest: an empty port is dropped
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
		default:
			// Each expansion is the caller's to change.
			got.RawQuery, got.Host = "changed", "changed"
			if again, _ := u.expand(vars, params); again.String() != tc.want {
				t.Errorf("%s: after changing an expansion, the next is %s", tc.raw, again)
			}
		}
	}
}

// TestNeedsPathEscape checks the fast path of escapePathParam: a rune
// passes unescaped exactly when url.PathEscape leaves it alone (or it is
// the '/' that escapePathParam keeps).
func TestNeedsPathEscape(t *testing.T) {
	for r := rune(0); r < 0x800; r++ {
		want := r != '/' && url.PathEscape(string(r)) != string(r)
		if got := needsPathEscape(r); got != want {
			t.Errorf("needsPathEscape(%q) = %v, want %v", r, got, want)
		}
	}
	for _, v := range []string{"a/b c", "plain/path-1_2.3~$&+,;=:@", "é", "a\xffb", "%2F", ""} {
		var parts []string
		for _, p := range strings.Split(v, "/") {
			parts = append(parts, url.PathEscape(p))
		}
		if got, want := escapePathParam(v), strings.Join(parts, "/"); got != want {
			t.Errorf("escapePathParam(%q) = %q, want %q", v, got, want)
		}
	}
}

// TestEscapePathParamDotSegments: "." and ".." segments of a path
// parameter are escaped, so that the back-end URL keeps the path the
// integration URI gives; dots inside a segment stay as they are.
func TestEscapePathParamDotSegments(t *testing.T) {
	for v, want := range map[string]string{
		"../../etc/passwd": "%2E%2E/%2E%2E/etc/passwd",
		"a/./b":            "a/%2E/b",
		"..":               "%2E%2E",
		"a..b/.hidden/x.y": "a..b/.hidden/x.y",
		"...":              "...",
	} {
		if got := escapePathParam(v); got != want {
			t.Errorf("escapePathParam(%q) = %q, want %q", v, got, want)
		}
	}
}
