package dataplane

import (
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/gantryproject/gantry/internal/mapping"
)

// TestTemplateCache: the same source compiles once while a deployment
// holds it, different names or sources do not share, and an entry goes
// once no deployment holds its template.
func TestTemplateCache(t *testing.T) {
	c := templateCache{m: map[templateKey]weak.Pointer[mapping.Template]{}}
	a, err := c.compile("request template application/json", `{"statusCode": 200}`)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.compile("request template application/json", `{"statusCode": 200}`)
	other, _ := c.compile("response template application/json", `{"statusCode": 200}`)
	if a != b || a == other {
		t.Fatalf("shared: %v, shared across names: %v", a == b, a == other)
	}
	if _, err := c.compile("request template application/json", "#if("); err == nil {
		t.Fatal("a template that does not parse compiled")
	}
	runtime.KeepAlive(a)
	runtime.KeepAlive(other)
	deadline := time.Now().Add(5 * time.Second)
	for c.len() > 0 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	if n := c.len(); n != 0 {
		t.Errorf("%d entries left after their templates were dropped", n)
	}
}
