package dataplane

import (
	"net/http"
	"net/url"

	"github.com/gantryproject/gantry/internal/mapping"
)

// valueSource is what mapping expressions read: the method request (for
// integration request mappings) or the integration response (for
// integration response mappings), plus stage variables and $context.
type valueSource struct {
	header    http.Header
	query     url.Values
	path      map[string]string
	body      func() []byte
	stageVars map[string]string
	context   func(string) (string, bool)
}

// methodSource reads the method request.
func (q *request) methodSource() *valueSource {
	return &valueSource{
		header: q.header(),
		query:  q.queryValues(),
		path:   q.pathParams,
		body: func() []byte {
			b, _ := q.readBody()
			return b
		},
		stageVars: q.stage.variables,
		context:   q.contextValue,
	}
}

// eval returns the values of e (one for single-valued sources, all of them
// for the multivalue forms) and whether the source has a value. A missing
// value leaves its target unset, as on AWS.
func (s *valueSource) eval(e expr) ([]string, bool, error) {
	one := func(v string, ok bool) ([]string, bool, error) {
		if !ok {
			return nil, false, nil
		}
		return []string{v}, true, nil
	}
	switch e.kind {
	case exprLiteral:
		return []string{e.name}, true, nil
	case exprStageVariable:
		v, ok := s.stageVars[e.name]
		return one(v, ok)
	case exprContext:
		if s.context == nil {
			return nil, false, nil
		}
		return one(s.context(e.name))
	case exprPath:
		v, ok := s.path[e.name]
		return one(v, ok)
	case exprHeader, exprMultiHeader:
		vals := s.header.Values(e.name)
		if len(vals) == 0 {
			return nil, false, nil
		}
		if e.kind == exprHeader {
			// A repeated header maps its last value, as in the proxy
			// event's single-value headers.
			return vals[len(vals)-1:], true, nil
		}
		return vals, true, nil
	case exprQuery, exprMultiQuery:
		vals := s.query[e.name]
		if len(vals) == 0 {
			return nil, false, nil
		}
		if e.kind == exprQuery {
			return vals[len(vals)-1:], true, nil
		}
		return vals, true, nil
	case exprBody:
		if s.body == nil {
			return nil, false, nil
		}
		return []string{string(s.body())}, true, nil
	case exprBodyPath:
		if s.body == nil {
			return nil, false, nil
		}
		v, ok := mapping.JSONPathValue(s.body(), e.name)
		return one(v, ok)
	}
	return nil, false, nil
}
