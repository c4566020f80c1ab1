package vtl

// This file declares the syntax tree produced by the parser. Nodes are
// immutable once parsing finishes, which is what makes a *Template safe to
// execute from many goroutines at once.

// node is a statement-level element of a template body.
type node interface{}

type textNode struct {
	text string
}

// refNode prints a reference. escaped/escPrefix reproduce Velocity's handling
// of backslashes in front of the '$' (see renderRef).
type refNode struct {
	ref       *reference
	escaped   bool
	escPrefix string
}

type ifNode struct {
	pos    int
	conds  []expr
	blocks [][]node
	els    []node
}

type foreachNode struct {
	pos  int
	slot int
	iter expr
	body []node
}

type setNode struct {
	pos int
	lhs *reference
	rhs expr
}

type macroDef struct {
	pos    int
	name   string
	params []int
	body   []node
}

type macroCallNode struct {
	pos     int
	name    string
	args    []expr
	literal string
}

type defineNode struct {
	pos  int
	slot int
	body []node
}

type breakNode struct{ pos int }

type stopNode struct{ pos int }

type evaluateNode struct {
	pos int
	arg expr
}

// forbiddenNode is #include or #parse: both fail at render time.
type forbiddenNode struct {
	pos  int
	name string
}

// modifier kinds
const (
	modProperty = iota
	modMethod
	modIndex
)

type modifier struct {
	kind int
	name string
	args []expr
	pos  int
}

// reference is $name followed by properties, method calls and indexes.
type reference struct {
	pos     int
	slot    int
	name    string
	quiet   bool
	mods    []modifier
	literal string // source text, printed when the value is null
}

// expr is an expression inside a directive.
type expr interface{}

type literalExpr struct {
	v Value
}

// interpExpr is a double-quoted string containing $ or #: it is rendered as
// a template (with Velocity's trailing-space kludge, see evalInterp).
type interpExpr struct {
	nodes       []node
	lineComment bool
}

type listExpr struct {
	elems []expr
}

type mapExpr struct {
	keys, vals []expr
}

type rangeExpr struct {
	pos      int
	from, to expr
}

type parenExpr struct {
	x expr
}

type notExpr struct {
	x expr
}

// binary operators
const (
	opOr = iota
	opAnd
	opEq
	opNe
	opLt
	opLe
	opGt
	opGe
	opAdd
	opSub
	opMul
	opDiv
	opMod
)

type binaryExpr struct {
	pos  int
	op   int
	l, r expr
	lLit string // source text of the operands, used by Velocity's + on null
	rLit string
}

// wordExpr is a bare word used as a directive argument (the "in" of
// #foreach, a macro name).
type wordExpr struct {
	word string
}
