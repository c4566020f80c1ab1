// Package router is the data plane's resource router: given the resource
// paths of one deployed REST API, it finds the resource that serves a request
// path, with API Gateway's precedence rules.
//
// A resource path is a sequence of segments, each of which is one of:
//
//   - a literal, such as "pets", compared byte for byte (case-sensitive);
//   - a path parameter "{name}", matching exactly one non-empty segment;
//   - a greedy path parameter "{name+}", matching the rest of the path (one or
//     more segments). It must be the last segment of its path.
//
// When several resources match a request path, the most specific one wins,
// decided segment by segment from the left: a literal beats "{name}", which
// beats "{name+}". If the more specific choice fails further down the path,
// the router backtracks and tries the next kind. For example, with the
// resources "/a/b" and "/{x}/c", the request "/a/c" is served by "/{x}/c" with
// x=a.
//
// The resource paths are compiled into a trie of segments that Match walks
// depth first. The cost of a match depends on the request path (its number of
// segments) and on how the templates overlap along it, never on the number of
// resources in the API: literal children are found with a map lookup, and each
// trie node is visited at most once per match. At each segment at most two
// children can be descended into (the equal literal and the parameter) and one
// greedy leaf checked, so a path of d segments visits at most 2^d nodes in the
// pathological case where literals and parameters overlap at every level, and
// about d nodes for typical APIs.
package router

import (
	"fmt"
	"strings"
)

// Param is a path parameter bound by a match: the parameter's Name as written
// in the resource path (without the braces, and without the "+" of a greedy
// parameter) and its raw Value as it appears in the request path.
//
// Values are not percent-decoded; the caller decodes them if it needs to.
type Param struct{ Name, Value string }

// Router matches request paths against a fixed set of resource paths. It is
// immutable and safe for concurrent use.
//
// The zero Router matches nothing; use New to build one.
type Router struct {
	root *node
}

// node is one segment position of the trie. Each node stands for one distinct
// template prefix.
type node struct {
	// index is the resource whose path ends at this node, or -1.
	index int

	// literals are the children reached by a literal segment.
	literals map[string]*node

	// param is the child reached by a {name} segment, or nil. At most one
	// parameter name is allowed per position (AWS: "A sibling ({a}) of this
	// resource already has a variable path part -- only one is allowed").
	param     *node
	paramName string

	// greedy is the resource whose path ends with a {name+} segment here,
	// or -1. A greedy segment is always last, so it needs no node of its own.
	greedy     int
	greedyName string
}

func newNode() *node { return &node{index: -1, greedy: -1} }

// segment kinds of a template
const (
	kindLiteral = iota
	kindParam
	kindGreedy
)

// New compiles resource paths such as "/", "/pets", "/pets/{petId}",
// "/{proxy+}" and "/files/{path+}" into a Router. The position of a path in
// paths is the index that Match returns for it.
//
// Every path must start with "/"; "/" alone is the root resource. New returns
// an error for an invalid template: an empty segment (including a trailing
// slash such as "/pets/"), a greedy {name+} segment that is not the last one,
// malformed braces (such as "{}", "{a", "a}", "x{a}" or "{a+b}"), a path
// listed twice, or two different parameter names at the same position under
// the same parent (such as "/{a}" and "/{b}", which AWS rejects too).
//
// A parameter "{id}" and a greedy parameter "{proxy+}" may be siblings: the
// parameter takes precedence.
func New(paths []string) (*Router, error) {
	root := newNode()
	for i, p := range paths {
		if err := root.insert(p, i); err != nil {
			return nil, err
		}
	}
	return &Router{root: root}, nil
}

// Decisions where AWS behaviour is unclear or deliberately not mirrored:
//
//   - {id} and {proxy+} as siblings are accepted, with {id} taking
//     precedence. AWS's CreateResource appears to reject this pair with the
//     same "A sibling ({id}) of this resource already has a variable path part
//     -- only one is allowed" error (reported by users of the Serverless
//     framework, e.g. serverless-nextjs/serverless-next.js#206 and #938). The
//     router is deliberately more permissive; the control plane is the place
//     to enforce AWS's creation rules.
//   - Two greedy siblings with different names ({proxy+} and {path+}) are
//     rejected, like two {name} siblings: the choice between them would be
//     arbitrary.
//   - Only braces are checked in segments. The character set of path parts
//     (AWS: a-zA-Z0-9._- and, for parameters, the braces and "+") is the
//     control plane's concern; literals here are any brace-free bytes,
//     compared with the raw escaped request path.
//   - Request paths: an empty segment ("/a//b") matches no literal or
//     parameter; a greedy value keeps inner empty segments verbatim ("a//b")
//     but must start with a non-empty segment. Only one trailing slash is
//     dropped, so "//" is the root and "/pets//" does not match "/pets".

// insert adds the resource path p with index idx to the trie rooted at n.
func (n *node) insert(p string, idx int) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("router: resource path %q must start with \"/\"", p)
	}
	if p == "/" {
		if n.index >= 0 {
			return fmt.Errorf("router: duplicate resource path %q (indexes %d and %d)", p, n.index, idx)
		}
		n.index = idx
		return nil
	}
	segs := strings.Split(p[1:], "/")
	for i, seg := range segs {
		kind, name, err := parseSegment(seg)
		if err != nil {
			return fmt.Errorf("router: resource path %q: %v", p, err)
		}
		last := i == len(segs)-1
		switch kind {
		case kindLiteral:
			c := n.literals[name]
			if c == nil {
				if n.literals == nil {
					n.literals = make(map[string]*node)
				}
				c = newNode()
				n.literals[name] = c
			}
			n = c
		case kindParam:
			if n.param == nil {
				n.param = newNode()
				n.paramName = name
			} else if n.paramName != name {
				return fmt.Errorf("router: resource path %q: a sibling ({%s}) already has a variable path part -- only one is allowed", p, n.paramName)
			}
			n = n.param
		case kindGreedy:
			if !last {
				return fmt.Errorf("router: resource path %q: greedy path part {%s+} must be the last segment", p, name)
			}
			if n.greedy >= 0 {
				if n.greedyName != name {
					return fmt.Errorf("router: resource path %q: a sibling ({%s+}) already has a greedy path part -- only one is allowed", p, n.greedyName)
				}
				return fmt.Errorf("router: duplicate resource path %q (indexes %d and %d)", p, n.greedy, idx)
			}
			n.greedy = idx
			n.greedyName = name
			return nil
		}
	}
	if n.index >= 0 {
		return fmt.Errorf("router: duplicate resource path %q (indexes %d and %d)", p, n.index, idx)
	}
	n.index = idx
	return nil
}

// parseSegment classifies one template segment and returns the literal text
// or the parameter name.
func parseSegment(seg string) (kind int, name string, err error) {
	if seg == "" {
		return 0, "", fmt.Errorf("empty path part")
	}
	if seg[0] != '{' {
		if strings.ContainsAny(seg, "{}") {
			return 0, "", fmt.Errorf("malformed path part %q: braces must enclose the whole part", seg)
		}
		return kindLiteral, seg, nil
	}
	if len(seg) < 2 || seg[len(seg)-1] != '}' {
		return 0, "", fmt.Errorf("malformed path part %q: missing closing brace", seg)
	}
	name = seg[1 : len(seg)-1]
	kind = kindParam
	if strings.HasSuffix(name, "+") {
		kind = kindGreedy
		name = name[:len(name)-1]
	}
	if name == "" {
		return 0, "", fmt.Errorf("malformed path part %q: empty parameter name", seg)
	}
	if strings.ContainsAny(name, "{}+") {
		return 0, "", fmt.Errorf("malformed path part %q: invalid parameter name", seg)
	}
	return kind, name, nil
}

// Match returns the index (in the paths given to New) of the resource that
// serves path, a request's escaped URL path such as "/pets/5", and appends
// the parameters bound by the match to params. It returns -1 and params
// unchanged if no resource matches.
//
// Match does not allocate when params has enough capacity for the bound
// parameters; pass a reused slice truncated to length zero, such as
// buf[:0], to avoid allocation.
//
// Request path rules:
//
//   - "/" and "" are the root resource "/". A greedy resource at the root,
//     "/{proxy+}", does not match the root: the root needs its own resource.
//   - A single trailing slash is ignored: "/pets/" is served like "/pets".
//   - An empty segment, as in "/pets//5", matches neither a literal nor a
//     {name} parameter. It can only be part of a greedy value, and only after
//     the greedy value's first segment: "/files/a//b" binds path="a//b" for
//     "/files/{path+}", but "/files//b" matches nothing there.
//   - A greedy value is the raw rest of the path, its segments joined by "/",
//     without a leading slash (and without the ignored trailing slash).
//   - Paths that do not start with "/" (other than "") match nothing.
func (r *Router) Match(path string, params []Param) (int, []Param) {
	if r == nil || r.root == nil {
		return -1, params
	}
	// Ignore a single trailing slash. "//" thereby becomes "/", the root.
	if len(path) > 1 && path[len(path)-1] == '/' {
		path = path[:len(path)-1]
	}
	if path == "" || path == "/" {
		return r.root.index, params
	}
	if path[0] != '/' {
		return -1, params
	}
	return r.root.match(path[1:], 0, params)
}

// match matches the segments of p starting at offset i against the subtree
// rooted at n. i > len(p) means that all segments have been consumed. On
// failure it returns -1 and params with its original length.
func (n *node) match(p string, i int, params []Param) (int, []Param) {
	if i > len(p) {
		return n.index, params
	}
	end := strings.IndexByte(p[i:], '/')
	if end < 0 {
		end = len(p)
	} else {
		end += i
	}
	seg := p[i:end]
	if seg == "" {
		// An empty segment matches no literal and no parameter, and a greedy
		// value must begin with a non-empty segment.
		return -1, params
	}
	if c := n.literals[seg]; c != nil {
		if idx, ps := c.match(p, end+1, params); idx >= 0 {
			return idx, ps
		}
	}
	if n.param != nil {
		ps := append(params, Param{Name: n.paramName, Value: seg})
		if idx, ps := n.param.match(p, end+1, ps); idx >= 0 {
			return idx, ps
		}
	}
	if n.greedy >= 0 {
		return n.greedy, append(params, Param{Name: n.greedyName, Value: p[i:]})
	}
	return -1, params
}
