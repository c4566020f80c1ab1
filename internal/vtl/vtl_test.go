package vtl

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func testVars() map[string]Value {
	v, err := ParseJSON([]byte(`{
		"s": "Hello World", "n": 3, "d": 2.5, "t": true, "f": false, "e": "",
		"l": [1, 2, 3], "ls": ["a", "b", "c"],
		"m": {"a": 1, "b": "two", "c": [1, 2]},
		"items": [{"name": "cat", "price": 12.5}, {"name": "dog", "price": 20}]
	}`))
	if err != nil {
		panic(err)
	}
	vars := map[string]Value{}
	m := v.(*Map)
	for i, k := range m.Keys() {
		vars[k.(string)] = m.Values()[i]
	}
	return vars
}

func render(t *testing.T, opts Options, src string) (string, error) {
	t.Helper()
	tm, err := New(opts).Parse("test", src)
	if err != nil {
		return "", err
	}
	return tm.Render(context.Background(), testVars())
}

func TestLanguage(t *testing.T) {
	plain := Options{}
	aws := Options{APIGateway: true}
	tests := []struct {
		name string
		opts Options
		tmpl string
		want string
	}{
		{"text", plain, "hello", "hello"},
		{"ref", plain, "$s", "Hello World"},
		{"formal ref", plain, "${s}!", "Hello World!"},
		{"quiet ref", plain, "[$!x]", "[]"},
		{"quiet formal ref", plain, "[$!{x}]", "[]"},
		{"undefined prints literally", plain, "$x ${x} $a.b.c", "$x ${x} $a.b.c"},
		{"property chain", plain, "$m.a $m.b", "1 two"},
		{"index", plain, "$l[0] $m['b'] $l[-1]", "1 two 3"},
		{"method call", plain, "$s.substring(0, 5).toUpperCase()", "HELLO"},
		{"integers stay integers", plain, "$n $d", "3 2.5"},
		{"integer division", plain, "#set($x = 7 / 2)$x", "3"},
		{"decimal division", plain, "#set($x = 7.0 / 2)$x", "3.5"},
		{"modulo", plain, "#set($x = -7 % 3)$x", "-1"},
		{"java map toString", plain, "$m", "{a=1, b=two, c=[1, 2]}"},
		{"java list toString", plain, "$ls", "[a, b, c]"},
		{"map literal keeps order", plain, "#set($x = {'z': 1, 'a': 2})$x", "{z=1, a=2}"},
		{"range", plain, "#foreach($i in [1..3])$i#end", "123"},
		{"reverse range", plain, "#foreach($i in [3..1])$i#end", "321"},
		{"if elseif else", plain, "#if($n == 1)a#elseif($n == 3)b#else c#end", "b"},
		{"word operators", plain, "#if($n gt 2 and $n lt 4 and not $f)ok#end", "ok"},
		{"foreach scope", plain, "#foreach($i in $ls)$foreach.index$foreach.count$velocityCount$foreach.hasNext #end", "011true 122true 233false "},
		{"foreach first last", plain, "#foreach($i in $ls)#if($foreach.first)F#end#if($foreach.last)L#end$i#end", "FabLc"},
		{"break", plain, "#foreach($i in [1..9])#if($i > 2)#break#end$i#end", "12"},
		{"stop", plain, "a#stop b", "a"},
		{"macro", plain, "#macro(hi $who)Hi $who#end#hi('you')", "Hi you"},
		{"macro comma args", plain, "#macro(p $a, $b)$a$b#end#p(1, 2)", "12"},
		{"define", plain, "#define($b)[$s]#end$b", "[Hello World]"},
		{"brace directives", plain, "#{if}(true)y#{else}n#{end}", "y"},
		{"line comment", plain, "a## c\nb", "ab"},
		{"block comment", plain, "a#* c *#b", "ab"},
		{"unparsed", plain, "#[[$s #if]]#", "$s #if"},
		{"escaped ref defined", plain, "\\$s", "$s"},
		{"escaped ref undefined", plain, "\\$x", "\\$x"},
		{"escaped directive", plain, "\\#if", "#if"},
		{"interpolated string", plain, "#set($x = \"<$s>\")$x", "<Hello World>"},
		{"literal string", plain, "#set($x = '<$s>')$x", "<$s>"},
		{"string concat", plain, "#set($x = $s + '!' + $n)$x", "Hello World!3"},
		{"set null keeps value", plain, "#set($x = 1)#set($x = $nope)$x", "1"},
		{"set map property", plain, "#set($m.z = 5)$m.z", "5"},
		{"set gobbles line", plain, "a\n#set($x = 1)\nb", "a\nb"},
		{"if gobbles newline", plain, "#if(true)\nyes\n#end\nafter", "yes\nafter"},
		{"indented set gobbles", plain, "x\n#if(true)\n    #set($y = 1)\n#end\nz", "x\nz"},
		{"map methods", plain, "$m.size() $m.containsKey('a') $m.keySet() $m.values()", "3 true [a, b, c] [1, two, [1, 2]]"},
		{"list methods", plain, "#set($x = [])#set($d = $x.add('a'))$x.size() $x.contains('a') $x.indexOf('a') $x.isEmpty()", "1 true 0 false"},
		{"string methods", plain, "$s.length() $s.indexOf('o') $s.replace('l', 'L') $s.contains('World') $s.endsWith('d')", "11 4 HeLLo WorLd true true"},
		{"java regex", plain, "$s.replaceAll('(\\w+) (\\w+)', '$2, $1') $s.matches('H.*d')", "World, Hello true"},
		{"split", plain, "#set($c = 'a,b,,c,,')#foreach($p in $c.split(','))[$p]#end", "[a][b][][c]"},
		{"null literal extension", plain, "#set($x = 1)#if($x != null)set#end", "set"},

		{"aws undefined is empty", aws, "[$x][${x}][$a.b.c][$s.nope()]", "[][][][]"},
		{"aws undefined is truthy", aws, "#if($x)T#else F#end#if(!$x)T#else F#end", "T F"},
		{"aws macro disabled", aws, "#macro(m)body#end[#m()]", "[#m()]"},
		{"aws evaluate literal", aws, "#evaluate('$s')", "#evaluate('$s')"},
		{"aws set undefined", aws, "#set($y = $x)[$y]", "[]"},
		{"aws values", aws, "$n $d $m", "3 2.5 {a=1, b=two, c=[1, 2]}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := render(t, tc.opts, tc.tmpl)
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		opts      Options
		tmpl      string
		line, col int
	}{
		{"unclosed if", Options{}, "a\n#if(true)x", 2, 1},
		{"stray end", Options{}, "x #end", 1, 3},
		{"bad expression", Options{}, "#set($a = 1 +)", 1, 14},
		{"unterminated string", Options{}, "\n\n#set($a = 'x)", 3, 11},
		{"include", Options{}, "ok\n#include('x')", 2, 1},
		{"parse", Options{APIGateway: true}, "#parse('x')", 1, 1},
		{"bare dollar at end", Options{APIGateway: true}, "abc $", 1, 5},
		{"method exception", Options{}, "\n  $s.substring(99)", 2, 5},
		{"unterminated comment", Options{}, "#* x", 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := render(t, tc.opts, tc.tmpl)
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want *Error", err)
			}
			if e.Line != tc.line || e.Column != tc.col {
				t.Errorf("position %d:%d, want %d:%d (%v)", e.Line, e.Column, tc.line, tc.col, err)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	small := Options{MaxLoopIterations: 100, MaxTotalIterations: 1000, MaxRangeSize: 1000, MaxCallDepth: 10, MaxOutputSize: 1 << 16}
	tests := []struct {
		name string
		tmpl string
	}{
		{"huge range", "#foreach($i in [1..2000000000])x#end"},
		{"huge range literal", "#set($r = [-2147483648..2147483647])"},
		{"long loop", "#set($l = [1..999])#foreach($i in $l)#end"},
		{"nested loops", "#set($l = [1..99])#foreach($i in $l)#foreach($j in $l)#end#end"},
		{"deep recursion", "#macro(r)#r()#end#r()"},
		{"define recursion", "#define($b)$b#end$b"},
		{"output bomb", "#set($s = 'xxxxxxxxxxxxxxxx')#foreach($i in [1..30])#set($s = \"$s$s\")#end$s"},
		{"concat bomb", "#set($s = 'xxxxxxxxxxxxxxxx')#foreach($i in [1..30])#set($s = $s + $s)#end"},
		{"replace bomb", "#set($s = 'xxxxxxxxxxxxxxxx')#foreach($i in [1..30])#set($s = $s.replace('x', 'xx'))#end"},
		{"growing list", "#set($l = [1])#foreach($i in [1..50])#set($d = $l.addAll($l))#end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := New(small).Parse(tc.name, tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = tm.Render(context.Background(), nil)
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("got %v, want ErrLimit", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestCancellation(t *testing.T) {
	tm, err := New(Options{MaxLoopIterations: 1 << 30, MaxTotalIterations: 1 << 30}).Parse("c", "#foreach($i in [1..99999])#foreach($j in [1..99999])#end#end")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = tm.Render(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
}

// TestConcurrent executes one compiled template from many goroutines; run
// with -race to check that templates are immutable.
func TestConcurrent(t *testing.T) {
	tm, err := New(Options{}).Parse("c", "#set($x = [])#foreach($i in $l)#set($d = $x.add($i))#end$x #set($m.k = 1)$s.toUpperCase()")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				out, err := tm.Render(context.Background(), testVars())
				if err != nil || out != "[1, 2, 3]HELLO WORLD" {
					t.Errorf("got %q, %v", out, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestGolden renders testdata/golden/*.vtl in plain mode (and *.aws.vtl in
// API Gateway mode) and compares with the .golden files (-update rewrites
// them).
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.vtl")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden templates: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".vtl")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{APIGateway: strings.HasSuffix(name, ".aws")}
			out, err := render(t, opts, string(src))
			if err != nil {
				out = "ERROR: " + err.Error() + "\n"
			}
			golden := strings.TrimSuffix(f, ".vtl") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s\ngot:\n%s\nwant:\n%s", golden, out, want)
			}
		})
	}
}

func TestJavaDouble(t *testing.T) {
	point1, point2 := 0.1, 0.2
	for f, want := range map[float64]string{
		3: "3.0", 2.5: "2.5", point1 + point2: "0.30000000000000004", 1e7: "1.0E7", 1e-4: "1.0E-4",
		0.001: "0.001", 1234567.5: "1234567.5", 1.5e300: "1.5E300", -2e-10: "-2.0E-10",
	} {
		if got := javaDouble(f); got != want {
			t.Errorf("javaDouble(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestJavaRegexTranslation(t *testing.T) {
	ok := map[string]string{
		`\d+`: `\d+`, `a*+`: `a*`, `\p{Alpha}`: `[a-zA-Z]`, `(?<year>\d{4})`: `(?P<year>\d{4})`,
		`\Qa.b\E`: `a\.b`, `[]a]`: `[\]a]`,
	}
	for in, want := range ok {
		got, err := translateJavaRegex(in)
		if err != nil || got != want {
			t.Errorf("translate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`(?=a)`, `(?<!a)b`, `(a)\1`, `(?>a)`, `[a-z&&[^e]]`} {
		if _, err := translateJavaRegex(bad); err == nil {
			t.Errorf("translate(%q): want error", bad)
		}
	}
}

// FuzzParse checks that parsing and rendering never panic or hang.
func FuzzParse(f *testing.F) {
	seeds := []string{
		"", "$x", "${x.y(1, 'a', [1..3], {'k': $v})}", "#if($a && !$b)x#elseif($c)y#else z#end",
		"#foreach($i in [1..3])$i#end", "#set($a = \"$b #if(true)x#end\")", "#macro(m $a)$a#end#m(1)",
		"#define($d)x#end$d", "\\$x \\#if #[[x]]# ## c\n#* c *#", "$a[0]['k'].m()", "#{if}(1 < 2)#{end}",
		"#set($a = 1 + 2 * (3 - 4) / 5 % 6)", "#evaluate('$x')", "$!{a}", "#break#stop",
	}
	for _, s := range seeds {
		f.Add(s, false)
	}
	opts := Options{MaxLoopIterations: 100, MaxTotalIterations: 1000, MaxRangeSize: 1000, MaxCallDepth: 5, MaxOutputSize: 1 << 16}
	f.Fuzz(func(t *testing.T, src string, aws bool) {
		o := opts
		o.APIGateway = aws
		tm, err := New(o).Parse("fuzz", src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("parse error of type %T: %v", err, err)
			}
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, _ = tm.Render(ctx, testVars())
	})
}

// TestRecycledStates renders templates of different shapes in turn, so
// that each rendering gets a state another left: outputs stay their own,
// and a #define block kept past its rendering still renders (such
// templates keep their state).
func TestRecycledStates(t *testing.T) {
	eng := New(Options{})
	parse := func(src string) *Template {
		t.Helper()
		tm, err := eng.Parse("t", src)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	long := parse(`#foreach($i in [1..50])$s #end#set($a = 1)#set($b = 2)#set($c = 3)$a$b$c`)
	short := parse(`$x`)
	failing, err := New(Options{MaxOutputSize: 8}).Parse("f", `#foreach($i in [1..10])$s#end`)
	if err != nil {
		t.Fatal(err)
	}
	keep := parse(`#define($blk)kept $s#end#set($m.blk = $blk)done`)
	// The same through #evaluate, whose source says nothing of #define.
	evaluated := parse(`#evaluate($src)done`)
	held := NewMap()
	for i := 0; i < 3; i++ {
		out, err := long.Render(context.Background(), map[string]Value{"s": "ab"})
		if want := strings.Repeat("ab ", 50) + "123"; err != nil || out != want {
			t.Fatalf("long: %q, %v", out, err)
		}
		if out, err := short.Render(context.Background(), nil); err != nil || out != "$x" {
			t.Fatalf("short after long: %q, %v (a slot or output left over)", out, err)
		}
		if _, err := failing.Render(context.Background(), map[string]Value{"s": "zz"}); err == nil {
			t.Fatal("the output limit did not fail the rendering")
		}
		if out, err := short.Render(context.Background(), map[string]Value{"x": "y"}); err != nil || out != "y" {
			t.Fatalf("short after a failure: %q, %v", out, err)
		}
		if out, err := keep.Render(context.Background(), map[string]Value{"s": "S", "m": held}); err != nil || out != "done" {
			t.Fatalf("keep: %q, %v", out, err)
		}
		src := "#" + "def" + "ine($blk2)kept too $s#end#set($m.blk2 = $blk2)"
		if out, err := evaluated.Render(context.Background(), map[string]Value{"s": "E", "m": held, "src": src}); err != nil || out != "done" {
			t.Fatalf("evaluated: %q, %v", out, err)
		}
	}
	long.Render(context.Background(), map[string]Value{"s": "overwritten?"})
	blk, _ := held.Get("blk")
	if got := ToString(blk); got != "kept S" {
		t.Fatalf("a kept #define block renders %q, want %q", got, "kept S")
	}
	blk2, _ := held.Get("blk2")
	if got := ToString(blk2); got != "kept too E" {
		t.Fatalf("a kept #define block made by #evaluate renders %q, want %q", got, "kept too E")
	}
}

func TestNewMapOf(t *testing.T) {
	for _, n := range []int{0, 3, smallMap + 5} {
		kv := make([]Value, 2*n)
		for i := range n {
			kv[i], kv[n+i] = "k"+strings.Repeat("x", i), int64(i)
		}
		m := NewMapOf(kv[:n], kv[n:])
		for i := range n {
			if v, ok := m.Get("k" + strings.Repeat("x", i)); !ok || v != int64(i) || m.Keys()[i] != kv[i] {
				t.Fatalf("n=%d: key %d: %v %v", n, i, v, ok)
			}
		}
		// A new key is appended without touching the values' half.
		m.Put("new", "v")
		if v, _ := m.Get("new"); v != "v" || m.Len() != n+1 || (n > 0 && kv[n] != int64(0)) {
			t.Fatalf("n=%d: after Put: len %d, kv %v", n, m.Len(), kv)
		}
	}
}
