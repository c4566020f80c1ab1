// Package mapping renders Amazon API Gateway mapping templates: the
// Velocity (VTL) templates that transform request and response payloads of
// REST API integrations.
//
// It layers API Gateway's variables on top of the vtl engine (which it runs
// in API Gateway mode): $input (body, json, path, params), $util
// (escapeJavaScript, parseJson, urlEncode, urlDecode, base64Encode,
// base64Decode), $stageVariables and $context, including the writable
// $context.requestOverride and $context.responseOverride whose values the
// caller reads back after rendering:
//
//	t, err := mapping.Compile("integration-request", src)
//	out, ov, err := mapping.Render(ctx, t, &mapping.Input{Body: body, ...})
//	if ov.Status != 0 { ... }
package mapping

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gantryproject/gantry/internal/vtl"
)

// Input is the request (or integration response) data a template sees.
type Input struct {
	// Body is the raw payload ($input.body). $input.json and $input.path
	// parse it as JSON, once, on first use.
	Body []byte
	// PathParams, QueryParams and Headers are the method request
	// parameters. Header lookups through $input.params(name) ignore case,
	// as HTTP header names do.
	PathParams  map[string]string
	QueryParams map[string]string
	Headers     map[string]string
	// StageVariables are exposed as $stageVariables.
	StageVariables map[string]string
	// Context holds the $context variables as nested maps, for example
	// {"requestId": "...", "identity": {"sourceIp": "..."}}. Values are
	// converted with vtl.FromGo. requestOverride and responseOverride are
	// added by Render.
	Context map[string]any
	// ContextFunc, when not nil, builds $context instead of Context (whose
	// keys FromGo would sort: a ContextFunc keeps whatever order it
	// builds). Render calls it only for a template that references
	// $context. names, when not nil, are the only top-level keys the
	// template can observe (it reads $context.name... and nothing else),
	// and the map may hold just those; nil asks for them all. Render may
	// then set the map's requestOverride and responseOverride, so it must
	// be a new map on every call. A map that already holds those two keys
	// (with any value) keeps their positions, which lets a vtl.MapLayout
	// put them last, where Render would append them, without copying the
	// layout.
	ContextFunc func(names []string) *vtl.Map
}

// Overrides are the values a template assigned to
// $context.requestOverride.* and $context.responseOverride.*.
type Overrides struct {
	// Status is $context.responseOverride.status, or 0 when not set.
	Status int
	// ResponseHeaders are $context.responseOverride.header.<name>. These
	// maps are nil when the template set nothing in them.
	ResponseHeaders map[string]string
	// RequestHeaders, RequestQuery and RequestPath are
	// $context.requestOverride.header/querystring/path.<name>.
	RequestHeaders map[string]string
	RequestQuery   map[string]string
	RequestPath    map[string]string
}

// ErrOverride is wrapped by the error returned when a template assigns the
// same override twice. API Gateway documents that overrides are final and
// answers such a template with a 5XX response.
var ErrOverride = errors.New("mapping: parameter overridden more than once")

// Template is a compiled mapping template, safe for concurrent use.
type Template struct {
	t *vtl.Template
	// What Render asks of t on every rendering, asked once: whether t
	// references each of the four variables, and which $context
	// properties it reads (ctxPartial: only those).
	context, input, util, stageVariables bool
	ctxNames                             []string
	ctxPartial                           bool
}

// Limits are the safety limits applied to templates (see vtl.Options; zero
// fields take the vtl defaults).
type Limits struct {
	MaxLoopIterations  int
	MaxTotalIterations int
	MaxRangeSize       int
	MaxCallDepth       int
	MaxOutputSize      int
}

// Compile parses a mapping template in API Gateway mode with default limits.
func Compile(name, src string) (*Template, error) {
	return CompileWithLimits(name, src, Limits{})
}

// CompileWithLimits is Compile with explicit safety limits.
func CompileWithLimits(name, src string, l Limits) (*Template, error) {
	eng := vtl.New(vtl.Options{
		APIGateway:         true,
		MaxLoopIterations:  l.MaxLoopIterations,
		MaxTotalIterations: l.MaxTotalIterations,
		MaxRangeSize:       l.MaxRangeSize,
		MaxCallDepth:       l.MaxCallDepth,
		MaxOutputSize:      l.MaxOutputSize,
	})
	t, err := eng.Parse(name, src)
	if err != nil {
		return nil, err
	}
	mt := &Template{t: t, context: t.References("context"), input: t.References("input"),
		util: t.References("util"), stageVariables: t.References("stageVariables")}
	mt.ctxNames, mt.ctxPartial = t.Properties("context")
	return mt, nil
}

// Static reports whether t is plain text, with no reference or directive,
// and returns that text: Render's output whatever the input, with no
// overrides.
func (t *Template) Static() (string, bool) { return t.t.Static() }

// References reports whether t references the variable name ("input",
// "context", "stageVariables" or "util"). Render builds only the variables
// a template references; callers may likewise skip preparing the Input
// fields behind a variable the template does not reference.
func (t *Template) References(name string) bool {
	switch name {
	case "context":
		return t.context
	case "input":
		return t.input
	case "util":
		return t.util
	case "stageVariables":
		return t.stageVariables
	}
	return t.t.References(name)
}

// variables are a rendering's variables: those the template references,
// nil otherwise.
type variables struct {
	context, input, util, stageVariables vtl.Value
}

// Var implements vtl.Vars.
func (v *variables) Var(name string) (vtl.Value, bool) {
	var x vtl.Value
	switch name {
	case "context":
		x = v.context
	case "input":
		x = v.input
	case "util":
		x = v.util
	case "stageVariables":
		x = v.stageVariables
	}
	return x, x != nil
}

// noOverrides is the Overrides of a template that set none, shared.
var noOverrides = &Overrides{}

// Render executes t against in. It returns the output and the overrides the
// template set, which callers must not modify (an empty one is shared).
// Errors (template runtime errors, an unparsable JSON body used through
// $input.json/$input.path, exceeded limits, a cancelled ctx) correspond to
// API Gateway's 5XX answer for a failing mapping template.
func Render(ctx context.Context, t *Template, in *Input) (string, *Overrides, error) {
	if out, ok := t.t.Static(); ok {
		return out, noOverrides, nil
	}
	if in == nil {
		in = &Input{}
	}
	// Only the variables the template references: the others cannot
	// change its output.
	vars := &variables{}
	var reqOv, respOv *overrideMap
	if t.context {
		// A template that only reads $context.name... sees only those
		// keys: the others need not be built, nor the overrides unless
		// named.
		names, partial := t.ctxNames, t.ctxPartial
		if !partial {
			names = nil
		}
		var ctxMap *vtl.Map
		if in.ContextFunc != nil {
			ctxMap = in.ContextFunc(names)
		} else {
			ctxMap, _ = vtl.FromGo(in.Context).(*vtl.Map)
		}
		if ctxMap == nil {
			ctxMap = vtl.NewMap()
		}
		if !partial || slices.Contains(names, "requestOverride") || slices.Contains(names, "responseOverride") {
			set := newOverrideSet()
			reqOv, respOv = &set.req, &set.resp
			ctxMap.Put("requestOverride", reqOv)
			ctxMap.Put("responseOverride", respOv)
		}
		vars.context = ctxMap
	}
	if t.input {
		vars.input = newInputObject(in)
	}
	if t.util {
		vars.util = utilObject{}
	}
	if t.stageVariables {
		if in.StageVariables == nil {
			vars.stageVariables = vtl.NewMap()
		} else {
			vars.stageVariables = vtl.FromGo(in.StageVariables)
		}
	}
	out, err := t.t.RenderVars(ctx, vars)
	if err != nil {
		return "", nil, err
	}
	if reqOv == nil {
		return out, noOverrides, nil
	}
	ov := &Overrides{}
	ov.ResponseHeaders = respOv.subMap("header").strings()
	ov.RequestHeaders = reqOv.subMap("header").strings()
	ov.RequestQuery = reqOv.subMap("querystring").strings()
	ov.RequestPath = reqOv.subMap("path").strings()
	if st, ok := respOv.get("status"); ok {
		switch x := st.(type) {
		case int64:
			ov.Status = int(x)
		case float64:
			ov.Status = int(x)
		default:
			n, err := strconv.Atoi(strings.TrimSpace(vtl.ToString(x)))
			if err != nil {
				return "", nil, fmt.Errorf("mapping: invalid $context.responseOverride.status %q", vtl.ToString(x))
			}
			ov.Status = n
		}
	}
	return out, ov, nil
}

// overrideMap is $context.requestOverride / responseOverride and their
// header/querystring/path maps. Assigning a key twice is an error
// (overrides are final in API Gateway).
type overrideMap struct {
	name string
	keys []string
	vals map[string]vtl.Value
	// sub are the nested maps, in the order String prints them.
	sub []subOverride
}

// subOverride is a nested override map and its name.
type subOverride struct {
	name string
	m    *overrideMap
}

// subMap returns the nested map called name, or nil.
func (o *overrideMap) subMap(name string) *overrideMap {
	for _, s := range o.sub {
		if s.name == name {
			return s.m
		}
	}
	return nil
}

// overrideSet is $context.requestOverride and $context.responseOverride
// with their nested maps, in one allocation.
type overrideSet struct {
	req, resp                                overrideMap
	reqHeader, reqQuery, reqPath, respHeader overrideMap
	reqSub                                   [3]subOverride
	respSub                                  [1]subOverride
}

func newOverrideSet() *overrideSet {
	s := &overrideSet{}
	s.reqHeader.name = "requestOverride.header"
	s.reqQuery.name = "requestOverride.querystring"
	s.reqPath.name = "requestOverride.path"
	s.respHeader.name = "responseOverride.header"
	s.reqSub = [3]subOverride{{"header", &s.reqHeader}, {"querystring", &s.reqQuery}, {"path", &s.reqPath}}
	s.respSub = [1]subOverride{{"header", &s.respHeader}}
	s.req = overrideMap{name: "requestOverride", sub: s.reqSub[:]}
	s.resp = overrideMap{name: "responseOverride", sub: s.respSub[:]}
	return s
}

func (o *overrideMap) get(k string) (vtl.Value, bool) {
	v, ok := o.vals[k]
	return v, ok
}

// strings returns the assigned values as strings; nil when none.
func (o *overrideMap) strings() map[string]string {
	if len(o.keys) == 0 {
		return nil
	}
	m := make(map[string]string, len(o.keys))
	for _, k := range o.keys {
		m[k] = vtl.ToString(o.vals[k])
	}
	return m
}

// Property implements vtl.Object.
func (o *overrideMap) Property(name string) (vtl.Value, bool) {
	if s := o.subMap(name); s != nil {
		return s, true
	}
	v, ok := o.vals[name]
	return v, ok
}

// SetProperty implements vtl.Setter.
func (o *overrideMap) SetProperty(name string, v vtl.Value) error {
	if o.subMap(name) != nil {
		return fmt.Errorf("$context.%s.%s cannot be replaced", o.name, name)
	}
	if _, dup := o.vals[name]; dup {
		return fmt.Errorf("$context.%s.%s: %w", o.name, name, ErrOverride)
	}
	if o.vals == nil {
		o.vals = map[string]vtl.Value{}
	}
	o.keys = append(o.keys, name)
	o.vals[name] = v
	return nil
}

// Method implements vtl.Object (the java.util.Map methods templates use).
func (o *overrideMap) Method(name string, args []vtl.Value) (vtl.Value, bool, error) {
	switch {
	case name == "get" && len(args) == 1:
		v, _ := o.Property(vtl.ToString(args[0]))
		return v, true, nil
	case name == "put" && len(args) == 2:
		old, _ := o.vals[vtl.ToString(args[0])]
		return old, true, o.SetProperty(vtl.ToString(args[0]), args[1])
	case name == "containsKey" && len(args) == 1:
		_, ok := o.Property(vtl.ToString(args[0]))
		return ok, true, nil
	case name == "size" && len(args) == 0:
		return int64(len(o.keys) + len(o.sub)), true, nil
	case name == "isEmpty" && len(args) == 0:
		return len(o.keys)+len(o.sub) == 0, true, nil
	case name == "keySet" && len(args) == 0:
		l := vtl.NewList()
		for _, k := range o.keys {
			l.Items = append(l.Items, k)
		}
		return l, true, nil
	}
	return nil, false, nil
}

// String implements vtl.Object with Java's map formatting.
func (o *overrideMap) String() string {
	m := vtl.NewMap()
	for _, s := range o.sub {
		m.Put(s.name, s.m)
	}
	for _, k := range o.keys {
		m.Put(k, o.vals[k])
	}
	return vtl.ToString(m)
}
