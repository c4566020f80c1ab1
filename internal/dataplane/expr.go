package dataplane

import (
	"fmt"
	"strings"
)

// exprKind is the source of a parameter-mapping expression.
type exprKind uint8

const (
	exprLiteral exprKind = iota
	exprPath
	exprQuery
	exprMultiQuery
	exprHeader
	exprMultiHeader
	exprBody     // the whole body
	exprBodyPath // a JSONPath into the body
	exprStageVariable
	exprContext
)

// expr is a compiled mapping expression such as method.request.path.petId,
// 'literal', stageVariables.host or context.requestId. In an integration
// request the header/query/path/body kinds read the method request; in an
// integration response they read the integration (back-end) response.
type expr struct {
	kind exprKind
	name string // literal text, parameter name, JSONPath, or context name
}

// parseExpr compiles a mapping expression. prefix is "method.request." for
// integration request mappings and "integration.response." for integration
// response mappings.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html
func parseExpr(s, prefix string) (expr, error) {
	if len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'' {
		return expr{kind: exprLiteral, name: s[1 : len(s)-1]}, nil
	}
	if name, ok := strings.CutPrefix(s, "stageVariables."); ok && name != "" {
		return expr{kind: exprStageVariable, name: name}, nil
	}
	if name, ok := strings.CutPrefix(s, "context."); ok && name != "" {
		return expr{kind: exprContext, name: name}, nil
	}
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return expr{}, fmt.Errorf("invalid mapping expression %q", s)
	}
	if rest == "body" {
		return expr{kind: exprBody}, nil
	}
	if p, ok := strings.CutPrefix(rest, "body."); ok && p != "" {
		return expr{kind: exprBodyPath, name: "$." + p}, nil
	}
	kinds := []struct {
		pos  string
		kind exprKind
	}{
		{"path.", exprPath}, {"querystring.", exprQuery}, {"multivaluequerystring.", exprMultiQuery},
		{"header.", exprHeader}, {"multivalueheader.", exprMultiHeader},
	}
	for _, k := range kinds {
		if name, ok := strings.CutPrefix(rest, k.pos); ok && name != "" {
			return expr{kind: k.kind, name: name}, nil
		}
	}
	return expr{}, fmt.Errorf("invalid mapping expression %q", s)
}

// target is where a mapped value goes: a header, query parameter or path
// parameter of the integration request, or a header of the method response.
type target struct {
	kind exprKind // exprHeader, exprMultiHeader, exprQuery, exprMultiQuery or exprPath
	name string
}

// parseTarget compiles a mapping key such as integration.request.header.X
// (prefix "integration.request.") or method.response.header.X (prefix
// "method.response.").
func parseTarget(s, prefix string) (target, error) {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return target{}, fmt.Errorf("invalid mapping target %q", s)
	}
	for _, k := range []struct {
		pos  string
		kind exprKind
	}{
		{"header.", exprHeader}, {"multivalueheader.", exprMultiHeader},
		{"querystring.", exprQuery}, {"multivaluequerystring.", exprMultiQuery}, {"path.", exprPath},
	} {
		if name, ok := strings.CutPrefix(rest, k.pos); ok && name != "" {
			return target{kind: k.kind, name: name}, nil
		}
	}
	return target{}, fmt.Errorf("invalid mapping target %q", s)
}

// paramMapping is one compiled target ← expression pair.
type paramMapping struct {
	to   target
	from expr
}
