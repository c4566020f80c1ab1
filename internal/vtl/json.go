package vtl

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonParser is a small, allocation-light JSON parser producing Values
// directly (object key order is kept).
type jsonParser struct {
	b     []byte
	i     int
	smart bool
	depth int
	// stack holds the keys/values of the objects and arrays being parsed,
	// so each one is allocated once with its exact size.
	stack []Value
	// keys interns object keys (those without escapes), boxed once:
	// documents repeat them, in every element of an array of objects.
	keys map[string]Value
}

// maxInternedKeys bounds keys, so that a document of many distinct keys
// costs no more than without interning.
const maxInternedKeys = 256

const maxJSONDepth = 10000

func (p *jsonParser) fail(msg string) error {
	return fmt.Errorf("vtl: invalid JSON at offset %d: %s", p.i, msg)
}

func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
			continue
		}
		return
	}
}

func (p *jsonParser) value() (Value, error) {
	p.ws()
	if p.i >= len(p.b) {
		return nil, p.fail("unexpected end of input")
	}
	switch c := p.b[p.i]; {
	case c == '{':
		empty, err := p.open('}')
		if err != nil {
			return nil, err
		}
		if empty {
			return NewMap(), nil
		}
		base := len(p.stack)
		for {
			p.ws()
			if !p.at('"') {
				return nil, p.fail("expected object key")
			}
			k, err := p.key()
			if err != nil {
				return nil, err
			}
			p.ws()
			if !p.at(':') {
				return nil, p.fail("expected ':'")
			}
			p.i++
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			p.stack = append(p.stack, k, v)
			more, err := p.next('}')
			if err != nil {
				return nil, err
			}
			if !more {
				break
			}
		}
		kv := p.stack[base:]
		n := len(kv) / 2
		// Keys and values share one allocation; each slice is capped, so
		// a later Put of a new key copies instead of overlapping.
		both := make([]Value, 2*n)
		m := &Map{keys: both[:0:n], vals: both[n : n : 2*n]}
		for j := 0; j < len(kv); j += 2 {
			m.Put(kv[j], kv[j+1])
		}
		clear(kv)
		p.stack = p.stack[:base]
		return m, nil
	case c == '[':
		empty, err := p.open(']')
		if err != nil {
			return nil, err
		}
		if empty {
			return &List{JSON: p.smart}, nil
		}
		base := len(p.stack)
		for {
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			p.stack = append(p.stack, v)
			more, err := p.next(']')
			if err != nil {
				return nil, err
			}
			if !more {
				break
			}
		}
		l := &List{JSON: p.smart, Items: append([]Value(nil), p.stack[base:]...)}
		clear(p.stack[base:])
		p.stack = p.stack[:base]
		return l, nil
	case c == '"':
		return p.str()
	case c == 't':
		return p.lit("true", true)
	case c == 'f':
		return p.lit("false", false)
	case c == 'n':
		return p.lit("null", nil)
	case c == '-' || c >= '0' && c <= '9':
		return p.num()
	}
	return nil, p.fail("unexpected character")
}

// at reports whether the next byte is c.
func (p *jsonParser) at(c byte) bool { return p.i < len(p.b) && p.b[p.i] == c }

// open consumes the '{' or '[' at p.i and reports whether the object or
// array is empty, in which case its closing bracket is consumed too.
func (p *jsonParser) open(close byte) (empty bool, err error) {
	p.depth++
	if p.depth > maxJSONDepth {
		return false, p.fail("nesting too deep")
	}
	p.i++
	p.ws()
	if p.at(close) {
		p.i++
		p.depth--
		return true, nil
	}
	return false, nil
}

// next consumes the ',' or the closing bracket that follows a member of an
// object or array; more reports a ','.
func (p *jsonParser) next(close byte) (more bool, err error) {
	p.ws()
	if p.i >= len(p.b) {
		return false, p.fail("unexpected end of input")
	}
	switch p.b[p.i] {
	case ',':
		p.i++
		return true, nil
	case close:
		p.i++
		p.depth--
		return false, nil
	}
	return false, p.fail("expected ',' or '" + string(close) + "'")
}

func (p *jsonParser) lit(word string, v Value) (Value, error) {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return nil, p.fail("invalid literal")
	}
	p.i += len(word)
	return v, nil
}

func (p *jsonParser) num() (Value, error) {
	start := p.i
	if p.b[p.i] == '-' {
		p.i++
	}
	digits := func() int {
		n := 0
		for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if digits() == 0 {
		return nil, p.fail("invalid number")
	}
	if p.at('.') {
		p.i++
		if digits() == 0 {
			return nil, p.fail("invalid number")
		}
	}
	if p.at('e') || p.at('E') {
		p.i++
		if p.at('+') || p.at('-') {
			p.i++
		}
		if digits() == 0 {
			return nil, p.fail("invalid number")
		}
	}
	// a valid JSON number: strconv accepts it (out of range gives ±Inf or 0)
	return numberFromJSON(string(p.b[start:p.i])), nil
}

// key parses an object key (p.b[p.i] == '"'), interned when it has no
// escape: the same Value as str would give, boxed once per document.
func (p *jsonParser) key() (Value, error) {
	start := p.i + 1
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			raw := p.b[start:j]
			if k, ok := p.keys[string(raw)]; ok {
				p.i = j + 1
				return k, nil
			}
			var k Value = string(raw)
			if len(p.keys) < maxInternedKeys {
				if p.keys == nil {
					p.keys = make(map[string]Value)
				}
				p.keys[k.(string)] = k
			}
			p.i = j + 1
			return k, nil
		case c == '\\' || c < 0x20:
			// Escapes and errors: the general path.
			return p.str()
		}
	}
	return p.str()
}

func (p *jsonParser) str() (string, error) {
	p.i++ // opening quote
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			s := string(p.b[start:p.i])
			p.i++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.fail("control character in string")
		}
		p.i++
	}
	buf := append([]byte(nil), p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		p.i++
		if p.i >= len(p.b) {
			break
		}
		e := p.b[p.i]
		p.i++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(utf8.RuneError)
				if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if lo, ok := p.hex4(); ok {
						r2 = utf16.DecodeRune(r, lo)
						if r2 == utf8.RuneError {
							p.i = save
						}
					} else {
						p.i = save
					}
				}
				r = r2
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.fail("invalid escape")
		}
	}
	return "", p.fail("unterminated string")
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	p.i += 4
	return r, true
}
