package vtl

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Java regular expressions (String.matches, replaceAll, replaceFirst,
// split) are translated to Go's RE2 syntax. The common subset is identical.
// Differences, by design:
//
//   - Lookahead/lookbehind ((?=, (?!, (?<=, (?<!), atomic groups ((?>) and
//     backreferences (\1) have no RE2 equivalent: they fail with an error
//     (Java would evaluate them).
//   - Possessive quantifiers (*+, ++, ?+, {n}+) are treated as greedy ones;
//     this only differs when backtracking into them would change a match.
//   - POSIX classes in Java syntax (\p{Alpha}, \p{Digit}, \p{Lower},
//     \p{Upper}, \p{Alnum}, \p{Punct}, \p{Space}, \p{XDigit}, ...) become
//     the ASCII classes RE2 knows.
//   - Character class intersections ([a-z&&[^e]]) and nested classes fail
//     with an error.
//   - \Z is treated as \z, and $ (without MULTILINE) does not match before a
//     final line terminator as Java's does.
//   - Matching is linear-time, so patterns that make Java backtrack
//     catastrophically are safe here.

var regexCache sync.Map // string -> *regexp.Regexp
var regexCacheSize int64
var regexMu sync.Mutex

const maxRegexCache = 1000

var posixClasses = map[string]string{
	"Lower": `[a-z]`, "Upper": `[A-Z]`, "ASCII": `[\x00-\x7F]`, "Alpha": `[a-zA-Z]`,
	"Digit": `[0-9]`, "Alnum": `[a-zA-Z0-9]`, "Punct": `[!-/:-@\[-` + "`" + `{-~]`,
	"Graph": `[!-~]`, "Print": `[ -~]`, "Blank": `[ \t]`, "Cntrl": `[\x00-\x1F\x7F]`,
	"XDigit": `[0-9a-fA-F]`, "Space": `[ \t\n\x0B\f\r]`,
	"javaLowerCase": `\p{Ll}`, "javaUpperCase": `\p{Lu}`, "javaWhitespace": `\s`,
	"IsAlphabetic": `\p{L}`, "IsDigit": `\p{Nd}`, "IsLetter": `\p{L}`,
}

// translateJavaRegex converts a Java pattern into RE2 syntax.
func translateJavaRegex(p string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\':
			if i+1 >= len(p) {
				return "", fmt.Errorf("unexpected internal error near index %d: %s", i, p)
			}
			n := p[i+1]
			switch {
			case n >= '1' && n <= '9' && !inClass:
				return "", fmt.Errorf("regex backreferences are not supported: %s", p)
			case n == 'p' || n == 'P':
				if i+2 < len(p) && p[i+2] == '{' {
					end := strings.IndexByte(p[i+2:], '}')
					if end < 0 {
						return "", fmt.Errorf("unclosed character family: %s", p)
					}
					name := p[i+3 : i+2+end]
					if cls, ok := posixClasses[name]; ok {
						if n == 'P' || inClass {
							if strings.HasPrefix(cls, "[") {
								inner := cls[1 : len(cls)-1]
								if n == 'P' {
									if inClass {
										return "", fmt.Errorf("negated class inside a class is not supported: %s", p)
									}
									b.WriteString("[^" + inner + "]")
								} else {
									b.WriteString(inner)
								}
							} else {
								b.WriteString(cls)
							}
						} else {
							b.WriteString(cls)
						}
						i += 2 + end
						continue
					}
					name = strings.TrimPrefix(strings.TrimPrefix(name, "Is"), "In")
					b.WriteString(`\` + string(n) + "{" + name + "}")
					i += 2 + end
					continue
				}
				b.WriteString(p[i : i+2])
				i++
			case n == 'Z':
				b.WriteString(`\z`)
				i++
			case n == 'h':
				b.WriteString(`[ \t\xA0]`)
				i++
			case n == 'R':
				b.WriteString(`(?:\r\n|[\n\x0B\f\r\x85])`)
				i++
			case n == 'Q':
				end := strings.Index(p[i+2:], `\E`)
				var lit string
				if end < 0 {
					lit = p[i+2:]
					i = len(p)
				} else {
					lit = p[i+2 : i+2+end]
					i += 2 + end + 1
				}
				b.WriteString(regexp.QuoteMeta(lit))
			default:
				b.WriteString(p[i : i+2])
				i++
			}
		case inClass:
			if c == '[' {
				return "", fmt.Errorf("nested character classes are not supported: %s", p)
			}
			if c == '&' && i+1 < len(p) && p[i+1] == '&' {
				return "", fmt.Errorf("character class intersection is not supported: %s", p)
			}
			if c == ']' {
				inClass = false
			}
			b.WriteByte(c)
		case c == '[':
			inClass = true
			b.WriteByte(c)
			// a ']' right after '[' or '[^' is literal in Java too
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteString(`\]`)
				i++
			}
		case c == '(' && strings.HasPrefix(p[i:], "(?"):
			rest := p[i+2:]
			switch {
			case strings.HasPrefix(rest, "="), strings.HasPrefix(rest, "!"),
				strings.HasPrefix(rest, "<="), strings.HasPrefix(rest, "<!"):
				return "", fmt.Errorf("regex lookaround is not supported: %s", p)
			case strings.HasPrefix(rest, ">"):
				return "", fmt.Errorf("regex atomic groups are not supported: %s", p)
			case strings.HasPrefix(rest, "<"):
				b.WriteString("(?P<")
				i += 2
			default:
				b.WriteByte(c)
			}
		case (c == '+') && i > 0 && isQuantifierEnd(p, i):
			// possessive quantifier: treat as greedy
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// isQuantifierEnd reports whether p[i] ('+') follows a quantifier, making it
// a possessive marker.
func isQuantifierEnd(p string, i int) bool {
	prev := p[i-1]
	if i >= 2 && p[i-2] == '\\' {
		return false
	}
	return prev == '*' || prev == '+' || prev == '?' || prev == '}'
}

func compileJavaRegex(p string, full bool) (*regexp.Regexp, error) {
	key := p
	if full {
		key = "\x00" + p
	}
	if r, ok := regexCache.Load(key); ok {
		return r.(*regexp.Regexp), nil
	}
	t, err := translateJavaRegex(p)
	if err != nil {
		return nil, err
	}
	if full {
		t = `\A(?:` + t + `)\z`
	}
	r, err := regexp.Compile(t)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %v", p, err)
	}
	regexMu.Lock()
	if regexCacheSize < maxRegexCache {
		regexCacheSize++
		regexCache.Store(key, r)
	}
	regexMu.Unlock()
	return r, nil
}

// javaReplacement converts a Java replacement string ($1, ${name}, \$) into
// a Go expansion template.
func javaReplacement(repl string, re *regexp.Regexp) (string, error) {
	if !strings.ContainsAny(repl, `$\`) {
		return repl, nil
	}
	var b strings.Builder
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		switch c {
		case '\\':
			i++
			if i >= len(repl) {
				return "", fmt.Errorf("character to be escaped is missing")
			}
			if repl[i] == '$' {
				b.WriteString("$$")
			} else {
				b.WriteByte(repl[i])
			}
		case '$':
			i++
			if i >= len(repl) {
				return "", fmt.Errorf("illegal group reference: group index is missing")
			}
			if repl[i] == '{' {
				end := strings.IndexByte(repl[i:], '}')
				if end < 0 {
					return "", fmt.Errorf("named capturing group is missing trailing '}'")
				}
				name := repl[i+1 : i+end]
				if re.SubexpIndex(name) < 0 {
					return "", fmt.Errorf("no group with name {%s}", name)
				}
				b.WriteString("${" + name + "}")
				i += end
				continue
			}
			if repl[i] < '0' || repl[i] > '9' {
				return "", fmt.Errorf("illegal group reference")
			}
			// Java takes further digits while the group number stays valid.
			n := int(repl[i] - '0')
			if n > re.NumSubexp() {
				return "", fmt.Errorf("no group %d", n)
			}
			for i+1 < len(repl) && repl[i+1] >= '0' && repl[i+1] <= '9' {
				m := n*10 + int(repl[i+1]-'0')
				if m > re.NumSubexp() {
					break
				}
				n = m
				i++
			}
			fmt.Fprintf(&b, "${%d}", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func javaReplace(str, pattern, repl string, all bool, max int) (string, error) {
	re, err := compileJavaRegex(pattern, false)
	if err != nil {
		return "", err
	}
	tmpl, err := javaReplacement(repl, re)
	if err != nil {
		return "", err
	}
	var out []byte
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(str, -1) {
		out = append(out, str[last:m[0]]...)
		out = re.ExpandString(out, tmpl, str, m)
		last = m[1]
		if len(out) > max {
			return "", fmt.Errorf("string exceeds %d bytes: %w", max, ErrLimit)
		}
		if !all {
			break
		}
	}
	out = append(out, str[last:]...)
	return string(out), nil
}

// javaSplit implements String.split(regex, limit).
func javaSplit(str, pattern string, limit int) ([]string, error) {
	re, err := compileJavaRegex(pattern, false)
	if err != nil {
		return nil, err
	}
	if str == "" {
		return []string{""}, nil
	}
	n := -1
	if limit > 0 {
		n = limit
	}
	var parts []string
	last := 0
	for _, m := range re.FindAllStringIndex(str, -1) {
		if n > 0 && len(parts) == n-1 {
			break
		}
		if m[1] == 0 {
			// a zero-width match at the beginning never produces an
			// empty leading substring
			continue
		}
		if m[0] == m[1] && m[0] == len(str) {
			continue
		}
		parts = append(parts, str[last:m[0]])
		last = m[1]
	}
	parts = append(parts, str[last:])
	if limit == 0 {
		for len(parts) > 0 && parts[len(parts)-1] == "" {
			parts = parts[:len(parts)-1]
		}
	}
	return parts, nil
}
