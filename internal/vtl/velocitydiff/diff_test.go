package velocitydiff

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/mapping"
	"github.com/gantryproject/gantry/internal/vtl"
)

// javaDir is where Debian installs the jars the runner needs.
const javaDir = "/usr/share/java"

var classpathJars = []string{"velocity.jar", "commons-collections3.jar", "commons-lang.jar"}

// runner is a compiled VelocityRunner.
type runner struct {
	dir string
	cp  string
}

// setupRunner compiles testdata/VelocityRunner.java, or skips the test
// (fails when CI=true) if Java or Velocity 1.7 is missing.
func setupRunner(t testing.TB) *runner {
	t.Helper()
	missing := func(what string) *runner {
		if os.Getenv("CI") == "true" {
			t.Fatalf("differential harness needs %s (apt-get install velocity default-jdk-headless)", what)
		}
		t.Skipf("skipping: %s not available (apt-get install velocity default-jdk-headless)", what)
		return nil
	}
	for _, tool := range []string{"java", "javac"} {
		if _, err := exec.LookPath(tool); err != nil {
			return missing(tool)
		}
	}
	var cp []string
	for _, j := range classpathJars {
		p := filepath.Join(javaDir, j)
		if _, err := os.Stat(p); err != nil {
			return missing(p)
		}
		cp = append(cp, p)
	}
	dir := t.TempDir()
	src, err := filepath.Abs("testdata/VelocityRunner.java")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("javac", "-nowarn", "-encoding", "UTF-8", "-d", dir, "-cp", strings.Join(cp, ":"), src)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, out)
	}
	return &runner{dir: dir, cp: dir + ":" + strings.Join(cp, ":")}
}

type javaResult struct {
	Name string `json:"name"`
	Out  string `json:"out"`
	Err  string `json:"err"`
}

func (r *runner) run(t testing.TB, cases []testCase) map[string]javaResult {
	t.Helper()
	var in bytes.Buffer
	for _, c := range cases {
		ctx := c.ctx
		if ctx == "" {
			ctx = sharedContext
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, []byte(ctx)); err != nil {
			t.Fatalf("%s: bad context: %v", c.name, err)
		}
		line, _ := json.Marshal(map[string]any{"name": c.name, "template": c.tmpl, "context": json.RawMessage(compact.Bytes())})
		in.Write(line)
		in.WriteByte('\n')
	}
	cmd := exec.Command("java", "-Xshare:auto", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", r.cp, "VelocityRunner")
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("java runner: %v\n%s", err, stderr.String())
	}
	res := map[string]javaResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var jr javaResult
		if err := json.Unmarshal(sc.Bytes(), &jr); err != nil {
			t.Fatalf("bad runner output %q: %v", sc.Text(), err)
		}
		res[jr.Name] = jr
	}
	return res
}

func goRender(c testCase) (string, error) {
	ctx := c.ctx
	if ctx == "" {
		ctx = sharedContext
	}
	v, err := vtl.ParseJSON([]byte(ctx))
	if err != nil {
		return "", err
	}
	vars := map[string]vtl.Value{}
	m := v.(*vtl.Map)
	for i, k := range m.Keys() {
		vars[k.(string)] = m.Values()[i]
	}
	tmpl, err := vtl.New(vtl.Options{}).Parse(c.name, c.tmpl)
	if err != nil {
		return "", err
	}
	return tmpl.Render(context.Background(), vars)
}

// TestDifferential renders the corpus with Velocity 1.7 and with our engine
// in plain Velocity mode and requires identical results (both fail, or both
// succeed with the same output).
func TestDifferential(t *testing.T) {
	r := setupRunner(t)
	cases := corpus()
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.name] {
			t.Fatalf("duplicate case name %s", c.name)
		}
		seen[c.name] = true
	}
	start := time.Now()
	want := r.run(t, cases)
	t.Logf("Velocity 1.7 rendered %d templates in %v", len(cases), time.Since(start))
	same := 0
	for _, c := range cases {
		jr, ok := want[c.name]
		if !ok {
			t.Errorf("%s: no result from the Java runner", c.name)
			continue
		}
		got, err := goRender(c)
		switch {
		case jr.Err != "" && err != nil:
			same++
		case jr.Err != "":
			t.Errorf("%s: Velocity failed (%s) but we rendered %q\ntemplate: %q", c.name, jr.Err, got, c.tmpl)
		case err != nil:
			t.Errorf("%s: we failed (%v) but Velocity rendered %q\ntemplate: %q", c.name, err, jr.Out, c.tmpl)
		case got != jr.Out:
			t.Errorf("%s: output differs\ntemplate: %q\nvelocity: %q\ngantry:   %q", c.name, c.tmpl, jr.Out, got)
		default:
			same++
		}
	}
	t.Logf("%d/%d corpus templates identical to Velocity 1.7", same, len(cases))
}

// TestThroughputRatio renders the mapping benchmark template
// (internal/mapping/testdata/bench.vtl: $input.path, $input.json, a #foreach
// over 20 items) with Velocity 1.7 (after JIT warm-up, with small Java
// stand-ins for $input/$util) and with Gantry, and logs the ratio. Run with
// -v to see it.
func TestThroughputRatio(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	r := setupRunner(t)
	src, err := os.ReadFile("../../mapping/testdata/bench.vtl")
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile("../../mapping/testdata/bench.json")
	if err != nil {
		t.Fatal(err)
	}
	params := map[string]string{"orderId": "o-1", "User-Agent": "bench/1.0"}
	apiCtx := map[string]any{"requestId": "abcdefg-000-000-0000-abcdefg", "stage": "prod"}
	line, _ := json.Marshal(map[string]any{"template": string(src), "context": map[string]any{
		"body": string(body), "params": params, "context": apiCtx}})
	const n = 20000
	cmd := exec.Command("java", "-cp", r.cp, "VelocityRunner", "bench", fmt.Sprint(n))
	cmd.Stdin = bytes.NewReader(append(line, '\n'))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("java bench: %v\n%s", err, out)
	}
	var javaNs float64
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "ns/op %g", &javaNs); err != nil {
		t.Fatalf("bad bench output %q", out)
	}
	tm, err := mapping.Compile("bench", string(src))
	if err != nil {
		t.Fatal(err)
	}
	in := &mapping.Input{Body: body, PathParams: map[string]string{"orderId": "o-1"},
		Headers: map[string]string{"User-Agent": "bench/1.0"}, Context: apiCtx}
	res := testing.Benchmark(func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, err := mapping.Render(context.Background(), tm, in); err != nil {
				b.Fatal(err)
			}
		}
	})
	goNs := float64(res.NsPerOp())
	t.Logf("throughput: Gantry %.1f µs/op, Velocity 1.7 %.1f µs/op: Gantry/Velocity throughput ratio %.2fx",
		goNs/1000, javaNs/1000, javaNs/goNs)
}
