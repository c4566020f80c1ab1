package vtl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
)

// Control-flow signals (Velocity's StopCommand).
var (
	errBreak = errors.New("vtl: #break")
	errStop  = errors.New("vtl: #stop")
)

// frame is the local context of a macro call. Velocity 1.7 passes macro
// arguments by name: a reference argument is re-evaluated in the caller's
// context at every use, other arguments are evaluated once.
type frame struct {
	local map[int]Value
	proxy map[int]expr
}

type foreachScope struct {
	index   int
	hasNext bool
	parent  Value
}

// block is the value #define stores: rendering it renders its body.
type block struct {
	body []node
	s    *state
}

func (b *block) String() string {
	s := b.s
	if s.depth >= s.opts.MaxCallDepth {
		return ""
	}
	saved := s.out
	s.out = nil
	s.depth++
	err := s.renderNodes(b.body)
	s.depth--
	out := string(s.out)
	s.out = saved
	if err != nil && s.deferred == nil {
		s.deferred = err
	}
	return out
}

type state struct {
	ctx      context.Context
	t        *Template
	opts     Options
	names    []string
	vars     []Value
	host     Vars
	frames   []*frame
	macros   map[string]*macroDef
	out      []byte
	depth    int
	total    int
	ticks    int
	deferred error
}

func (t *Template) newState(ctx context.Context, vars Vars) *state {
	if ctx == nil {
		ctx = context.Background()
	}
	var s *state
	if t.reuse {
		s = states.Get().(*state) // cleared by release, but for its buffers
	} else {
		s = new(state)
	}
	vals, out := s.vars, s.out
	*s = state{ctx: ctx, t: t, opts: t.opts, names: t.syms.names, host: vars, macros: t.macros, out: out[:0]}
	if n := len(t.syms.names); cap(vals) >= n {
		s.vars = vals[:n]
	} else {
		s.vars = make([]Value, n)
	}
	if vars != nil {
		for i, n := range t.syms.names {
			if v, ok := vars.Var(n); ok {
				s.vars[i] = FromGo(v)
			}
		}
	}
	if want := len(t.src) + len(t.src)/2; cap(s.out) < want {
		s.out = make([]byte, 0, want)
	}
	return s
}

// states recycles rendering states (their variable slots and output
// buffer) for templates whose renderings nothing outlives.
var states = sync.Pool{New: func() any { return new(state) }}

// maxPooledOutput bounds the output buffer a recycled state keeps.
const maxPooledOutput = 64 << 10

// release recycles s, whose rendering is over and whose output has been
// copied, when t allows it.
func (t *Template) release(s *state) {
	if !t.reuse || cap(s.out) > maxPooledOutput {
		return
	}
	clear(s.vars) // drop references to the rendering's values
	vals, out := s.vars[:0], s.out[:0]
	*s = state{vars: vals, out: out}
	states.Put(s)
}

func (s *state) run() error {
	err := s.renderNodes(s.t.root)
	if err == errBreak || err == errStop {
		err = nil
	}
	if err == nil {
		err = s.deferred
	}
	return err
}

func (s *state) errorf(pos int, format string, args ...any) error {
	line, col := lineCol(s.t.src, pos)
	return &Error{Template: s.t.name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (s *state) limitf(pos int, format string, args ...any) error {
	line, col := lineCol(s.t.src, pos)
	return &Error{Template: s.t.name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...), Err: ErrLimit}
}

func (s *state) write(str string) error {
	s.out = append(s.out, str...)
	if len(s.out) > s.opts.MaxOutputSize {
		return &Error{Template: s.t.name, Msg: fmt.Sprintf("output exceeds %d bytes", s.opts.MaxOutputSize), Err: ErrLimit}
	}
	return nil
}

func (s *state) checkCtx() error {
	s.ticks++
	if s.ticks&255 == 0 {
		if err := s.ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// --- variables ---------------------------------------------------------

func (s *state) lookup(slot int) Value {
	if len(s.frames) == 0 {
		return s.vars[slot]
	}
	return s.lookupAt(slot, len(s.frames)-1)
}

func (s *state) lookupAt(slot, fi int) Value {
	for ; fi >= 0; fi-- {
		f := s.frames[fi]
		if v, ok := f.local[slot]; ok {
			return v
		}
		if e, ok := f.proxy[slot]; ok {
			saved := s.frames
			s.frames = saved[:fi]
			v, err := s.eval(e)
			s.frames = saved
			if err != nil && s.deferred == nil {
				s.deferred = err
			}
			return v
		}
	}
	return s.vars[slot]
}

// setVar stores v like Velocity's context.put (a macro's #set also writes
// through to the enclosing contexts, velocimacro.context.localscope=false).
func (s *state) setVar(slot int, v Value) {
	if v == nil {
		s.removeVar(slot)
		return
	}
	for _, f := range s.frames {
		if f.local == nil {
			f.local = map[int]Value{}
		}
		f.local[slot] = v
	}
	s.vars[slot] = v
}

func (s *state) removeVar(slot int) {
	for _, f := range s.frames {
		delete(f.local, slot)
	}
	s.vars[slot] = nil
}

// --- rendering ---------------------------------------------------------

func (s *state) renderNodes(nodes []node) error {
	for _, n := range nodes {
		var err error
		switch n := n.(type) {
		case *textNode:
			err = s.write(n.text)
		case *refNode:
			err = s.renderRef(n)
		case *setNode:
			err = s.execSet(n)
		case *ifNode:
			err = s.execIf(n)
		case *foreachNode:
			err = s.execForeach(n)
		case *macroDef:
			// definitions are collected at parse time
		case *macroCallNode:
			err = s.execMacroCall(n)
		case *defineNode:
			s.setVar(n.slot, &block{body: n.body, s: s})
		case *breakNode:
			return errBreak
		case *stopNode:
			return errStop
		case *evaluateNode:
			err = s.execEvaluate(n)
		case *forbiddenNode:
			return s.errorf(n.pos, "#%s is not supported", n.name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// renderRef prints a reference the way Velocity 1.7's ASTReference.render
// does, including its escape rules: with an odd number of backslashes
// before the '$', \$x prints "$x" when x is defined and "\$x" when it is not.
func (s *state) renderRef(n *refNode) error {
	v, err := s.evalRef(n.ref)
	if err != nil {
		return err
	}
	if n.escaped {
		if v == nil {
			return s.write(n.escPrefix + "\\" + n.ref.literal)
		}
		return s.write(n.escPrefix + n.ref.literal)
	}
	if v == nil {
		if n.ref.quiet {
			return s.write(n.escPrefix + n.escPrefix)
		}
		return s.write(n.escPrefix + n.escPrefix + s.nullLiteral(n.ref))
	}
	if n.escPrefix != "" {
		if err := s.write(n.escPrefix); err != nil {
			return err
		}
	}
	switch x := v.(type) {
	case string:
		return s.write(x)
	case *block:
		if s.depth >= s.opts.MaxCallDepth {
			return s.limitf(n.ref.pos, "maximum call depth %d exceeded", s.opts.MaxCallDepth)
		}
		s.depth++
		err := s.renderNodes(x.body)
		s.depth--
		return err
	}
	str := ToString(v)
	if len(str) > s.opts.MaxOutputSize {
		return s.limitf(n.ref.pos, "value exceeds %d bytes", s.opts.MaxOutputSize)
	}
	return s.write(str)
}

// nullLiteral is the text printed for a null reference: its source text or,
// inside a macro, the source text of the argument a parameter is bound to
// (Velocity's ".literal.$name" lookup).
func (s *state) nullLiteral(r *reference) string {
	if len(r.mods) > 0 || len(s.frames) == 0 {
		return r.literal
	}
	lit := r.literal
	slot := r.slot
	for fi := len(s.frames) - 1; fi >= 0; fi-- {
		f := s.frames[fi]
		if _, ok := f.local[slot]; ok {
			return lit
		}
		if e, ok := f.proxy[slot]; ok {
			a, ok := e.(*reference)
			if !ok {
				return lit
			}
			lit = a.literal
			if len(a.mods) > 0 {
				return lit
			}
			slot = a.slot
		}
	}
	return lit
}

// evalRef evaluates a reference. In API Gateway mode a null result becomes
// the empty string.
func (s *state) evalRef(r *reference) (Value, error) {
	v, err := s.evalRefRaw(r, len(r.mods))
	if v == nil && err == nil && s.opts.APIGateway {
		return "", nil
	}
	return v, err
}

func (s *state) evalRefRaw(r *reference, nmods int) (Value, error) {
	v := s.lookup(r.slot)
	for i := 0; i < nmods; i++ {
		if v == nil {
			return nil, nil
		}
		m := &r.mods[i]
		var err error
		switch m.kind {
		case modProperty:
			v = s.getProperty(v, m.name)
		case modMethod:
			var args []Value
			if len(m.args) > 0 {
				args = make([]Value, len(m.args))
				for j, a := range m.args {
					if args[j], err = s.eval(a); err != nil {
						return nil, err
					}
				}
			}
			v, err = s.callMethod(v, m.name, args, m.pos)
		case modIndex:
			var idx Value
			if idx, err = s.eval(m.args[0]); err != nil {
				return nil, err
			}
			v, err = s.index(v, idx, m.pos)
		}
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *state) execSet(n *setNode) error {
	v, err := s.eval(n.rhs)
	if err != nil {
		return err
	}
	if v == nil {
		// Velocity 1.7 (directive.set.null.allowed=false): a null
		// right-hand side leaves the left-hand side unchanged.
		return nil
	}
	lhs := n.lhs
	if len(lhs.mods) == 0 {
		s.setVar(lhs.slot, v)
		return nil
	}
	target, err := s.evalRefRaw(lhs, len(lhs.mods)-1)
	if err != nil || target == nil {
		return err
	}
	last := &lhs.mods[len(lhs.mods)-1]
	switch last.kind {
	case modProperty:
		switch t := target.(type) {
		case *Map:
			t.Put(last.name, v)
		case Setter:
			if err := t.SetProperty(last.name, v); err != nil {
				line, col := lineCol(s.t.src, n.pos)
				return &Error{Template: s.t.name, Line: line, Column: col, Msg: err.Error(), Err: err}
			}
		}
	case modIndex:
		idx, err := s.eval(last.args[0])
		if err != nil {
			return err
		}
		switch t := target.(type) {
		case *Map:
			t.Put(idx, v)
		case *List:
			i, ok := idx.(int64)
			if !ok {
				return nil
			}
			if i < 0 {
				i += int64(len(t.Items))
			}
			if i < 0 || i >= int64(len(t.Items)) {
				return s.errorf(last.pos, "index %d out of bounds for length %d", i, len(t.Items))
			}
			t.Items[i] = v
		}
	}
	return nil
}

// Setter may be implemented by an Object whose properties can be assigned
// with #set($obj.name = value).
type Setter interface {
	SetProperty(name string, v Value) error
}

func (s *state) execIf(n *ifNode) error {
	for i, c := range n.conds {
		ok, err := s.cond(c)
		if err != nil {
			return err
		}
		if ok {
			return s.renderNodes(n.blocks[i])
		}
	}
	if n.els != nil {
		return s.renderNodes(n.els)
	}
	return nil
}

func (s *state) iterate(v Value) []Value {
	switch x := v.(type) {
	case *List:
		return append([]Value(nil), x.Items...)
	case *Map:
		return append([]Value(nil), x.vals...)
	case Iterable:
		return x.Items()
	}
	return nil
}

// Iterable may be implemented by an Object that #foreach can iterate.
type Iterable interface {
	Items() []Value
}

func (s *state) execForeach(n *foreachNode) error {
	coll, err := s.eval(n.iter)
	if err != nil {
		return err
	}
	items := s.iterate(coll)
	saved := s.lookup(n.slot)
	savedCount := s.lookup(slotVelocityCount)
	savedHasNext := s.lookup(slotVelocityHasNext)
	parent := s.lookup(slotForeach)
	scope := &foreachScope{index: -1, parent: parent}
	s.setVar(slotForeach, scope)
	for i, item := range items {
		if i >= s.opts.MaxLoopIterations {
			err = s.limitf(n.pos, "#foreach exceeds %d iterations", s.opts.MaxLoopIterations)
			break
		}
		s.total++
		if s.total > s.opts.MaxTotalIterations {
			err = s.limitf(n.pos, "template exceeds %d loop iterations", s.opts.MaxTotalIterations)
			break
		}
		if err = s.checkCtx(); err != nil {
			break
		}
		hasNext := i < len(items)-1
		s.setVar(slotVelocityCount, int64(i+1))
		s.setVar(slotVelocityHasNext, hasNext)
		s.setVar(n.slot, item)
		scope.index = i
		scope.hasNext = hasNext
		err = s.renderNodes(n.body)
		if err == errBreak {
			err = nil
			break
		}
		if err != nil {
			break
		}
	}
	// Velocity restores the loop variable, $velocityCount and
	// $velocityHasNext (or removes them) and the enclosing $foreach.
	s.setVar(n.slot, saved)
	s.setVar(slotVelocityCount, savedCount)
	s.setVar(slotVelocityHasNext, savedHasNext)
	s.setVar(slotForeach, parent)
	return err
}

func (s *state) execMacroCall(n *macroCallNode) error {
	def := s.macros[n.name]
	if def == nil || s.opts.APIGateway {
		// Velocity prints an unknown #name(...) call as written.
		return s.write(n.literal)
	}
	if s.depth >= s.opts.MaxCallDepth {
		return s.limitf(n.pos, "maximum macro call depth %d exceeded", s.opts.MaxCallDepth)
	}
	if err := s.checkCtx(); err != nil {
		return err
	}
	f := &frame{}
	// Velocity 1.7 logs an argument count mismatch and renders anyway:
	// missing parameters are undefined, extra arguments ignored.
	for i, slot := range def.params {
		if i >= len(n.args) {
			break
		}
		switch a := n.args[i].(type) {
		case *literalExpr:
			if a.v != nil {
				if f.local == nil {
					f.local = map[int]Value{}
				}
				f.local[slot] = a.v
			}
		case *wordExpr:
			if f.local == nil {
				f.local = map[int]Value{}
			}
			f.local[slot] = a.word
		default:
			if f.proxy == nil {
				f.proxy = map[int]expr{}
			}
			f.proxy[slot] = a
		}
	}
	s.frames = append(s.frames, f)
	s.depth++
	err := s.renderNodes(def.body)
	s.depth--
	s.frames = s.frames[:len(s.frames)-1]
	if err == errBreak {
		err = nil
	}
	return err
}

func (s *state) execEvaluate(n *evaluateNode) error {
	v, err := s.eval(n.arg)
	if err != nil || v == nil {
		return err
	}
	if s.depth >= s.opts.MaxCallDepth {
		return s.limitf(n.pos, "maximum #evaluate depth %d exceeded", s.opts.MaxCallDepth)
	}
	src := ToString(v)
	syms := &symtab{index: make(map[string]int, len(s.names)), names: append([]string(nil), s.names...)}
	for i, nm := range syms.names {
		syms.index[nm] = i
	}
	macros := make(map[string]*macroDef, len(s.macros))
	for k, m := range s.macros {
		macros[k] = m
	}
	p := &parser{src: src, apigw: s.opts.APIGateway, syms: syms, macros: macros,
		macroNames: map[string]bool{}, name: s.t.name + "#evaluate", root: src}
	nodes, term, _, err := p.parseBlock(false)
	if err != nil {
		return err
	}
	if term != termEOF {
		return s.errorf(n.pos, "unbalanced #evaluate content")
	}
	for len(s.vars) < len(syms.names) {
		nm := syms.names[len(s.vars)]
		var v Value
		if s.host != nil {
			v, _ = s.host.Var(nm)
		}
		s.vars = append(s.vars, FromGo(v))
	}
	s.names = syms.names
	savedMacros := s.macros
	s.macros = macros
	s.depth++
	err = s.renderNodes(nodes)
	s.depth--
	s.macros = savedMacros
	if err == errBreak {
		err = nil
	}
	return err
}

// --- expressions -------------------------------------------------------

func (s *state) eval(e expr) (Value, error) {
	switch x := e.(type) {
	case *literalExpr:
		return x.v, nil
	case *reference:
		return s.evalRef(x)
	case *interpExpr:
		return s.evalInterp(x)
	case *binaryExpr:
		return s.evalBinary(x)
	case *notExpr:
		b, err := s.cond(x.x)
		return !b, err
	case *parenExpr:
		return s.eval(x.x)
	case *listExpr:
		l := &List{Items: make([]Value, len(x.elems))}
		for i, el := range x.elems {
			v, err := s.eval(el)
			if err != nil {
				return nil, err
			}
			l.Items[i] = v
		}
		return l, nil
	case *mapExpr:
		m := NewMap()
		for i := range x.keys {
			k, err := s.eval(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := s.eval(x.vals[i])
			if err != nil {
				return nil, err
			}
			m.Put(k, v)
		}
		return m, nil
	case *rangeExpr:
		return s.evalRange(x)
	case *wordExpr:
		return x.word, nil
	}
	return nil, fmt.Errorf("vtl: unknown expression %T", e)
}

func (s *state) evalInterp(x *interpExpr) (Value, error) {
	saved := s.out
	s.out = make([]byte, 0, 32)
	err := s.renderNodes(x.nodes)
	res := s.out
	s.out = saved
	if err != nil {
		return nil, err
	}
	if !x.lineComment && len(res) > 0 {
		res = res[:len(res)-1]
	}
	return string(res), nil
}

func (s *state) evalRange(x *rangeExpr) (Value, error) {
	a, err := s.eval(x.from)
	if err != nil {
		return nil, err
	}
	b, err := s.eval(x.to)
	if err != nil {
		return nil, err
	}
	if !isNumber(a) || !isNumber(b) {
		return nil, nil
	}
	from, to := intValue(a), intValue(b)
	n := to - from
	if n < 0 {
		n = -n
	}
	if n+1 > int64(s.opts.MaxRangeSize) || n < 0 {
		return nil, s.limitf(x.pos, "range [%d..%d] exceeds %d elements", from, to, s.opts.MaxRangeSize)
	}
	l := &List{Items: make([]Value, 0, n+1)}
	if from <= to {
		for i := from; i <= to; i++ {
			l.Items = append(l.Items, i)
		}
	} else {
		for i := from; i >= to; i-- {
			l.Items = append(l.Items, i)
		}
	}
	return l, nil
}

// intValue is Java's Number.intValue().
func intValue(v Value) int64 {
	switch x := v.(type) {
	case int64:
		return int64(int32(x))
	case float64:
		if math.IsNaN(x) {
			return 0
		}
		if x >= math.MaxInt32 {
			return math.MaxInt32
		}
		if x <= math.MinInt32 {
			return math.MinInt32
		}
		return int64(x)
	}
	return 0
}

// cond evaluates an expression as a condition, following Velocity 1.7's
// evaluate(): references are true unless null or false; only boolean
// literals, comparisons and logical operators are otherwise meaningful -
// any other expression (a number, a string literal, a list) is false.
func (s *state) cond(e expr) (bool, error) {
	switch x := e.(type) {
	case *reference:
		v, err := s.evalRef(x)
		if err != nil {
			return false, err
		}
		if b, ok := v.(*block); ok {
			_ = b
			return true, nil
		}
		return Truthy(v), nil
	case *literalExpr:
		b, ok := x.v.(bool)
		return ok && b, nil
	case *parenExpr:
		return s.cond(x.x)
	case *notExpr:
		b, err := s.cond(x.x)
		return !b, err
	case *binaryExpr:
		switch x.op {
		case opOr:
			l, err := s.cond(x.l)
			if err != nil || l {
				return l, err
			}
			return s.cond(x.r)
		case opAnd:
			l, err := s.cond(x.l)
			if err != nil || !l {
				return false, err
			}
			return s.cond(x.r)
		case opEq, opNe, opLt, opLe, opGt, opGe:
			v, err := s.evalBinary(x)
			if err != nil {
				return false, err
			}
			return v == true, nil
		}
		return false, nil
	}
	return false, nil
}

func (s *state) evalBinary(x *binaryExpr) (Value, error) {
	switch x.op {
	case opOr, opAnd:
		return s.cond(x)
	}
	l, err := s.eval(x.l)
	if err != nil {
		return nil, err
	}
	r, err := s.eval(x.r)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case opEq:
		return velocityEquals(l, r), nil
	case opNe:
		return !velocityEquals(l, r), nil
	case opLt, opLe, opGt, opGe:
		if !isNumber(l) || !isNumber(r) {
			return false, nil
		}
		c := compareNumbers(l, r)
		switch x.op {
		case opLt:
			return c < 0, nil
		case opLe:
			return c <= 0, nil
		case opGt:
			return c > 0, nil
		}
		return c >= 0, nil
	}
	// arithmetic
	if x.op == opAdd {
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			// Velocity 1.7: + concatenates when either side is a String; a
			// null side contributes its source text.
			var a, b string
			if l == nil {
				a = x.lLit
			} else {
				a = ToString(l)
			}
			if r == nil {
				b = x.rLit
			} else {
				b = ToString(r)
			}
			if len(a)+len(b) > s.opts.MaxOutputSize {
				return nil, s.limitf(x.pos, "string exceeds %d bytes", s.opts.MaxOutputSize)
			}
			return a + b, nil
		}
	}
	if !isNumber(l) || !isNumber(r) {
		return nil, nil
	}
	li, lok := l.(int64)
	ri, rok := r.(int64)
	if lok && rok {
		switch x.op {
		case opAdd:
			s := li + ri
			if (s > li) == (ri > 0) {
				return s, nil
			}
			return float64(li) + float64(ri), nil
		case opSub:
			d := li - ri
			if (d < li) == (ri > 0) {
				return d, nil
			}
			return float64(li) - float64(ri), nil
		case opMul:
			if li == 0 || ri == 0 {
				return int64(0), nil
			}
			p := li * ri
			if p/ri == li && !(li == -1 && ri == math.MinInt64) && !(ri == -1 && li == math.MinInt64) {
				return p, nil
			}
			return float64(li) * float64(ri), nil
		case opDiv:
			if ri == 0 {
				return nil, nil
			}
			if li == math.MinInt64 && ri == -1 {
				return -float64(li), nil
			}
			return li / ri, nil
		case opMod:
			if ri == 0 {
				return nil, nil
			}
			if ri == -1 {
				return int64(0), nil
			}
			return li % ri, nil
		}
	}
	lf, rf := toFloat(l), toFloat(r)
	switch x.op {
	case opAdd:
		return lf + rf, nil
	case opSub:
		return lf - rf, nil
	case opMul:
		return lf * rf, nil
	case opDiv:
		if rf == 0 {
			return nil, nil
		}
		return lf / rf, nil
	case opMod:
		if rf == 0 {
			return nil, nil
		}
		return math.Mod(lf, rf), nil
	}
	return nil, nil
}

// --- properties and indexes --------------------------------------------

func (s *state) getProperty(v Value, name string) Value {
	switch x := v.(type) {
	case *Map:
		r, _ := x.getString(name)
		return r
	case Object:
		r, _ := x.Property(name)
		return r
	case *foreachScope:
		switch name {
		case "index":
			return int64(x.index)
		case "count":
			return int64(x.index + 1)
		case "hasNext", "last":
			if name == "last" {
				return !x.hasNext
			}
			return x.hasNext
		case "first":
			return x.index == 0
		case "parent":
			return x.parent
		}
	case *entry:
		switch name {
		case "key":
			return x.key
		case "value":
			return x.val
		}
	case *List:
		if name == "empty" {
			return len(x.Items) == 0
		}
	case string:
		if name == "empty" {
			return len(x) == 0
		}
		if name == "bytes" {
			return nil
		}
	}
	// Velocity also tries getName()/isName() style getters.
	if len(name) > 0 {
		up := strings.ToUpper(name[:1]) + name[1:]
		r, _, _ := s.tryMethod(v, "get"+up, nil)
		if r != nil {
			return r
		}
		if r, _, _ := s.tryMethod(v, "is"+up, nil); r != nil {
			if _, ok := r.(bool); ok {
				return r
			}
		}
	}
	return nil
}

func (s *state) tryMethod(v Value, name string, args []Value) (Value, bool, error) {
	switch name {
	case "getClass", "getBytes", "getChars":
		return nil, false, nil
	}
	r, err := s.callMethod(v, name, args, 0)
	return r, r != nil, err
}

func (s *state) index(v, idx Value, pos int) (Value, error) {
	switch x := v.(type) {
	case *List:
		i, ok := idx.(int64)
		if !ok {
			return nil, nil
		}
		if i < 0 {
			// Velocity 1.7: a negative index counts from the end.
			i += int64(len(x.Items))
		}
		if i < 0 || i >= int64(len(x.Items)) {
			return nil, s.errorf(pos, "index %d out of bounds for length %d", i, len(x.Items))
		}
		return x.Items[i], nil
	case *Map:
		r, _ := x.Get(idx)
		return r, nil
	case Object:
		r, _, err := x.Method("get", []Value{idx})
		return r, err
	}
	return nil, nil
}
