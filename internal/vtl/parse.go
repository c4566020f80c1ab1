package vtl

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The parser works directly on the source text (there is no separate token
// stream) but follows the lexical states of Velocity 1.7's JavaCC grammar
// (DEFAULT, REFERENCE, DIRECTIVE, ...) closely, because much of Velocity's
// observable behaviour - whitespace gobbling, what counts as a reference,
// which escapes are honoured - is decided by its lexer.

type symtab struct {
	index map[string]int
	names []string
	// dynamic is set when the template holds an #evaluate, whose text can
	// name variables the parser never saw.
	dynamic bool
	// props[slot] are the first-level properties a variable is used
	// through ($v.name..., #set($v.name = ...)); whole[slot] is set when
	// it is used in any other way: printed, passed, assigned, iterated,
	// indexed, or a method called on it.
	props map[int][]string
	whole map[int]bool
}

// use records how a reference uses its variable.
func (s *symtab) use(slot int, mods []modifier) {
	if len(mods) == 0 || mods[0].kind != modProperty {
		if s.whole == nil {
			s.whole = map[int]bool{}
		}
		s.whole[slot] = true
		return
	}
	name := mods[0].name
	for _, p := range s.props[slot] {
		if p == name {
			return
		}
	}
	if s.props == nil {
		s.props = map[int][]string{}
	}
	s.props[slot] = append(s.props[slot], name)
}

func newSymtab() *symtab {
	s := &symtab{index: map[string]int{}}
	s.slot("foreach")
	s.slot("velocityCount")
	s.slot("velocityHasNext")
	return s
}

const (
	slotForeach = iota
	slotVelocityCount
	slotVelocityHasNext
)

func (s *symtab) slot(name string) int {
	if i, ok := s.index[name]; ok {
		return i
	}
	i := len(s.names)
	s.index[name] = i
	s.names = append(s.names, name)
	return i
}

type parser struct {
	src        string
	pos        int
	apigw      bool
	syms       *symtab
	macros     map[string]*macroDef
	macroNames map[string]bool
	depth      int
	name       string
	// base is added to positions when src is a fragment (interpolated
	// strings) so that errors point into the original template.
	base int
	root string
}

// terminators of a block
const (
	termEOF = iota
	termEnd
	termElse
	termElseIf
)

const maxParseDepth = 200

func (p *parser) errorf(pos int, format string, args ...any) error {
	line, col := lineCol(p.root, p.base+pos)
	return &Error{Template: p.name, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func lineCol(src string, pos int) (int, int) {
	if pos > len(src) {
		pos = len(src)
	}
	line, col := 1, 1
	for i := 0; i < pos; i++ {
		if src[i] == '\n' {
			line++
			col = 1
		} else if src[i]&0xC0 != 0x80 {
			col++
		}
	}
	return line, col
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *parser) at(i int) byte {
	if i < len(p.src) {
		return p.src[i]
	}
	return 0
}

// identEnd returns the end of a reference identifier starting at i
// ([a-zA-Z_][a-zA-Z0-9_-]*), or i if there is none.
func (p *parser) identEnd(i int) int {
	if i >= len(p.src) || !(isAlpha(p.src[i]) || p.src[i] == '_') {
		return i
	}
	j := i + 1
	for j < len(p.src) {
		c := p.src[j]
		if isAlpha(c) || isDigit(c) || c == '_' || c == '-' {
			j++
			continue
		}
		break
	}
	return j
}

// wordAt reads a directive word (#word or #{word}) starting at i (just
// after the '#'). It returns the word, the end offset and whether it was
// bracketed.
func (p *parser) wordAt(i int) (string, int, bool) {
	brace := false
	j := i
	if p.at(j) == '{' {
		brace = true
		j++
	}
	c := p.at(j)
	if !(isAlpha(c) || c == '_' || (!brace && c == '@')) {
		return "", i, false
	}
	k := p.wordEnd(j + 1)
	if brace {
		if p.at(k) != '}' {
			return "", i, false
		}
		return p.src[j:k], k + 1, true
	}
	return p.src[j:k], k, false
}

// blankEnd returns the end of the run of spaces and tabs starting at i.
func (p *parser) blankEnd(i int) int {
	for i < len(p.src) && (p.src[i] == ' ' || p.src[i] == '\t') {
		i++
	}
	return i
}

// eatNewline consumes [ \t]* followed by a newline at i, as the tokens that
// close a directive (")" of a directive, #else, #end) do in Velocity 1.7.
// Without a newline nothing is consumed.
func (p *parser) eatNewline(i int) int {
	j := p.blankEnd(i)
	if j < len(p.src) {
		if p.src[j] == '\n' {
			return j + 1
		}
		if p.src[j] == '\r' {
			if p.at(j+1) == '\n' {
				return j + 2
			}
			return j + 1
		}
	}
	return i
}

// matchSet recognises Velocity 1.7's SET_DIRECTIVE token at a token start:
// ([ \t])* ("#set" | "#{set}") (" ")* "(". The leading whitespace is part of
// the token and therefore swallowed (a Velocity 1.7 quirk: it only happens
// when the whitespace begins a token, e.g. at the start of a line that
// follows a gobbled newline, or right after a reference).
func (p *parser) matchSet(i int) (int, bool) {
	j := p.blankEnd(i)
	switch {
	case strings.HasPrefix(p.src[j:], "#set"):
		j += 4
	case strings.HasPrefix(p.src[j:], "#{set}"):
		j += 6
	default:
		return 0, false
	}
	for j < len(p.src) && p.src[j] == ' ' {
		j++
	}
	if p.at(j) != '(' {
		return 0, false
	}
	return j + 1, true
}

// builtinDirectives are the directive names Velocity 1.7 registers by
// default; they matter for escape processing (\#foreach prints #foreach).
var builtinDirectives = map[string]bool{
	"foreach": true, "include": true, "parse": true, "macro": true, "literal": true,
	"evaluate": true, "break": true, "define": true, "stop": true,
}

func (p *parser) recognized(w string) bool {
	switch w {
	case "if", "else", "elseif", "end", "set":
		return true
	}
	return builtinDirectives[w] || p.macroNames[w]
}

// parseBlock parses statements until EOF or a block terminator.
func (p *parser) parseBlock(inBlock bool) ([]node, int, expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxParseDepth {
		return nil, 0, nil, p.errorf(p.pos, "template nesting too deep")
	}
	var nodes []node
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			nodes = append(nodes, &textNode{text: text.String()})
			text.Reset()
		}
	}
	for p.pos < len(p.src) {
		if end, ok := p.matchSet(p.pos); ok {
			flush()
			start := p.pos
			p.pos = end
			n, err := p.parseSet(start)
			if err != nil {
				return nil, 0, nil, err
			}
			nodes = append(nodes, n)
			continue
		}
		c := p.src[p.pos]
		switch c {
		case '\\':
			n := 0
			for p.at(p.pos+n) == '\\' {
				n++
			}
			next := p.at(p.pos + n)
			if next == '$' {
				start := p.pos
				p.pos += n
				ref, ok, err := p.parseReference()
				if err != nil {
					return nil, 0, nil, err
				}
				if !ok {
					text.WriteString(p.src[start:p.pos])
					continue
				}
				flush()
				nodes = append(nodes, &refNode{ref: ref, escaped: n%2 == 1, escPrefix: strings.Repeat("\\", n/2)})
				continue
			}
			if next == '#' {
				w, wend, _ := p.wordAt(p.pos + n + 1)
				if w != "" {
					if n%2 == 1 {
						// ESCAPE_DIRECTIVE: \#word
						if p.recognized(w) {
							text.WriteString(strings.Repeat("\\", n/2))
							text.WriteString(p.src[p.pos+n : wend])
						} else {
							text.WriteString(p.src[p.pos:wend])
						}
						p.pos = wend
						continue
					}
					// An even run of backslashes before a directive: each
					// pair prints one backslash when the directive is known.
					control := p.recognized(w) && w != "set"
					if control {
						text.WriteString(strings.Repeat("\\", n/2))
					} else {
						text.WriteString(strings.Repeat("\\", n))
					}
					p.pos += n
					continue
				}
			}
			text.WriteString(p.src[p.pos : p.pos+n])
			p.pos += n
		case '$':
			start := p.pos
			ref, ok, err := p.parseReference()
			if err != nil {
				return nil, 0, nil, err
			}
			if !ok {
				text.WriteString(p.src[start:p.pos])
				continue
			}
			flush()
			nodes = append(nodes, &refNode{ref: ref})
		case '#':
			if strings.HasPrefix(p.src[p.pos:], "##") {
				// line comment, newline included
				i := strings.IndexAny(p.src[p.pos:], "\r\n")
				if i < 0 {
					p.pos = len(p.src)
				} else {
					p.pos += i
					if p.src[p.pos] == '\r' && p.at(p.pos+1) == '\n' {
						p.pos += 2
					} else {
						p.pos++
					}
				}
				continue
			}
			if strings.HasPrefix(p.src[p.pos:], "#*") {
				i := strings.Index(p.src[p.pos+2:], "*#")
				if i < 0 {
					return nil, 0, nil, p.errorf(p.pos, "unterminated comment")
				}
				p.pos += 2 + i + 2
				continue
			}
			if strings.HasPrefix(p.src[p.pos:], "#[[") {
				i := strings.Index(p.src[p.pos+3:], "]]#")
				if i < 0 {
					return nil, 0, nil, p.errorf(p.pos, "unterminated #[[ unparsed content ]]#")
				}
				text.WriteString(p.src[p.pos+3 : p.pos+3+i])
				p.pos += 3 + i + 3
				continue
			}
			w, wend, brace := p.wordAt(p.pos + 1)
			if w == "" && p.pos+1 >= len(p.src) {
				// like "$", a lone "#" at the end of input is a lexical
				// error in Velocity 1.7
				return nil, 0, nil, p.errorf(p.pos, "unexpected end of template after '#'")
			}
			if w == "" {
				text.WriteByte('#')
				p.pos++
				continue
			}
			start := p.pos
			switch w {
			case "end", "else", "elseif":
				if !inBlock {
					return nil, 0, nil, p.errorf(start, "#%s without a matching directive", w)
				}
				flush()
				switch w {
				case "end":
					p.pos = p.eatNewline(wend)
					return nodes, termEnd, nil, nil
				case "else":
					p.pos = p.eatNewline(wend)
					return nodes, termElse, nil, nil
				default:
					p.pos = wend
					cond, err := p.parseCondition(start)
					if err != nil {
						return nil, 0, nil, err
					}
					return nodes, termElseIf, cond, nil
				}
			}
			flush()
			n, lit, err := p.parseDirective(start, w, wend, brace)
			if err != nil {
				return nil, 0, nil, err
			}
			if n == nil {
				text.WriteString(lit)
				continue
			}
			nodes = append(nodes, n)
		default:
			i := strings.IndexAny(p.src[p.pos:], "$#\\")
			if i < 0 {
				i = len(p.src) - p.pos
			}
			text.WriteString(p.src[p.pos : p.pos+i])
			p.pos += i
		}
	}
	flush()
	return nodes, termEOF, nil, nil
}

// parseCondition parses [ws] "(" expression ")" after #if / #elseif and
// swallows a trailing newline.
func (p *parser) parseCondition(dirPos int) (expr, error) {
	p.skipWS()
	if p.at(p.pos) != '(' {
		return nil, p.errorf(p.pos, "expected '(' after directive")
	}
	p.pos++
	return p.parseClosedExpr("expected ')' to close directive condition")
}

// parseClosedExpr parses an expression followed by the ")" that closes a
// directive and swallows a trailing newline; closeMsg is the error when
// the ")" is missing.
func (p *parser) parseClosedExpr(closeMsg string) (expr, error) {
	e, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if p.at(p.pos) != ')' {
		return nil, p.errorf(p.pos, "%s", closeMsg)
	}
	p.pos = p.eatNewline(p.pos + 1)
	return e, nil
}

// parseBody parses the body of the block directive #name that starts at
// start, up to its #end.
func (p *parser) parseBody(start int, name string) ([]node, error) {
	body, term, _, err := p.parseBlock(true)
	if err != nil {
		return nil, err
	}
	if term != termEnd {
		return nil, p.errorf(start, "#%s without #end", name)
	}
	return body, nil
}

// simpleRef returns e as a reference without modifiers ($a, not $a.b).
func simpleRef(e expr) (*reference, bool) {
	r, ok := e.(*reference)
	return r, ok && len(r.mods) == 0
}

// hasLeftParen is Velocity's isLeftParenthesis lookahead: optional
// whitespace (newlines included) followed by '('.
func (p *parser) hasLeftParen(i int) bool {
	return p.at(p.wsEnd(i)) == '('
}

// parseDirective handles #word. It returns either a node or, for something
// that only looks like a directive, literal text.
func (p *parser) parseDirective(start int, w string, wend int, brace bool) (node, string, error) {
	switch w {
	case "if":
		p.pos = wend
		cond, err := p.parseCondition(start)
		if err != nil {
			return nil, "", err
		}
		n := &ifNode{pos: start}
		for {
			body, term, next, err := p.parseBlock(true)
			if err != nil {
				return nil, "", err
			}
			n.conds = append(n.conds, cond)
			n.blocks = append(n.blocks, body)
			switch term {
			case termEOF:
				return nil, "", p.errorf(start, "#if without #end")
			case termEnd:
				return n, "", nil
			case termElseIf:
				cond = next
				continue
			case termElse:
				els, err := p.parseBody(start, "else")
				if err != nil {
					return nil, "", err
				}
				n.els = els
				if n.els == nil {
					n.els = []node{}
				}
				return n, "", nil
			}
		}
	}
	// API Gateway: #evaluate is not a directive (a call prints literally,
	// like any unknown #name(...)).
	isDirective := builtinDirectives[w] && w != "literal" && !(w == "evaluate" && p.apigw)
	if !p.hasLeftParen(wend) {
		p.pos = wend
		if !isDirective {
			return nil, p.src[start:wend], nil
		}
		switch w {
		case "break":
			return &breakNode{pos: start}, "", nil
		case "stop":
			return &stopNode{pos: start}, "", nil
		case "macro":
			return nil, "", p.errorf(start, "a macro declaration requires at least a name argument")
		case "foreach", "define":
			return nil, "", p.errorf(start, "#%s requires arguments", w)
		}
		return nil, p.src[start:wend], nil
	}
	p.pos = wend
	args, argPos, err := p.parseDirectiveArgs()
	if err != nil {
		return nil, "", err
	}
	end := p.eatNewline(p.pos + 1)
	p.pos = end
	literal := p.src[start:end]
	if !isDirective {
		return &macroCallNode{pos: start, name: w, args: args, literal: literal}, "", nil
	}
	switch w {
	case "foreach":
		if len(args) != 3 {
			return nil, "", p.errorf(start, "#foreach expects ($item in $collection)")
		}
		ref, ok := simpleRef(args[0])
		if !ok {
			return nil, "", p.errorf(argPos[0], "#foreach loop variable must be a simple reference")
		}
		if wd, ok := args[1].(*wordExpr); !ok || wd.word != "in" {
			return nil, "", p.errorf(argPos[1], "expected 'in' in #foreach")
		}
		if _, ok := args[2].(*wordExpr); ok {
			return nil, "", p.errorf(argPos[2], "invalid #foreach collection")
		}
		body, err := p.parseBody(start, "foreach")
		if err != nil {
			return nil, "", err
		}
		return &foreachNode{pos: start, slot: ref.slot, iter: args[2], body: body}, "", nil
	case "macro":
		if len(args) == 0 {
			return nil, "", p.errorf(start, "a macro declaration requires at least a name argument")
		}
		wd, ok := args[0].(*wordExpr)
		if !ok {
			return nil, "", p.errorf(argPos[0], "invalid first argument of #macro: must be a word")
		}
		def := &macroDef{pos: start, name: wd.word}
		for i, a := range args[1:] {
			r, ok := simpleRef(a)
			if !ok {
				return nil, "", p.errorf(argPos[i+1], "macro parameters must be references")
			}
			def.params = append(def.params, r.slot)
		}
		p.macroNames[wd.word] = true
		body, err := p.parseBody(start, "macro")
		if err != nil {
			return nil, "", err
		}
		def.body = body
		if _, dup := p.macros[def.name]; !dup {
			p.macros[def.name] = def
		}
		return def, "", nil
	case "define":
		if len(args) != 1 {
			return nil, "", p.errorf(start, "#define expects one reference")
		}
		r, ok := simpleRef(args[0])
		if !ok {
			return nil, "", p.errorf(argPos[0], "#define expects a simple reference")
		}
		body, err := p.parseBody(start, "define")
		if err != nil {
			return nil, "", err
		}
		return &defineNode{pos: start, slot: r.slot, body: body}, "", nil
	case "break":
		return &breakNode{pos: start}, "", nil
	case "stop":
		return &stopNode{pos: start}, "", nil
	case "evaluate":
		if len(args) != 1 {
			return nil, "", p.errorf(start, "#evaluate expects one argument")
		}
		// #evaluate can name any variable at run time.
		p.syms.dynamic = true
		return &evaluateNode{pos: start, arg: args[0]}, "", nil
	case "include", "parse":
		return &forbiddenNode{pos: start, name: w}, "", nil
	}
	return nil, "", p.errorf(start, "unsupported directive #%s", w)
}

// parseDirectiveArgs parses the parenthesised argument list of a directive
// or macro call (commas optional, as in Velocity 1.7) from p.pos, which is
// before the "(", and leaves p.pos at the closing ")". argPos holds the
// offset of each argument.
func (p *parser) parseDirectiveArgs() (args []expr, argPos []int, err error) {
	p.skipWS()
	p.pos++ // '('
	for {
		save := p.pos
		p.skipWS()
		if p.at(p.pos) == ')' {
			return args, argPos, nil
		}
		if len(args) > 0 {
			if p.at(p.pos) == ',' {
				p.pos++
				p.skipWS()
			}
		}
		if p.at(p.pos) == ')' && len(args) > 0 {
			p.pos = save
			return nil, nil, p.errorf(p.pos, "unexpected ',' in directive arguments")
		}
		ap := p.pos
		a, err := p.parseDirectiveArg()
		if err != nil {
			return nil, nil, err
		}
		args = append(args, a)
		argPos = append(argPos, ap)
	}
}

// parseSet parses the rest of #set( $ref = expr ).
func (p *parser) parseSet(start int) (node, error) {
	p.skipWS()
	if p.at(p.pos) != '$' {
		return nil, p.errorf(p.pos, "#set expects a reference on the left-hand side")
	}
	ref, ok, err := p.parseReference()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, p.errorf(p.pos, "#set expects a reference on the left-hand side")
	}
	if len(ref.mods) == 0 && (ref.quiet || strings.HasPrefix(ref.literal, "${") || strings.HasPrefix(ref.literal, "$!{")) {
		// Velocity 1.7 quirk: #set($!a = ...) and #set(${a} = ...) store the
		// value under the name "!a" / "{", not "a".
		junk := "{"
		if ref.quiet && !strings.HasPrefix(ref.literal, "$!{") {
			junk = "!" + ref.name
		}
		cp := *ref
		cp.slot = p.syms.slot(junk)
		ref = &cp
	}
	p.skipWS()
	if p.at(p.pos) != '=' || p.at(p.pos+1) == '=' {
		return nil, p.errorf(p.pos, "expected '=' in #set")
	}
	p.pos++
	rhs, err := p.parseClosedExpr("expected ')' to close #set")
	if err != nil {
		return nil, err
	}
	return &setNode{pos: start, lhs: ref, rhs: rhs}, nil
}

// parseReference parses a reference at p.pos (which holds '$'). ok is false
// when the text is not a reference; p.pos then points after the characters
// that are plain text ("$", "$!", "${", ...).
func (p *parser) parseReference() (*reference, bool, error) {
	start := p.pos
	i := start + 1
	quiet := false
	if p.at(i) == '!' {
		quiet = true
		i++
	}
	formal := false
	if p.at(i) == '{' {
		formal = true
		i++
	}
	end := p.identEnd(i)
	if end == i {
		p.pos = i
		if i >= len(p.src) {
			// Velocity's lexer fails on a "$" (or "$!", "${") at the very end
			// of the input.
			return nil, false, p.errorf(start, "unexpected end of template after '$'")
		}
		return nil, false, nil
	}
	ref := &reference{pos: start, name: p.src[i:end], quiet: quiet}
	ref.slot = p.syms.slot(ref.name)
	p.pos = end
	for {
		c := p.at(p.pos)
		if c == '[' {
			mpos := p.pos
			p.pos++
			p.skipWS()
			arg, err := p.parseIndexParam()
			if err != nil {
				return nil, false, err
			}
			p.skipWS()
			if p.at(p.pos) != ']' {
				return nil, false, p.errorf(p.pos, "expected ']' in index")
			}
			p.pos++
			ref.mods = append(ref.mods, modifier{kind: modIndex, args: []expr{arg}, pos: mpos})
			continue
		}
		if c == '.' && isAlpha(p.at(p.pos+1)) {
			mpos := p.pos
			nend := p.identEnd(p.pos + 1)
			name := p.src[p.pos+1 : nend]
			if p.at(nend) == '(' {
				p.pos = nend + 1
				args, err := p.parseParams(')')
				if err != nil {
					return nil, false, err
				}
				ref.mods = append(ref.mods, modifier{kind: modMethod, name: name, args: args, pos: mpos})
				continue
			}
			p.pos = nend
			ref.mods = append(ref.mods, modifier{kind: modProperty, name: name, pos: mpos})
			continue
		}
		break
	}
	if formal {
		if p.at(p.pos) != '}' {
			return nil, false, p.errorf(p.pos, "expected '}' to close ${...} reference")
		}
		p.pos++
	}
	ref.literal = p.src[start:p.pos]
	p.syms.use(ref.slot, ref.mods)
	return ref, true, nil
}

// parseParams parses comma-separated method parameters up to close.
func (p *parser) parseParams(close byte) ([]expr, error) {
	var args []expr
	p.skipWS()
	if p.at(p.pos) == close {
		p.pos++
		return args, nil
	}
	for {
		a, err := p.parseParameter()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		p.skipWS()
		switch p.at(p.pos) {
		case ',':
			p.pos++
			continue
		case close:
			p.pos++
			return args, nil
		}
		return nil, p.errorf(p.pos, "expected ',' or '%c' in argument list", close)
	}
}

func (p *parser) skipWS() { p.pos = p.wsEnd(p.pos) }

// wsEnd returns the end of the whitespace (newlines included) starting at i.
func (p *parser) wsEnd(i int) int {
	for i < len(p.src) {
		switch p.src[i] {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		break
	}
	return i
}

// parseIndexParam: string, integer, true, false or reference.
func (p *parser) parseIndexParam() (expr, error) {
	c := p.at(p.pos)
	switch {
	case c == '"' || c == '\'':
		return p.parseString()
	case p.atInteger():
		e, isInt, err := p.parseNumber()
		if err == nil && !isInt {
			return nil, p.errorf(p.pos, "index must be an integer, string or reference")
		}
		return e, err
	case c == '$':
		return p.parseRefOperand()
	}
	if w := p.peekWord(); w == "true" || w == "false" {
		p.pos += len(w)
		return &literalExpr{v: w == "true"}, nil
	}
	return nil, p.errorf(p.pos, "invalid index")
}

// atInteger reports whether an INTEGER_LITERAL (digits, optionally after a
// '-') starts at p.pos.
func (p *parser) atInteger() bool {
	c := p.at(p.pos)
	return isDigit(c) || c == '-' && isDigit(p.at(p.pos+1))
}

func (p *parser) parseRefOperand() (expr, error) {
	ref, ok, err := p.parseReference()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, p.errorf(p.pos, "invalid reference")
	}
	return ref, nil
}

// peekWord returns the directive-state WORD at p.pos without consuming it.
func (p *parser) peekWord() string {
	c := p.at(p.pos)
	if !(isAlpha(c) || c == '_' || c == '@') {
		return ""
	}
	return p.src[p.pos:p.wordEnd(p.pos+1)]
}

// wordEnd returns the end of the directive-state WORD characters
// ([a-zA-Z0-9_@]*) starting at i.
func (p *parser) wordEnd(i int) int {
	for i < len(p.src) {
		c := p.src[i]
		if isAlpha(c) || isDigit(c) || c == '_' || c == '@' {
			i++
			continue
		}
		break
	}
	return i
}

// parseParameter parses a method argument or list/map element: literals,
// references, ranges, lists and maps (Velocity 1.7 allows no operators
// here).
func (p *parser) parseParameter() (expr, error) {
	p.skipWS()
	e, err := p.parseAtom(false)
	if err != nil {
		return nil, err
	}
	p.skipWS()
	return e, nil
}

// parseDirectiveArg parses an argument of #foreach, #macro, a macro call...
func (p *parser) parseDirectiveArg() (expr, error) {
	w := p.peekWord()
	if w != "" && w != "true" && w != "false" && !(w == "null" && p.apigw) {
		p.pos += len(w)
		return &wordExpr{word: w}, nil
	}
	return p.parseAtom(false)
}

// parseAtom parses a primary value. paren allows "( expression )".
func (p *parser) parseAtom(paren bool) (expr, error) {
	c := p.at(p.pos)
	switch {
	case c == '"' || c == '\'':
		return p.parseString()
	case c == '$':
		return p.parseRefOperand()
	case isDigit(c) || (c == '-' || c == '.') && (isDigit(p.at(p.pos+1)) || c == '-' && p.at(p.pos+1) == '.' && isDigit(p.at(p.pos+2))):
		e, _, err := p.parseNumber()
		return e, err
	case c == '[':
		return p.parseListOrRange()
	case c == '{':
		return p.parseMap()
	case c == '(' && paren:
		p.pos++
		e, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if p.at(p.pos) != ')' {
			return nil, p.errorf(p.pos, "expected ')'")
		}
		p.pos++
		return &parenExpr{x: e}, nil
	}
	switch w := p.peekWord(); w {
	case "true", "false":
		p.pos += len(w)
		return &literalExpr{v: w == "true"}, nil
	case "null":
		// Extension: Velocity 1.7 has no null literal.
		p.pos += len(w)
		return &literalExpr{v: nil}, nil
	}
	if p.pos >= len(p.src) {
		return nil, p.errorf(p.pos, "unexpected end of template in expression")
	}
	return nil, p.errorf(p.pos, "unexpected %q in expression", string(p.src[p.pos]))
}

// parseNumber lexes INTEGER_LITERAL or FLOATING_POINT_LITERAL (both may
// start with '-', a Velocity quirk that makes "5-3" a syntax error).
func (p *parser) parseNumber() (expr, bool, error) {
	start := p.pos
	i := p.pos
	if p.at(i) == '-' {
		i++
	}
	ds := i
	for isDigit(p.at(i)) {
		i++
	}
	intDigits := i - ds
	isFloat := false
	if p.at(i) == '.' && p.at(i+1) != '.' && (intDigits > 0 || isDigit(p.at(i+1))) {
		isFloat = true
		i++
		for isDigit(p.at(i)) {
			i++
		}
	}
	if (p.at(i) == 'e' || p.at(i) == 'E') && intDigits+i > 0 {
		j := i + 1
		if p.at(j) == '+' || p.at(j) == '-' {
			j++
		}
		if isDigit(p.at(j)) {
			for isDigit(p.at(j)) {
				j++
			}
			i = j
			isFloat = true
		}
	}
	text := p.src[start:i]
	p.pos = i
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, false, p.errorf(start, "invalid number %q", text)
		}
		return &literalExpr{v: f}, false, nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		f, _ := strconv.ParseFloat(text, 64)
		return &literalExpr{v: f}, true, nil
	}
	return &literalExpr{v: n}, true, nil
}

// parseString lexes a STRING_LITERAL. Double-quoted strings containing $ or
// # are interpolated (parsed as a template).
func (p *parser) parseString() (expr, error) {
	start := p.pos
	q := p.src[p.pos]
	i := p.pos + 1
	var b strings.Builder
	for {
		if i >= len(p.src) {
			return nil, p.errorf(start, "unterminated string literal")
		}
		c := p.src[i]
		if c == q {
			if p.at(i+1) == q {
				// "" inside "..." and '' inside '...' stand for one quote
				b.WriteByte(q)
				i += 2
				continue
			}
			break
		}
		b.WriteByte(c)
		i++
	}
	raw := p.src[start+1 : i]
	p.pos = i + 1
	s := b.String()
	if q == '\'' {
		return &literalExpr{v: s}, nil
	}
	s = unescapeUnicode(s)
	if !strings.ContainsAny(raw, "$#") {
		return &literalExpr{v: s}, nil
	}
	// Interpolated string: parse "content " as a template (Velocity appends
	// a space and removes it after rendering - its "<MORE> kludge").
	sub := &parser{
		src: s + " ", apigw: p.apigw, syms: p.syms, macros: p.macros,
		macroNames: p.macroNames, depth: p.depth, name: p.name,
		base: p.base + start + 1, root: p.root,
	}
	nodes, term, _, err := sub.parseBlock(false)
	if err != nil {
		return nil, err
	}
	if term != termEOF {
		return nil, p.errorf(start, "unbalanced directive in string literal")
	}
	return &interpExpr{nodes: nodes, lineComment: strings.Contains(raw, "##")}, nil
}

func unescapeUnicode(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+6 <= len(s) && s[i+1] == 'u' {
			if r, err := strconv.ParseUint(s[i+2:i+6], 16, 32); err == nil {
				b.WriteRune(rune(r))
				i += 5
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// parseListOrRange parses [a, b] or [n..m].
func (p *parser) parseListOrRange() (expr, error) {
	start := p.pos
	p.pos++
	p.skipWS()
	// range?
	save := p.pos
	c := p.at(p.pos)
	if c == '$' || p.atInteger() {
		var from expr
		var err error
		if c == '$' {
			from, err = p.parseRefOperand()
		} else {
			var isInt bool
			from, isInt, err = p.parseNumber()
			if err == nil && !isInt {
				from = nil
			}
		}
		if err == nil && from != nil {
			p.skipWS()
			if strings.HasPrefix(p.src[p.pos:], "..") {
				p.pos += 2
				p.skipWS()
				var to expr
				c := p.at(p.pos)
				if c == '$' {
					to, err = p.parseRefOperand()
				} else if p.atInteger() {
					var isInt bool
					to, isInt, err = p.parseNumber()
					if err == nil && !isInt {
						err = p.errorf(p.pos, "range bounds must be integers")
					}
				} else {
					err = p.errorf(p.pos, "invalid range bound")
				}
				if err != nil {
					return nil, err
				}
				p.skipWS()
				if p.at(p.pos) != ']' {
					return nil, p.errorf(p.pos, "expected ']' to close range")
				}
				p.pos++
				return &rangeExpr{pos: start, from: from, to: to}, nil
			}
		}
	}
	p.pos = save
	args, err := p.parseParams(']')
	if err != nil {
		return nil, err
	}
	return &listExpr{elems: args}, nil
}

// parseMap parses {key : value, ...}.
func (p *parser) parseMap() (expr, error) {
	p.pos++
	m := &mapExpr{}
	p.skipWS()
	if p.at(p.pos) == '}' {
		p.pos++
		return m, nil
	}
	for {
		k, err := p.parseParameter()
		if err != nil {
			return nil, err
		}
		if p.at(p.pos) != ':' {
			return nil, p.errorf(p.pos, "expected ':' in map literal")
		}
		p.pos++
		v, err := p.parseParameter()
		if err != nil {
			return nil, err
		}
		m.keys = append(m.keys, k)
		m.vals = append(m.vals, v)
		switch p.at(p.pos) {
		case ',':
			p.pos++
			continue
		case '}':
			p.pos++
			return m, nil
		}
		return nil, p.errorf(p.pos, "expected ',' or '}' in map literal")
	}
}

// Expression grammar (lowest to highest precedence):
// or, and, == !=, < > <= >=, + -, * / %, unary !, primary.

type opTok struct {
	op  int
	len int
}

// peekOp recognises a binary operator at p.pos.
func (p *parser) peekOp() (opTok, bool) {
	s := p.src[p.pos:]
	switch {
	case strings.HasPrefix(s, "||"):
		return opTok{opOr, 2}, true
	case strings.HasPrefix(s, "&&"):
		return opTok{opAnd, 2}, true
	case strings.HasPrefix(s, "=="):
		return opTok{opEq, 2}, true
	case strings.HasPrefix(s, "!="):
		return opTok{opNe, 2}, true
	case strings.HasPrefix(s, "<="):
		return opTok{opLe, 2}, true
	case strings.HasPrefix(s, ">="):
		return opTok{opGe, 2}, true
	case strings.HasPrefix(s, "<"):
		return opTok{opLt, 1}, true
	case strings.HasPrefix(s, ">"):
		return opTok{opGt, 1}, true
	case strings.HasPrefix(s, "+"):
		return opTok{opAdd, 1}, true
	case strings.HasPrefix(s, "-"):
		if isDigit(p.at(p.pos+1)) || p.at(p.pos+1) == '.' && isDigit(p.at(p.pos+2)) {
			// lexed as a negative number literal, as Velocity does
			return opTok{}, false
		}
		return opTok{opSub, 1}, true
	case strings.HasPrefix(s, "*"):
		return opTok{opMul, 1}, true
	case strings.HasPrefix(s, "/"):
		return opTok{opDiv, 1}, true
	case strings.HasPrefix(s, "%"):
		return opTok{opMod, 1}, true
	}
	switch p.peekWord() {
	case "or":
		return opTok{opOr, 2}, true
	case "and":
		return opTok{opAnd, 3}, true
	case "eq":
		return opTok{opEq, 2}, true
	case "ne":
		return opTok{opNe, 2}, true
	case "lt":
		return opTok{opLt, 2}, true
	case "le":
		return opTok{opLe, 2}, true
	case "gt":
		return opTok{opGt, 2}, true
	case "ge":
		return opTok{opGe, 2}, true
	}
	return opTok{}, false
}

var opLevel = [...]int{
	opOr: 0, opAnd: 1, opEq: 2, opNe: 2, opLt: 3, opLe: 3, opGt: 3, opGe: 3,
	opAdd: 4, opSub: 4, opMul: 5, opDiv: 5, opMod: 5,
}

func (p *parser) parseExpr() (expr, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxParseDepth {
		return nil, p.errorf(p.pos, "expression nesting too deep")
	}
	return p.parseBinary(0)
}

func (p *parser) parseBinary(level int) (expr, error) {
	if level > 5 {
		return p.parseUnary()
	}
	lstart := p.pos
	l, err := p.parseBinary(level + 1)
	if err != nil {
		return nil, err
	}
	lend := p.pos
	for {
		p.skipWS()
		opPos := p.pos
		t, ok := p.peekOp()
		if !ok || opLevel[t.op] != level {
			return l, nil
		}
		p.pos += t.len
		rstart := p.pos
		r, err := p.parseBinary(level + 1)
		if err != nil {
			return nil, err
		}
		l = &binaryExpr{pos: opPos, op: t.op, l: l, r: r,
			lLit: strings.TrimSpace(p.src[lstart:lend]), rLit: strings.TrimSpace(p.src[rstart:p.pos])}
		lend = p.pos
	}
}

func (p *parser) parseUnary() (expr, error) {
	p.skipWS()
	if (p.at(p.pos) == '!' && p.at(p.pos+1) != '=') || p.peekWord() == "not" {
		if p.at(p.pos) == '!' {
			p.pos++
		} else {
			p.pos += 3
		}
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxParseDepth {
			return nil, p.errorf(p.pos, "expression nesting too deep")
		}
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notExpr{x: x}, nil
	}
	e, err := p.parseAtom(true)
	if err != nil {
		return nil, err
	}
	p.skipWS()
	return e, nil
}
