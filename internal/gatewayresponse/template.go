package gatewayresponse

import (
	"strings"
	"unicode/utf8"
)

// Gateway response templates are not VTL: AWS documents "simple variable
// substitution only" (reference §4.5;
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseTemplates.html).
// Only $context.* and $stageVariables.* references are replaced; directives
// (#if, #set, #foreach), $util, $input and any other $name are emitted as
// written.

// refKind says what a template segment or header source produces.
type refKind uint8

const (
	refLiteral            refKind = iota // segment.text itself
	refUndefined                         // renders empty (an unknown $context.error.* name)
	refErrorMessage                      // $context.error.message
	refErrorMessageString                // $context.error.messageString
	refErrorResponseType                 // $context.error.responseType
	refErrorValidation                   // $context.error.validationErrorString
	refContext                           // $context.<text>, resolved by Request.Context
	refStageVariable                     // $stageVariables.<text>
)

// segment is a piece of a compiled template: literal text or a variable
// reference (text is then the dotted name after "context." or
// "stageVariables.").
type segment struct {
	kind refKind
	text string
}

// template is a compiled response template.
type template struct {
	mediaType string
	segs      []segment
	// literal is the total length of the literal text, to size the output.
	literal int
}

// compileTemplate splits src into literal text and variable references.
func compileTemplate(mediaType, src string) template {
	t := template{mediaType: mediaType}
	lit := 0 // start of the pending literal text
	for i := 0; i < len(src); {
		j := strings.IndexByte(src[i:], '$')
		if j < 0 {
			break
		}
		i += j
		seg, n := parseReference(src[i:])
		if n == 0 {
			i++
			continue
		}
		if lit < i {
			t.segs = append(t.segs, segment{kind: refLiteral, text: src[lit:i]})
			t.literal += i - lit
		}
		t.segs = append(t.segs, seg)
		i += n
		lit = i
	}
	if lit < len(src) {
		t.segs = append(t.segs, segment{kind: refLiteral, text: src[lit:]})
		t.literal += len(src) - lit
	}
	return t
}

// parseReference parses a reference at the start of s (s[0] == '$'):
// $context.a.b, ${context.a.b}, $stageVariables.x or ${stageVariables.x}. The
// name is one or more "." + [A-Za-z0-9_]+ parts, longest match; a "." not
// followed by an identifier character is not part of it ("$context.stage."
// is the reference $context.stage followed by a literal "."). The brace form
// needs its "}" right after the name. It returns the length consumed, 0 when
// s does not start with a reference.
func parseReference(s string) (segment, int) {
	p := 1
	brace := len(s) > 1 && s[1] == '{'
	if brace {
		p = 2
	}
	var kind refKind
	switch {
	case strings.HasPrefix(s[p:], "context"):
		kind, p = refContext, p+len("context")
	case strings.HasPrefix(s[p:], "stageVariables"):
		kind, p = refStageVariable, p+len("stageVariables")
	default:
		return segment{}, 0
	}
	start := p
	for p+1 < len(s) && s[p] == '.' && isIdentByte(s[p+1]) {
		p += 2
		for p < len(s) && isIdentByte(s[p]) {
			p++
		}
	}
	if p == start {
		return segment{}, 0
	}
	name := s[start+1 : p]
	if brace {
		if p >= len(s) || s[p] != '}' {
			return segment{}, 0
		}
		p++
	}
	if kind == refContext {
		kind = contextKind(name)
	}
	return segment{kind: kind, text: name}, p
}

// contextKind classifies a $context variable name: the error.* variables
// are the renderer's own, everything else is the Request's.
func contextKind(name string) refKind {
	rest, ok := strings.CutPrefix(name, "error.")
	if !ok {
		return refContext
	}
	switch rest {
	case "message":
		return refErrorMessage
	case "messageString":
		return refErrorMessageString
	case "responseType":
		return refErrorResponseType
	case "validationErrorString":
		return refErrorValidation
	}
	return refUndefined
}

func isIdentByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_'
}

// appendJSONString appends s as a JSON string literal, escaped as
// encoding/json does with HTML escaping off: " and \ backslash-escaped,
// control characters as \b \f \n \r \t or \u00XX, U+2028 and U+2029 as
// \u2028 \u2029, and invalid UTF-8 replaced by \ufffd.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
