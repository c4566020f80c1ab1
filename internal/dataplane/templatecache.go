package dataplane

import (
	"runtime"
	"sync"
	"weak"

	"github.com/gantryproject/gantry/internal/mapping"
)

// templates shares compiled mapping templates among all deployments.
var templates = templateCache{m: map[templateKey]weak.Pointer[mapping.Template]{}}

// templateCache shares compiled mapping templates between methods, stages,
// APIs and deployments with the same source. A compiled template is
// immutable (requests render it concurrently already), and APIs repeat
// theirs: every MOCK's {"statusCode": 200}, every CORS OPTIONS method's.
// Templates are most of a deployed API's memory, and the live heap is what
// each garbage collection walks, so sharing them keeps both down. Entries
// are weak: a template no deployment holds any more is collected, and its
// entry removed.
type templateCache struct {
	mu sync.Mutex
	m  map[templateKey]weak.Pointer[mapping.Template]
}

type templateKey struct{ name, src string }

// compile returns the compiled template for name (which error messages
// carry) and src, compiling it only if no deployment holds one.
func (c *templateCache) compile(name, src string) (*mapping.Template, error) {
	k := templateKey{name, src}
	c.mu.Lock()
	t := c.m[k].Value()
	c.mu.Unlock()
	if t != nil {
		return t, nil
	}
	t, err := mapping.Compile(name, src)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if shared := c.m[k].Value(); shared != nil {
		return shared, nil // compiled meanwhile by another deployment
	}
	c.m[k] = weak.Make(t)
	runtime.AddCleanup(t, c.forget, k)
	return t, nil
}

// forget removes k's entry once its template is collected, unless the key
// has been compiled again since.
func (c *templateCache) forget(k templateKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m[k].Value() == nil {
		delete(c.m, k)
	}
}

// len is the number of entries, for tests.
func (c *templateCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
