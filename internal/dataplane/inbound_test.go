package dataplane

import (
	"net/url"
	"testing"

	"github.com/gantryproject/gantry/internal/front/fronttest"
)

// FuzzRequestPath: the path the data plane routes on is the one net/http's
// URL.EscapedPath gives for every request target net/http's server accepts.
func FuzzRequestPath(f *testing.F) {
	for _, s := range []string{"/", "/pets/1", "/a%2Fb", "/a|b", "/%7Bid%7D", "/a%zz", "/x?y=1", "/ä", "/a;b=c", "/a/../b", "/[x]", "/a^b", "/a%20b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		if target == "" || target[0] != '/' || len(target) > 1 && target[1] == '/' {
			return // not an origin-form target (or one net/http reads as authority)
		}
		for i := 0; i < len(target); i++ {
			if c := target[i]; c <= ' ' || c == 0x7f || c == '#' {
				return // a request line cannot carry it
			}
		}
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return // net/http's server answers 400
		}
		if got, want := requestPath(fronttest.NewRequestCtx("GET", target)), u.EscapedPath(); got != want {
			t.Errorf("target %q: routed on %q, net/http's EscapedPath %q", target, got, want)
		}
	})
}
