// Package patch decodes and checks the PATCH documents of API Gateway's Update*
// operations: {"patchOperations":[{"op","path","value","from"}]}.
//
// Each resource has its own grammar of patchable paths (AWS's "PATCH
// operations" reference); this package gives the shared parts: the operation
// enum check with AWS's ValidationException text, JSON-pointer unescaping of
// path segments, and the common error texts. The per-resource rules live with
// the control plane's handlers.
//
// Reference: https://docs.aws.amazon.com/apigateway/latest/api/patch-operations.html
package patch

import (
	"strconv"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
)

// Op is a patch operation name.
type Op string

// The operations of the service model's Op enum.
const (
	Add     Op = "add"
	Remove  Op = "remove"
	Replace Op = "replace"
	Move    Op = "move"
	Copy    Op = "copy"
	Test    Op = "test"
)

// enumMessageOrder is the order in which AWS lists the valid operations in
// its ValidationException (recorded from real AWS).
var enumMessageOrder = []string{"add", "remove", "move", "test", "replace", "copy"}

// Operation is one element of patchOperations. Pointers distinguish a
// member that is absent or null from an empty string.
type Operation struct {
	Op    *string `json:"op"`
	Path  *string `json:"path"`
	Value *string `json:"value"`
	From  *string `json:"from"`
}

// Document is the body of an Update* request.
type Document struct {
	PatchOperations []Operation `json:"patchOperations"`
}

// OpName returns the operation's op, or "" when absent.
func (o Operation) OpName() Op {
	if o.Op == nil {
		return ""
	}
	return Op(*o.Op)
}

// PathString returns the path as AWS quotes it in errors: the literal text,
// or "null" when the path is absent.
func (o Operation) PathString() string {
	if o.Path == nil {
		return "null"
	}
	return *o.Path
}

// CheckOps verifies that every op is in the enum, as AWS's input validation
// does before the operation runs. input is the lower-camel input shape name,
// e.g. "updateGatewayResponseInput"; indexes in the message are 1-based.
func CheckOps(input string, ops []Operation) error {
	var v awserr.Validation
	CheckOpsInto(&v, input, ops)
	return v.Err()
}

// CheckOpsInto is CheckOps recording the violations in v, so that they are
// reported together with other input violations (AWS lists the ops first).
func CheckOpsInto(v *awserr.Validation, input string, ops []Operation) {
	for i, o := range ops {
		if o.Op == nil {
			continue
		}
		switch Op(*o.Op) {
		case Add, Remove, Replace, Move, Copy, Test:
		default:
			v.Enum(input+".patchOperations."+strconv.Itoa(i+1)+".member.op", *o.Op, enumMessageOrder)
		}
	}
}

// InvalidPath is AWS's BadRequestException for a path the resource does not
// support with the operation: "Invalid patch path /wrongPath" ("null" when
// the path is absent).
func InvalidPath(o Operation) error {
	return awserr.BadRequest("Invalid patch path %s", o.PathString())
}

// InvalidOp is the BadRequestException for an operation that is missing or
// that the path does not support where AWS reports the operation rather than
// the path.
func InvalidOp() error {
	return awserr.BadRequest("Invalid patch operation specified. Must be 'add'|'remove'|'replace'")
}

// Segments splits a path such as "/responseTemplates/application~1json" into
// its unescaped segments ["responseTemplates", "application/json"]. It
// returns nil for a path that does not start with "/".
func Segments(path string) []string {
	if !strings.HasPrefix(path, "/") {
		return nil
	}
	parts := strings.Split(path[1:], "/")
	for i, p := range parts {
		parts[i] = Unescape(p)
	}
	return parts
}

// Unescape turns a JSON-pointer segment into the key it names: "~1" becomes
// "/" and "~0" becomes "~" (RFC 6901), as AWS documents for keys that hold
// slashes, e.g. "application~1json".
func Unescape(seg string) string {
	if !strings.Contains(seg, "~") {
		return seg
	}
	return strings.NewReplacer("~1", "/", "~0", "~").Replace(seg)
}
