package router

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func mustNew(t testing.TB, paths []string) *Router {
	t.Helper()
	r, err := New(paths)
	if err != nil {
		t.Fatalf("New(%q): %v", paths, err)
	}
	return r
}

// precedence is a set of overlapping resources used by several cases.
var precedence = []string{
	"/",
	"/pets",
	"/pets/{petId}",
	"/pets/{petId}/toys",
	"/pets/mine",
	"/pets/mine/toys",
	"/pets/{proxy+}",
	"/{proxy+}",
	"/a/b",
	"/{x}/c",
	"/{x}/c/{y}",
	"/{x}/c/d",
	"/a/{y}/e",
	"/files/{path+}",
	"/files/readme",
	"/v1/{id}",
	"/v1/{id}/{sub+}",
	"/v1/{id}/meta",
}

func TestMatch(t *testing.T) {
	type P = []Param
	tests := []struct {
		name   string
		paths  []string // nil means precedence
		req    string
		want   string // matched template; "" for no match
		params P
	}{
		// root
		{name: "root slash", req: "/", want: "/"},
		{name: "root empty", req: "", want: "/"},
		{name: "root double slash is root after trailing slash", req: "//", want: "/"},
		{name: "root greedy does not match root", paths: []string{"/{proxy+}"}, req: "/", want: ""},
		{name: "root greedy does not match empty", paths: []string{"/{proxy+}"}, req: "", want: ""},
		{name: "no root resource", paths: []string{"/pets"}, req: "/", want: ""},

		// literal vs param vs greedy, depth 1
		{name: "literal beats param and greedy d1", req: "/pets", want: "/pets"},
		{name: "param beats greedy d1", paths: []string{"/{id}", "/{proxy+}"}, req: "/x", want: "/{id}", params: P{{"id", "x"}}},
		{name: "greedy single segment d1", req: "/zzz", want: "/{proxy+}", params: P{{"proxy", "zzz"}}},

		// depth 2
		{name: "literal beats param d2", req: "/pets/mine", want: "/pets/mine"},
		{name: "param d2", req: "/pets/5", want: "/pets/{petId}", params: P{{"petId", "5"}}},

		// depth 3
		{name: "literal chain d3", req: "/pets/mine/toys", want: "/pets/mine/toys"},
		{name: "param then literal d3", req: "/pets/5/toys", want: "/pets/{petId}/toys", params: P{{"petId", "5"}}},
		{name: "literal d3 beats param d3", req: "/q/c/d", want: "/{x}/c/d", params: P{{"x", "q"}}},
		{name: "param d3", req: "/q/c/z", want: "/{x}/c/{y}", params: P{{"x", "q"}, {"y", "z"}}},

		// backtracking
		{name: "backtrack literal to param", req: "/a/c", want: "/{x}/c", params: P{{"x", "a"}}},
		{name: "backtrack deep", req: "/a/c/d", want: "/{x}/c/d", params: P{{"x", "a"}}},
		{name: "literal branch wins deeper", req: "/a/q/e", want: "/a/{y}/e", params: P{{"y", "q"}}},
		{name: "backtrack param to greedy in subtree", req: "/pets/5/food", want: "/pets/{proxy+}", params: P{{"proxy", "5/food"}}},
		{name: "backtrack literal to greedy in subtree", req: "/pets/mine/food", want: "/pets/{proxy+}", params: P{{"proxy", "mine/food"}}},
		{name: "backtrack to root greedy", req: "/a/b/c", want: "/{proxy+}", params: P{{"proxy", "a/b/c"}}},
		{name: "params from failed branch are dropped", req: "/v1/7/meta", want: "/v1/{id}/meta", params: P{{"id", "7"}}},
		{name: "greedy under param", req: "/v1/7/x/y", want: "/v1/{id}/{sub+}", params: P{{"id", "7"}, {"sub", "x/y"}}},
		{
			name:  "backtrack two levels to the param branch",
			paths: []string{"/a/b/c", "/{x}/b/d"},
			req:   "/a/b/d", want: "/{x}/b/d", params: P{{"x", "a"}},
		},
		{
			name:  "most specific first segment wins over later specificity",
			paths: []string{"/a/{y}", "/{x}/b"},
			req:   "/a/b", want: "/a/{y}", params: P{{"y", "b"}},
		},

		// trailing slash
		{name: "trailing slash ignored", req: "/pets/", want: "/pets"},
		{name: "trailing slash ignored on param", req: "/pets/5/", want: "/pets/{petId}", params: P{{"petId", "5"}}},
		{name: "trailing slash ignored on greedy", req: "/files/a/b/", want: "/files/{path+}", params: P{{"path", "a/b"}}},
		{name: "two trailing slashes leave an empty segment", paths: []string{"/pets"}, req: "/pets//", want: ""},

		// greedy values
		{name: "greedy multiple segments", req: "/files/a/b/c.txt", want: "/files/{path+}", params: P{{"path", "a/b/c.txt"}}},
		{name: "literal beats greedy", req: "/files/readme", want: "/files/readme"},
		{name: "greedy needs one segment", paths: []string{"/files/{path+}"}, req: "/files", want: ""},
		{name: "greedy needs one segment trailing slash", paths: []string{"/files/{path+}"}, req: "/files/", want: ""},
		{name: "greedy keeps inner empty segments", req: "/files/a//b", want: "/files/{path+}", params: P{{"path", "a//b"}}},
		{name: "greedy first segment must be non-empty", paths: []string{"/files/{path+}"}, req: "/files//b", want: ""},
		{name: "greedy value raw", req: "/files/a%2Fb/c%20d", want: "/files/{path+}", params: P{{"path", "a%2Fb/c%20d"}}},

		// raw values and literals
		{name: "param value raw", req: "/pets/a%20b", want: "/pets/{petId}", params: P{{"petId", "a%20b"}}},
		{name: "encoded slash stays in one segment", req: "/pets/a%2Fb", want: "/pets/{petId}", params: P{{"petId", "a%2Fb"}}},
		{name: "literal is case-sensitive", paths: []string{"/pets"}, req: "/Pets", want: ""},
		{name: "literal compared escaped", paths: []string{"/a%20b"}, req: "/a%20b", want: "/a%20b"},
		{name: "literal not decoded", paths: []string{"/a b"}, req: "/a%20b", want: ""},

		// no match
		{name: "no match literal", paths: []string{"/pets"}, req: "/dogs", want: ""},
		{name: "no match too deep", paths: []string{"/pets/{id}"}, req: "/pets/1/2", want: ""},
		{name: "no match too shallow", paths: []string{"/pets/{id}"}, req: "/pets", want: ""},
		{name: "no match empty segment for param", paths: []string{"/pets/{id}/x"}, req: "/pets//x", want: ""},
		{name: "no match leading double slash", paths: []string{"/pets"}, req: "//pets", want: ""},
		{name: "no match without leading slash", paths: []string{"/pets"}, req: "pets", want: ""},
		{name: "no match empty router", paths: []string{}, req: "/x", want: ""},

		// sibling param and greedy (allowed here, see TestNewSiblings)
		{name: "param and greedy siblings, param wins", paths: []string{"/{id}", "/{proxy+}"}, req: "/7", want: "/{id}", params: P{{"id", "7"}}},
		{name: "param and greedy siblings, greedy deeper", paths: []string{"/{id}", "/{proxy+}"}, req: "/7/8", want: "/{proxy+}", params: P{{"proxy", "7/8"}}},
		{name: "same-name param and greedy", paths: []string{"/{p}", "/{p+}"}, req: "/7/8", want: "/{p+}", params: P{{"p", "7/8"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			paths := tt.paths
			if paths == nil {
				paths = precedence
			}
			r := mustNew(t, paths)
			idx, params := r.Match(tt.req, nil)
			got := ""
			if idx >= 0 {
				got = paths[idx]
			}
			if got != tt.want {
				t.Fatalf("Match(%q) = %d (%q), want %q", tt.req, idx, got, tt.want)
			}
			if len(params) != 0 || len(tt.params) != 0 {
				if !reflect.DeepEqual(params, tt.params) {
					t.Fatalf("Match(%q) params = %q, want %q", tt.req, params, tt.params)
				}
			}
			// The reference matcher agrees.
			ridx, rparams := refMatch(paths, tt.req)
			if ridx != idx || !reflect.DeepEqual(rparams, params) {
				t.Fatalf("refMatch(%q) = %d %q, Match = %d %q", tt.req, ridx, rparams, idx, params)
			}
		})
	}
}

func TestMatchAppendsToParams(t *testing.T) {
	r := mustNew(t, []string{"/pets/{petId}", "/x/{a}/y"})
	pre := []Param{{"keep", "me"}}
	idx, got := r.Match("/pets/5", pre)
	if idx != 0 || !reflect.DeepEqual(got, []Param{{"keep", "me"}, {"petId", "5"}}) {
		t.Fatalf("got %d %q", idx, got)
	}
	// On no match, params comes back with its original length.
	idx, got = r.Match("/x/1/z", pre)
	if idx != -1 || !reflect.DeepEqual(got, pre) {
		t.Fatalf("no match: got %d %q", idx, got)
	}
}

func TestNilRouter(t *testing.T) {
	var r *Router
	if idx, _ := r.Match("/", nil); idx != -1 {
		t.Fatalf("nil router matched %d", idx)
	}
	if idx, _ := new(Router).Match("/", nil); idx != -1 {
		t.Fatalf("zero router matched %d", idx)
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		want  string // substring of the error
	}{
		{"no leading slash", []string{"pets"}, "must start with"},
		{"empty path", []string{""}, "must start with"},
		{"trailing slash", []string{"/pets/"}, "empty path part"},
		{"empty inner segment", []string{"/pets//x"}, "empty path part"},
		{"double slash root", []string{"//"}, "empty path part"},
		{"greedy not last", []string{"/{proxy+}/x"}, "must be the last"},
		{"greedy not last deep", []string{"/a/{p+}/{q}"}, "must be the last"},
		{"empty braces", []string{"/{}"}, "empty parameter name"},
		{"empty greedy name", []string{"/{+}"}, "empty parameter name"},
		{"missing close brace", []string{"/{a"}, "missing closing brace"},
		{"lone open brace", []string{"/{"}, "missing closing brace"},
		{"close brace in literal", []string{"/a}"}, "braces must enclose"},
		{"brace inside literal", []string{"/x{a}"}, "braces must enclose"},
		{"text after brace", []string{"/{a}x"}, "missing closing brace"},
		{"nested braces", []string{"/{{a}}"}, "invalid parameter name"},
		{"plus inside name", []string{"/{a+b}"}, "invalid parameter name"},
		{"double plus", []string{"/{a++}"}, "invalid parameter name"},
		{"duplicate root", []string{"/", "/"}, "duplicate"},
		{"duplicate literal", []string{"/pets", "/x", "/pets"}, "duplicate"},
		{"duplicate param", []string{"/pets/{id}", "/pets/{id}"}, "duplicate"},
		{"duplicate greedy", []string{"/{proxy+}", "/{proxy+}"}, "duplicate"},
		{"sibling params", []string{"/{a}", "/{b}"}, "a sibling ({a}) already has a variable path part"},
		{"sibling params deep", []string{"/user/{bizId}/complaint", "/user/{userId}/fans"}, "a sibling ({bizId})"},
		{"sibling greedy", []string{"/{proxy+}", "/{path+}"}, "a sibling ({proxy+})"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := New(tt.paths)
			if err == nil {
				t.Fatalf("New(%q) = %v, want error containing %q", tt.paths, r, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New(%q) error %q, want it to contain %q", tt.paths, err, tt.want)
			}
		})
	}
}

func TestNewSiblings(t *testing.T) {
	ok := [][]string{
		{"/{id}", "/{proxy+}"},                     // param and greedy siblings
		{"/{id}", "/{id}/x", "/{id}/{y}"},          // same name reused
		{"/a/{id}", "/b/{other}"},                  // different parents
		{"/{p}", "/{p+}"},                          // same name, param and greedy
		{"/", "/{proxy+}", "/pets", "/pets/{id+}"}, // greedy at several levels
		nil, // no resources
	}
	for _, paths := range ok {
		if _, err := New(paths); err != nil {
			t.Errorf("New(%q): %v", paths, err)
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	r := mustNew(t, precedence)
	buf := make([]Param, 0, 4)
	for _, p := range []string{"/", "/pets/5/toys", "/q/c/z", "/a/c/d", "/files/a/b/c", "/pets/5/food", "/v1/7/meta", "/nothing/here/at/all/x", "/pets//x"} {
		allocs := testing.AllocsPerRun(100, func() {
			_, buf = r.Match(p, buf[:0])
		})
		if allocs != 0 {
			t.Errorf("Match(%q) allocates %v times", p, allocs)
		}
	}
}

func TestConcurrentMatch(t *testing.T) {
	r := mustNew(t, precedence)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf []Param
			for i := 0; i < 1000; i++ {
				var idx int
				idx, buf = r.Match("/q/c/z", buf[:0])
				if idx < 0 || precedence[idx] != "/{x}/c/{y}" || len(buf) != 2 || buf[1].Value != "z" {
					t.Errorf("bad match %d %q", idx, buf)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// refMatch is an independent, slow reference matcher: it tries every
// template against the request and picks the one that is lexicographically
// most specific by segment kind (literal < param < greedy).
func refMatch(templates []string, path string) (int, []Param) {
	if len(path) > 1 && strings.HasSuffix(path, "/") {
		path = path[:len(path)-1]
	}
	if path == "" || path == "/" {
		for i, t := range templates {
			if t == "/" {
				return i, nil
			}
		}
		return -1, nil
	}
	if !strings.HasPrefix(path, "/") {
		return -1, nil
	}
	req := strings.Split(path[1:], "/")
	best, bestKinds := -1, []int(nil)
	var bestParams []Param
	for i, t := range templates {
		if t == "/" {
			continue
		}
		kinds, params, ok := refMatchOne(strings.Split(t[1:], "/"), req)
		if !ok {
			continue
		}
		if best >= 0 {
			c := compareKinds(kinds, bestKinds)
			if c == 0 {
				panic(fmt.Sprintf("ambiguous: %q and %q both match %q", templates[best], t, path))
			}
			if c > 0 {
				continue
			}
		}
		best, bestKinds, bestParams = i, kinds, params
	}
	return best, bestParams
}

func refMatchOne(tsegs, req []string) (kinds []int, params []Param, ok bool) {
	for k, ts := range tsegs {
		if k >= len(req) || req[k] == "" {
			return nil, nil, false
		}
		switch {
		case strings.HasPrefix(ts, "{") && strings.HasSuffix(ts, "+}"):
			kinds = append(kinds, 2)
			params = append(params, Param{ts[1 : len(ts)-2], strings.Join(req[k:], "/")})
			return kinds, params, true
		case strings.HasPrefix(ts, "{"):
			kinds = append(kinds, 1)
			params = append(params, Param{ts[1 : len(ts)-1], req[k]})
		default:
			if ts != req[k] {
				return nil, nil, false
			}
			kinds = append(kinds, 0)
		}
	}
	return kinds, params, len(tsegs) == len(req)
}

func compareKinds(a, b []int) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] - b[i]
		}
	}
	return len(a) - len(b)
}

// expand substitutes params into template, in order.
func expand(template string, params []Param) (string, bool) {
	if template == "/" {
		return "/", len(params) == 0
	}
	segs := strings.Split(template[1:], "/")
	j := 0
	for k, s := range segs {
		if strings.HasPrefix(s, "{") {
			name := strings.TrimSuffix(s[1:len(s)-1], "+")
			if j >= len(params) || params[j].Name != name {
				return "", false
			}
			segs[k] = params[j].Value
			j++
		}
	}
	return "/" + strings.Join(segs, "/"), j == len(params)
}

// fuzzPool is the fixed set of templates FuzzMatch draws from. Parameter
// names are consistent per parent so that any subset is valid.
var fuzzPool = []string{
	"/",
	"/a",
	"/a/b",
	"/a/b/c",
	"/a/b/{tail+}",
	"/a/{y}",
	"/a/{y}/c",
	"/a/{rest+}",
	"/{x}",
	"/{x}/c",
	"/{x}/c/d",
	"/{x}/b/{z}",
	"/{x}/{y}",
	"/{x}/{y}/{path+}",
	"/{proxy+}",
	"/files/{path+}",
	"/files/readme",
	"/pets/{petId}",
	"/pets/{petId}/toys",
	"/p%20q",
	"/A",
	"/a/b/c/d/e",
	"/{x}/b/{z}/e",
}

func FuzzMatch(f *testing.F) {
	for _, s := range []string{
		"", "/", "//", "/a", "/a/", "/a/b", "/a/c", "/a/b/c", "/a/b/d", "/q/c/d",
		"/a/b/c/d/e", "/q/b/z/e", "/files/a//b", "/files//b", "/pets/5/toys",
		"/p%20q", "/A/b", "a", "/a//", "///", "/x/y/z/w",
	} {
		f.Add(uint32(0xffffffff), s)
		f.Add(uint32(0x5555), s)
	}
	f.Fuzz(func(t *testing.T, mask uint32, path string) {
		var templates []string
		for i, tpl := range fuzzPool {
			if mask&(1<<uint(i)) != 0 {
				templates = append(templates, tpl)
			}
		}
		r, err := New(templates)
		if err != nil {
			t.Fatalf("New(%q): %v", templates, err)
		}
		idx, params := r.Match(path, nil)
		ridx, rparams := refMatch(templates, path)
		if idx != ridx {
			got, want := "<none>", "<none>"
			if idx >= 0 {
				got = templates[idx]
			}
			if ridx >= 0 {
				want = templates[ridx]
			}
			t.Fatalf("Match(%q) = %s, reference = %s (templates %q)", path, got, want, templates)
		}
		if idx < 0 {
			if len(params) != 0 {
				t.Fatalf("Match(%q) = -1 with params %q", path, params)
			}
			return
		}
		if !reflect.DeepEqual(params, rparams) {
			t.Fatalf("Match(%q) params %q, reference %q", path, params, rparams)
		}
		// The parameters reconstruct the (normalized) request path.
		norm := path
		if len(norm) > 1 && strings.HasSuffix(norm, "/") {
			norm = norm[:len(norm)-1]
		}
		if norm == "" {
			norm = "/"
		}
		got, ok := expand(templates[idx], params)
		if !ok || got != norm {
			t.Fatalf("Match(%q) = %q with %q: expands to %q (ok=%v), want %q", path, templates[idx], params, got, ok, norm)
		}
		for _, p := range params {
			if p.Value == "" || strings.HasPrefix(p.Value, "/") {
				t.Fatalf("Match(%q): bad param value %q", path, p)
			}
		}
	})
}

func FuzzNew(f *testing.F) {
	f.Add("/a/{b}/{c+}", "/a/x/y")
	f.Add("/{a}x", "/q")
	f.Add("/{}", "/")
	f.Fuzz(func(t *testing.T, tpl, path string) {
		r, err := New([]string{tpl, "/{proxy+}"})
		if err != nil {
			return
		}
		r.Match(path, nil)
	})
}

// benchPaths returns n resource paths shaped like a large API: the root, a
// catch-all /{proxy+}, then /svc{i}, /svc{i}/items, /svc{i}/items/{id} and
// /svc{i}/items/{id}/sub for as many services as fit.
func benchPaths(n int) []string {
	paths := []string{"/", "/{proxy+}"}
	for i := 0; len(paths) < n; i++ {
		for _, p := range []string{"/svc%d", "/svc%d/items", "/svc%d/items/{id}", "/svc%d/items/{id}/sub"} {
			if len(paths) < n {
				paths = append(paths, fmt.Sprintf(p, i))
			}
		}
	}
	return paths
}

func benchmarkMatch(b *testing.B, n int) {
	paths := benchPaths(n)
	if len(paths) != n {
		b.Fatalf("built %d paths, want %d", len(paths), n)
	}
	r := mustNew(b, paths)
	// A service in the middle of the API, present in both sizes.
	svc := 1
	if n > 100 {
		svc = n / 8
	}
	cases := []struct{ name, path, want string }{
		{"deep", fmt.Sprintf("/svc%d/items/12345/sub", svc), fmt.Sprintf("/svc%d/items/{id}/sub", svc)},
		{"fallback-to-proxy", fmt.Sprintf("/svc%d/items/12345/other/x/y", svc), "/{proxy+}"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			buf := make([]Param, 0, 4)
			idx, _ := r.Match(c.path, buf)
			if idx < 0 || paths[idx] != c.want {
				b.Fatalf("Match(%q) = %d, want %q", c.path, idx, c.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				_, buf = r.Match(c.path, buf[:0])
			}
		})
	}
}

// BenchmarkMatch10 and BenchmarkMatch10000 show that the cost of a match
// does not grow with the number of resources.
func BenchmarkMatch10(b *testing.B)    { benchmarkMatch(b, 10) }
func BenchmarkMatch10000(b *testing.B) { benchmarkMatch(b, 10000) }
