package gatewayresponse

import (
	"fmt"
	"slices"
	"strings"
)

// Parameter key prefixes accepted in a customization's responseParameters.
// Only headers have a visible effect; AWS's OpenAPI documentation also lists
// the path and querystring positions, so Gantry accepts and ignores them.
const (
	HeaderPrefix      = "gatewayresponse.header."
	pathPrefix        = "gatewayresponse.path."
	querystringPrefix = "gatewayresponse.querystring."
)

// Value sources of a mapping expression, other than a 'quoted literal'.
var valuePrefixes = []string{
	"method.request.header.",
	"method.request.querystring.",
	"method.request.path.",
	"method.request.multivalueheader.",
	"method.request.multivaluequerystring.",
	"stageVariables.",
	"context.",
}

// ValidateParameters checks the keys and values of a customization's
// responseParameters. The error's text is AWS's, for example
//
//	Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: test-value]
//
// as recorded from real AWS for an unquoted literal value and for a
// method.response.header key.
func ValidateParameters(params map[string]string) error {
	var bad []string
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !validKey(k) {
			bad = append(bad, "Invalid mapping expression specified: "+k)
			continue
		}
		if !ValidExpression(params[k]) {
			bad = append(bad, "Invalid mapping expression specified: "+params[k])
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("Invalid mapping expression specified: Validation Result: warnings : [], errors : [%s]", strings.Join(bad, ", "))
}

func validKey(k string) bool {
	for _, p := range []string{HeaderPrefix, pathPrefix, querystringPrefix} {
		if name, ok := strings.CutPrefix(k, p); ok {
			return validToken(name)
		}
	}
	return false
}

// ValidExpression reports whether v is a mapping expression a gateway response
// may use: a 'single-quoted literal' (inner quotes allowed), a request header,
// query string or path parameter, a stage variable, or a context variable.
func ValidExpression(v string) bool {
	if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
		return true
	}
	for _, p := range valuePrefixes {
		if name, ok := strings.CutPrefix(v, p); ok {
			if p == "context." {
				return validContextPath(name)
			}
			return validToken(name)
		}
	}
	return false
}

// validToken reports whether s is a non-empty HTTP token (RFC 9110), the
// characters allowed in header and parameter names.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func validContextPath(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ValidStatusCode reports whether s matches the service model's StatusCode
// pattern [1-5]\d\d.
func ValidStatusCode(s string) bool {
	return len(s) == 3 && s[0] >= '1' && s[0] <= '5' && isDigit(s[1]) && isDigit(s[2])
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
