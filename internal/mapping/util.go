package mapping

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/gantryproject/gantry/internal/vtl"
)

// utilObject is $util.
type utilObject struct{}

// Property implements vtl.Object ($util has no properties).
func (utilObject) Property(string) (vtl.Value, bool) { return nil, false }

// String implements vtl.Object.
func (utilObject) String() string { return "$util" }

// Method implements vtl.Object. A null argument yields null (which prints
// as "" in API Gateway mode); an unknown function yields null too, which
// API Gateway also answers silently.
func (utilObject) Method(name string, args []vtl.Value) (vtl.Value, bool, error) {
	if len(args) != 1 {
		return nil, false, nil
	}
	if args[0] == nil {
		return nil, true, nil
	}
	s := vtl.ToString(args[0])
	switch name {
	case "escapeJavaScript":
		return EscapeJavaScript(s), true, nil
	case "parseJson":
		v, err := vtl.ParseJSONSmart([]byte(s))
		if err != nil {
			return nil, true, fmt.Errorf("$util.parseJson: invalid JSON: %v", err)
		}
		return v, true, nil
	case "urlEncode":
		return URLEncode(s), true, nil
	case "urlDecode":
		v, err := URLDecode(s)
		if err != nil {
			return nil, true, err
		}
		return v, true, nil
	case "base64Encode":
		return base64.StdEncoding.EncodeToString([]byte(s)), true, nil
	case "base64Decode":
		b, err := base64.StdEncoding.DecodeString(strings.TrimRight(s, "\r\n"))
		if err != nil {
			// tolerate missing padding, as Java's MIME-tolerant decoders do
			b, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
			if err != nil {
				return nil, true, fmt.Errorf("$util.base64Decode: %v", err)
			}
		}
		return string(b), true, nil
	}
	return nil, false, nil
}

// EscapeJavaScript escapes s with JavaScript string rules, like Apache
// Commons Lang 2.x StringEscapeUtils.escapeJavaScript (which API Gateway's
// $util.escapeJavaScript follows): \ ' " and / are backslash-escaped,
// \b \f \n \r \t use their short forms, other control characters and every
// character above 0x7E become \uXXXX (upper-case hex, UTF-16 units).
//
// Note, as AWS documents: the resulting \' is not valid inside JSON.
func EscapeJavaScript(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	u4 := func(c uint16) {
		b.WriteString(`\u`)
		b.WriteByte(hex[c>>12&15])
		b.WriteByte(hex[c>>8&15])
		b.WriteByte(hex[c>>4&15])
		b.WriteByte(hex[c&15])
	}
	for _, r := range s {
		switch {
		case r > 0xFFFF:
			r1, r2 := utf16.EncodeRune(r)
			u4(uint16(r1))
			u4(uint16(r2))
		case r > 0x7F:
			u4(uint16(r))
		case r < 32:
			switch r {
			case '\b':
				b.WriteString(`\b`)
			case '\n':
				b.WriteString(`\n`)
			case '\t':
				b.WriteString(`\t`)
			case '\f':
				b.WriteString(`\f`)
			case '\r':
				b.WriteString(`\r`)
			default:
				u4(uint16(r))
			}
		case r == '\'' || r == '"' || r == '\\' || r == '/':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// URLEncode is Java's URLEncoder.encode(s, "UTF-8"): letters, digits and
// . - * _ stay, a space becomes '+', everything else %XX (upper-case).
func URLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '.', c == '-', c == '*', c == '_':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// URLDecode is Java's URLDecoder.decode(s, "UTF-8"): '+' becomes a space
// and %XX sequences are decoded; a malformed escape is an error.
func URLDecode(s string) (string, error) {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || unhex(s[i+1]) < 0 || unhex(s[i+2]) < 0 {
				return "", fmt.Errorf("$util.urlDecode: illegal hex characters in escape (%%) pattern")
			}
			b = append(b, byte(unhex(s[i+1])<<4|unhex(s[i+2])))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
