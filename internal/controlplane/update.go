package controlplane

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
)

// Shared parts of the Update* handlers of methods, method responses,
// integrations and integration responses, and of the functions that apply
// their patch operations.

// patchOps decodes the PATCH document of an Update* request and checks its
// ops as AWS's input validation does (as patch.CheckOps). input names the
// input shape in messages, e.g. "updateMethodResponseInput". With
// statusCode the {status_code} label is checked too and returned; AWS lists
// the ops' violations before the label's.
func (c *call) patchOps(input string, statusCode bool) (ops []patch.Operation, code string, err error) {
	var doc patch.Document
	if err := c.decode(&doc); err != nil {
		return nil, "", err
	}
	var v awserr.Validation
	patch.CheckOpsInto(&v, input, doc.PatchOperations)
	if statusCode {
		code = statusCodeLabel(c, &v)
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	return doc.PatchOperations, code, nil
}

// updateMethodOut runs fn as updateMethodDoc does and answers the body fn
// returns.
func (h *Handler) updateMethodOut(c *call, missing error, fn func(res *model.Resource, m *model.Method) (any, error)) (any, error) {
	var out any
	err := h.updateMethodDoc(c, missing, func(res *model.Resource, m *model.Method) error {
		var err error
		out, err = fn(res, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// opTarget reads what applying one patch operation needs: its op, the
// unescaped segments of its path and its value ("" when absent). An absent
// path is refused first, then an absent op.
func opTarget(o patch.Operation) (op patch.Op, segs []string, value string, err error) {
	if o.Path == nil {
		return "", nil, "", patch.InvalidPath(o)
	}
	op = o.OpName()
	if op == "" {
		return "", nil, "", patch.InvalidOp()
	}
	return op, patch.Segments(*o.Path), opValue(o), nil
}

func opValue(o patch.Operation) string {
	if o.Value == nil {
		return ""
	}
	return *o.Value
}

// opBool reads a boolean patch value: AWS takes "true" (any case) as true
// and anything else as false (recorded: "whatever" sets false).
func opBool(o patch.Operation) bool {
	return strings.EqualFold(opValue(o), "true")
}

// replaceOnly refuses any op but replace, with AWS's text for the paths of
// methods and integrations that take replace only.
func replaceOnly(op patch.Op) error {
	if op != patch.Replace {
		return awserr.BadRequest(msgReplaceOnly)
	}
	return nil
}

// replaceField sets *dst to v if op is replace.
func replaceField[T any](op patch.Op, dst *T, v T) error {
	if err := replaceOnly(op); err != nil {
		return err
	}
	*dst = v
	return nil
}

// patchListEntry adds item to *list (once; an empty item is ignored) or
// removes it; any other op is refused.
func patchListEntry(list *[]string, op patch.Op, item string) error {
	switch op {
	case patch.Add:
		if item != "" && !slices.Contains(*list, item) {
			*list = append(*list, item)
		}
	case patch.Remove:
		*list = slices.DeleteFunc(*list, func(s string) bool { return s == item })
	default:
		return awserr.BadRequest(msgAddRemoveOnly)
	}
	return nil
}

// patchMapEntry applies add, replace or remove to one key of *m, making the
// map if it is nil. Replacing or removing a key that is absent is a 404 with
// notFound as the text (recorded for method responses: "Invalid parameter
// name specified" and "Content-Type specified was not found").
func patchMapEntry[V any](m *map[string]V, op patch.Op, key string, value V, notFound string) error {
	if *m == nil {
		*m = map[string]V{}
	}
	_, exists := (*m)[key]
	switch op {
	case patch.Add:
		(*m)[key] = value
	case patch.Replace:
		if !exists {
			return awserr.NotFound(notFound)
		}
		(*m)[key] = value
	case patch.Remove:
		if !exists {
			return awserr.NotFound(notFound)
		}
		delete(*m, key)
	default:
		return patch.InvalidOp()
	}
	return nil
}

// pathRule is one patchable path of a resource, spelled as AWS spells it in
// its errors (templated parts in angle brackets), with the ops it takes.
type pathRule struct {
	path string
	ops  []patch.Op
}

// pathRules is a resource's PATCH grammar, in the order AWS lists the paths.
type pathRules []pathRule

// check refuses op on a path whose rule (shape: the path with its variable
// parts replaced by the rule's templates) does not take op, with AWS's text
// naming the paths that take op, e.g. (recorded for UpdateUsagePlan, boto3
// issue 2629):
//
//	Invalid patch path  '/apiStages/abc:dev' specified for op 'remove'. Must be one of: [/apiStages, /quota, ...]
//
// An op no path takes lists none ("Must be one of: []", recorded for
// UpdateUsage's add, boto3 issue 2504).
func (rs pathRules) check(op patch.Op, shape, path string) error {
	var valid []string
	for _, r := range rs {
		if !slices.Contains(r.ops, op) {
			continue
		}
		if r.path == shape {
			return nil
		}
		valid = append(valid, r.path)
	}
	return awserr.BadRequest("Invalid patch path  '%s' specified for op '%s'. Must be one of: [%s]", path, op, strings.Join(valid, ", "))
}

// parseIntValue reads an integer patch value of at least 0.
func parseIntValue(path, value string) (int64, error) {
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil || n < 0 {
		return 0, badPatchValue(path, value)
	}
	return n, nil
}

// parseRateValue reads a rate (requests per second) patch value of at
// least 0.
func parseRateValue(path, value string) (float64, error) {
	f, err := strconv.ParseFloat(value, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) {
		return 0, badPatchValue(path, value)
	}
	return f, nil
}
