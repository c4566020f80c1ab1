// Package vtl is a Velocity Template Language (VTL) engine that reproduces
// Apache Velocity 1.7, the dialect Amazon API Gateway uses for mapping
// templates.
//
// A template is compiled once with Engine.Parse into an immutable *Template
// that can be executed concurrently by many goroutines:
//
//	eng := vtl.New(vtl.Options{APIGateway: true})
//	tmpl, err := eng.Parse("request", src)
//	out, err := tmpl.Render(ctx, map[string]vtl.Value{"name": "pets"})
//
// The whole VTL 1.7 language is supported: references ($x, ${x}, $!x,
// property chains, indexes, method calls), #set, #if/#elseif/#else,
// #foreach (with $foreach and $velocityCount), #break, #stop, #macro,
// #define, #evaluate, comments, #[[unparsed]]# blocks and escapes, together
// with the Java String, Map and List methods templates commonly use.
//
// Values follow Java semantics (see Value): integers stay apart from
// decimals, integer division truncates, maps keep insertion order and print
// as {k=v}.
//
// Two modes exist. Plain Velocity mode (the zero Options) behaves like
// Velocity 1.7 with its default configuration and is checked against the real
// Velocity by a differential test suite. API Gateway mode (Options.APIGateway)
// layers AWS's observed differences on top; see Options.
package vtl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Options configures an Engine. The zero value selects plain Velocity 1.7
// behaviour with the default safety limits.
type Options struct {
	// APIGateway selects the dialect of Amazon API Gateway mapping templates:
	//   - an undefined or null reference evaluates to the empty string, so
	//     $x and $a.b.c print "" and #if($undefined) is true while
	//     !$undefined is false (AWS's observed behaviour; Velocity would print
	//     the reference literally and treat it as false);
	//   - inline #macro is disabled: a definition prints nothing and a call
	//     prints its source text;
	//   - #evaluate is not a directive and prints literally;
	//   - a template ending in a bare "$" fails to compile.
	// #include and #parse fail with an error in both modes.
	APIGateway bool

	// MaxLoopIterations bounds the iterations of a single #foreach
	// (default 10,000).
	MaxLoopIterations int
	// MaxTotalIterations bounds the #foreach iterations of one execution,
	// nested loops included (default 1,000,000).
	MaxTotalIterations int
	// MaxRangeSize bounds the number of elements of a range [n..m]
	// (default 100,000).
	MaxRangeSize int
	// MaxCallDepth bounds the nesting of macro calls and #define/#evaluate
	// rendering (default 20, Velocity's velocimacro.max.depth).
	MaxCallDepth int
	// MaxOutputSize bounds, in bytes, the output and every string built
	// while rendering (default 10 MiB, API Gateway's payload limit).
	MaxOutputSize int
}

const (
	defaultMaxLoopIterations  = 10000
	defaultMaxTotalIterations = 1000000
	defaultMaxRangeSize       = 100000
	defaultMaxCallDepth       = 20
	defaultMaxOutputSize      = 10 << 20
)

func (o Options) withDefaults() Options {
	if o.MaxLoopIterations <= 0 {
		o.MaxLoopIterations = defaultMaxLoopIterations
	}
	if o.MaxTotalIterations <= 0 {
		o.MaxTotalIterations = defaultMaxTotalIterations
	}
	if o.MaxRangeSize <= 0 {
		o.MaxRangeSize = defaultMaxRangeSize
	}
	if o.MaxCallDepth <= 0 {
		o.MaxCallDepth = defaultMaxCallDepth
	}
	if o.MaxOutputSize <= 0 {
		o.MaxOutputSize = defaultMaxOutputSize
	}
	return o
}

// Engine compiles templates with a fixed set of Options. It is immutable and
// safe for concurrent use.
type Engine struct {
	opts Options
}

// New returns an Engine using opts (zero fields take their defaults).
func New(opts Options) *Engine {
	return &Engine{opts: opts.withDefaults()}
}

// Options returns the engine's options with defaults filled in.
func (e *Engine) Options() Options { return e.opts }

// Error is a template error (syntax or runtime) with its position.
type Error struct {
	// Template is the name given to Parse.
	Template string
	// Line and Column are 1-based; Column counts characters.
	Line, Column int
	// Msg describes the problem.
	Msg string
	// Err is the underlying cause, if any (for example ErrLimit).
	Err error
}

func (e *Error) Error() string {
	name := e.Template
	if name == "" {
		name = "template"
	}
	return fmt.Sprintf("%s:%d:%d: %s", name, e.Line, e.Column, e.Msg)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrLimit is wrapped by the errors returned when a safety limit of Options
// is exceeded.
var ErrLimit = errors.New("vtl: limit exceeded")

// Template is a compiled template. It is immutable and safe for concurrent
// use by multiple goroutines.
type Template struct {
	name   string
	src    string
	root   []node
	syms   *symtab
	macros map[string]*macroDef
	opts   Options
	// static is the output of a template made only of text (no
	// reference or directive): isStatic says so.
	static   string
	isStatic bool
	// reuse says whether a rendering's state may be recycled: nothing
	// made during the rendering keeps it (only #define's blocks do).
	reuse bool
}

// Name returns the name given to Parse.
func (t *Template) Name() string { return t.name }

// Static reports whether the template is plain text, with no reference or
// directive to execute, and returns that text: what Render returns whatever
// the variables. Callers may then skip preparing variables and rendering.
func (t *Template) Static() (string, bool) { return t.static, t.isStatic }

// References reports whether rendering the template can read or assign the
// variable name ($name, ${name}, #set($name = ...), #foreach($name in ...)).
// A variable the template does not reference cannot affect its output, so a
// caller may leave it out of Render's variables. A template holding an
// #evaluate (plain Velocity mode only) may reference any variable.
func (t *Template) References(name string) bool {
	if t.syms.dynamic {
		return true
	}
	_, ok := t.syms.index[name]
	return ok
}

// Properties reports how the template uses the variable name. When it only
// reads or assigns first-level properties of it ($name.a, $name.a.b(),
// #set($name.a = ...)), props lists those property names, each once, and
// ok is true: a map holding only those keys renders the same as any larger
// one. ok is false when the template uses the variable itself (prints,
// passes, assigns, iterates or indexes it, or calls a method on it), or
// may reach any variable (#evaluate). A variable the template does not
// reference gives no props and ok true.
func (t *Template) Properties(name string) (props []string, ok bool) {
	if t.syms.dynamic {
		return nil, false
	}
	slot, found := t.syms.index[name]
	if !found {
		return nil, true
	}
	if t.syms.whole[slot] {
		return nil, false
	}
	return t.syms.props[slot], true
}

// Parse compiles src. name is used in error messages.
func (e *Engine) Parse(name, src string) (*Template, error) {
	p := &parser{
		src: src, apigw: e.opts.APIGateway, syms: newSymtab(),
		macros: map[string]*macroDef{}, macroNames: map[string]bool{},
		name: name, root: src,
	}
	if e.opts.APIGateway && len(src) > 0 && src[len(src)-1] == '$' {
		// AWS rejects a template whose last character is a bare '$'.
		return nil, p.errorf(len(src)-1, "template ends with a bare '$'")
	}
	nodes, term, _, err := p.parseBlock(false)
	if err != nil {
		return nil, err
	}
	if term != termEOF {
		return nil, p.errorf(p.pos, "unexpected block terminator")
	}
	t := &Template{name: name, src: src, root: nodes, syms: p.syms, macros: p.macros, opts: e.opts}
	t.static, t.isStatic = staticText(nodes, e.opts.MaxOutputSize)
	// Conservative: "define" anywhere (a directive, in a string that
	// interpolates, or just text), or an #evaluate (whose text may hold
	// one), keeps states out of the pool.
	t.reuse = !strings.Contains(src, "define") && !p.syms.dynamic
	return t, nil
}

// staticText returns the output of nodes when they are all text within the
// output limit (a longer text fails at render time, as it must).
func staticText(nodes []node, limit int) (string, bool) {
	if len(nodes) == 1 {
		// The usual case: no copy.
		if tn, ok := nodes[0].(*textNode); ok && len(tn.text) <= limit {
			return tn.text, true
		}
	}
	var b strings.Builder
	for _, n := range nodes {
		tn, ok := n.(*textNode)
		if !ok {
			return "", false
		}
		b.WriteString(tn.text)
	}
	if b.Len() > limit {
		return "", false
	}
	return b.String(), true
}

// Render executes the template with the given variables and returns the
// output. Variables are converted with FromGo; *Map and *List values are
// shared, so changes a template makes to them (for example
// #set($context.responseOverride.status = 400)) are visible to the caller
// afterwards.
func (t *Template) Render(ctx context.Context, vars map[string]Value) (string, error) {
	return t.RenderVars(ctx, mapVars(vars))
}

// Vars supplies the variables of a rendering by name; Var reports false
// for a name it does not define. Values are converted with FromGo, as
// Render's are.
type Vars interface {
	Var(name string) (Value, bool)
}

// mapVars are the variables of a map.
type mapVars map[string]Value

func (m mapVars) Var(name string) (Value, bool) {
	v, ok := m[name]
	return v, ok
}

// RenderVars is Render with the variables given by vars (nil for none),
// which a caller can supply without building a map.
func (t *Template) RenderVars(ctx context.Context, vars Vars) (string, error) {
	s := t.newState(ctx, vars)
	err := s.run()
	out := string(s.out)
	t.release(s)
	return out, err
}

// Execute is like Render but writes the output to w.
func (t *Template) Execute(ctx context.Context, w io.Writer, vars map[string]Value) error {
	s := t.newState(ctx, mapVars(vars))
	defer t.release(s)
	if err := s.run(); err != nil {
		return err
	}
	_, err := w.Write(s.out)
	return err
}
