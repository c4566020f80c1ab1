package controlplane

import (
	"encoding/base64"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/ids"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/store"
)

// AWS's texts for resources. Unless noted, each was recorded from real AWS
// (LocalStack's AWS-validated snapshots of the API Gateway control plane).
const (
	msgResourceNotFound = "Invalid Resource identifier specified"
	// msgPathPart is AWS's text for an invalid pathPart (as reported by
	// users and mirrored by moto). AWS accepts a few characters the text
	// does not list (':' and '$' are reported to work), see pathPartLiteral.
	msgPathPart     = "Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end and an optional plus sign before the closing brace."
	msgSiblingName  = "Another resource with the same parent already has this name: %s"
	msgSiblingVar   = "A sibling (%s) of this resource already has a variable path part -- only one is allowed"
	msgGreedyParent = "Cannot create a child of a resource with a greedy path variable: %s"
	msgCyclical     = "Resources cannot be cyclical."
	msgRootPathPart = "Root resource cannot update its pathPart."
	msgRootParentID = "Root resource cannot update its parentId."
	// msgRootDelete is Gantry's text: AWS's answer to deleting the root
	// resource is unrecorded.
	msgRootDelete          = "Root resource cannot be deleted."
	msgResourcePatchPath   = "Invalid patch path  '%s' specified for op '%s'. Must be one of: [/parentId, /pathPart]"
	msgResourcePatchOp     = "Invalid patch path  '%s' specified for op '%s'. Please choose supported operations"
	msgInvalidPosition     = "Invalid position parameter"
	resourcePatchPathPart  = "/pathPart"
	resourcePatchParentID  = "/parentId"
	embedMethodsQueryValue = "methods"
)

var (
	// pathPartLiteral is a literal path segment: the characters of AWS's
	// message plus ':', ',' and '$', which AWS is reported to accept.
	pathPartLiteral = regexp.MustCompile(`^[A-Za-z0-9._\-:,$]+$`)
	// pathPartVariable is {name} or the greedy {name+}.
	pathPartVariable = regexp.MustCompile(`^\{[A-Za-z0-9._$-]+\+?\}$`)
)

// resourceNotFound is AWS's answer for an unknown resource. AWS gives the
// same answer when the API itself does not exist in operations addressed by
// a resource (recorded for PutMethod, GetIntegration, PutIntegrationResponse
// and others), so Gantry does not look the API up first.
func resourceNotFound() error { return awserr.NotFound(msgResourceNotFound) }

// loadResource reads a resource with its methods, translating ErrNotFound.
func loadResource(tx store.ReadTx, apiID, id string) (model.Resource, error) {
	r, err := tx.Resource(apiID, id)
	return r, notFoundAs(err, resourceNotFound())
}

// resourceJSON is the wire form of the Resource shape. The root resource has
// no parentId and no pathPart.
type resourceJSON struct {
	ID              string         `json:"id"`
	ParentID        string         `json:"parentId,omitempty"`
	PathPart        string         `json:"pathPart,omitempty"`
	Path            string         `json:"path"`
	ResourceMethods map[string]any `json:"resourceMethods,omitempty"`
}

// resourceOut renders a resource. With embed (?embed=methods) each method is
// rendered in full, with its responses and integration; without it the map
// only names the methods, each as {} (the form of AWS's get-resources
// examples; AWS's exact choice for GetResource without embed is not
// recorded, Gantry answers the same way for both).
func resourceOut(r model.Resource, embed bool) resourceJSON {
	out := resourceJSON{ID: r.ID, ParentID: r.ParentID, PathPart: r.PathPart, Path: r.Path}
	if len(r.Methods) > 0 {
		out.ResourceMethods = make(map[string]any, len(r.Methods))
		for name, m := range r.Methods {
			if embed {
				out.ResourceMethods[name] = methodOut(m)
			} else {
				out.ResourceMethods[name] = struct{}{}
			}
		}
	}
	return out
}

// embedMethods reports whether the request asks for embed=methods. The
// parameter is a list, sent repeated or comma-separated.
func (c *call) embedMethods() bool {
	for _, v := range c.query["embed"] {
		for _, part := range strings.Split(v, ",") {
			if strings.TrimSpace(part) == embedMethodsQueryValue {
				return true
			}
		}
	}
	return false
}

func isVariablePart(p string) bool { return strings.HasPrefix(p, "{") }
func isGreedyPart(p string) bool   { return strings.HasSuffix(p, "+}") }

func checkPathPart(p string) error {
	if pathPartLiteral.MatchString(p) || pathPartVariable.MatchString(p) {
		return nil
	}
	return awserr.BadRequest(msgPathPart)
}

// childPath is the full path of a child of parentPath.
func childPath(parentPath, part string) string {
	if parentPath == "/" {
		return "/" + part
	}
	return parentPath + "/" + part
}

// checkSiblings verifies that a resource (self, "" for a new one) may take
// pathPart under parent. A name already taken is a conflict, checked before
// the one-variable-per-level rule (AWS reports the conflict for a variable
// name that already exists).
func checkSiblings(all []model.Resource, parent model.Resource, self, pathPart string) error {
	if isGreedyPart(parent.PathPart) {
		return awserr.BadRequest(msgGreedyParent, parent.PathPart)
	}
	for _, s := range all {
		if s.ParentID == parent.ID && s.ID != self && s.PathPart == pathPart {
			return awserr.Conflict(msgSiblingName, pathPart)
		}
	}
	if isVariablePart(pathPart) {
		for _, s := range all {
			if s.ParentID == parent.ID && s.ID != self && isVariablePart(s.PathPart) {
				return awserr.BadRequest(msgSiblingVar, s.PathPart)
			}
		}
	}
	return nil
}

type createResourceInput struct {
	PathPart *string `json:"pathPart"`
}

func (h *Handler) createResource(c *call) (any, error) {
	var in createResourceInput
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.PathPart == nil {
		var v awserr.Validation
		v.NotNull("createResourceInput.pathPart")
		return nil, v.Err()
	}
	apiID := c.params["restapi_id"]
	var out resourceJSON
	err := h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		parent, err := loadResource(tx, apiID, c.params["parent_id"])
		if err != nil {
			return err
		}
		if err := checkPathPart(*in.PathPart); err != nil {
			return err
		}
		all, err := tx.Resources(apiID)
		if err != nil {
			return err
		}
		if err := checkSiblings(all, parent, "", *in.PathPart); err != nil {
			return err
		}
		r := model.Resource{
			ID:       ids.New(10),
			ParentID: parent.ID,
			PathPart: *in.PathPart,
			Path:     childPath(parent.Path, *in.PathPart),
		}
		out = resourceOut(r, false)
		return tx.PutResource(apiID, r)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (h *Handler) getResource(c *call) (any, error) {
	var out resourceJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		r, err := loadResource(tx, c.params["restapi_id"], c.params["resource_id"])
		out = resourceOut(r, c.embedMethods())
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

type resourcesJSON struct {
	Position string         `json:"position,omitempty"`
	Items    []resourceJSON `json:"item"`
}

// getResources lists an API's resources ordered by path (AWS's order is
// unrecorded; by path the tree reads top-down and pages are stable). The
// position is an opaque token naming the last path of the previous page, so
// paging survives resources being added or deleted in between.
func (h *Handler) getResources(c *call) (any, error) {
	limit, err := c.limit()
	if err != nil {
		return nil, err
	}
	after := ""
	if p := c.query.Get("position"); p != "" {
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil || len(b) == 0 {
			return nil, awserr.BadRequest(msgInvalidPosition)
		}
		after = string(b)
	}
	apiID := c.params["restapi_id"]
	embed := c.embedMethods()
	out := resourcesJSON{Items: []resourceJSON{}}
	err = h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		all, err := tx.Resources(apiID)
		if err != nil {
			return err
		}
		slices.SortFunc(all, func(a, b model.Resource) int { return strings.Compare(a.Path, b.Path) })
		start := 0
		if after != "" {
			start = len(all)
			for i, r := range all {
				if r.Path > after {
					start = i
					break
				}
			}
		}
		page, rest := splitPage(all, start, limit)
		for _, r := range page {
			out.Items = append(out.Items, resourceOut(r, embed))
		}
		if len(rest) > 0 {
			out.Position = base64.RawURLEncoding.EncodeToString([]byte(page[len(page)-1].Path))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updateResource renames or moves a resource (replace on /pathPart and
// /parentId, the only paths AWS accepts) and rewrites the paths of its whole
// subtree. Every operation is checked against the state left by the ones
// before it; nothing is stored unless all succeed.
func (h *Handler) updateResource(c *call) (any, error) {
	ops, _, err := c.patchOps("updateResourceInput", false)
	if err != nil {
		return nil, err
	}
	apiID := c.params["restapi_id"]
	var out resourceJSON
	err = h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		self, err := loadResource(tx, apiID, c.params["resource_id"])
		if err != nil {
			return err
		}
		all, err := tx.Resources(apiID)
		if err != nil {
			return err
		}
		byID := make(map[string]*model.Resource, len(all))
		for i := range all {
			byID[all[i].ID] = &all[i]
		}
		cur := byID[self.ID]
		if cur == nil {
			return resourceNotFound()
		}
		for _, o := range ops {
			if err := patchResource(all, byID, cur, o); err != nil {
				return err
			}
		}
		// Rewrite the paths of the resource and of every descendant, and
		// store those that changed.
		children := map[string][]*model.Resource{}
		for i := range all {
			children[all[i].ParentID] = append(children[all[i].ParentID], &all[i])
		}
		queue := []*model.Resource{cur}
		if parent := byID[cur.ParentID]; parent != nil { // the root never moves
			cur.Path = childPath(parent.Path, cur.PathPart)
		}
		for len(queue) > 0 {
			r := queue[0]
			queue = queue[1:]
			for _, ch := range children[r.ID] {
				ch.Path = childPath(r.Path, ch.PathPart)
				queue = append(queue, ch)
			}
		}
		old, err := tx.Resources(apiID)
		if err != nil {
			return err
		}
		for i := range old {
			now := byID[old[i].ID]
			if now.Path != old[i].Path || now.ParentID != old[i].ParentID || now.PathPart != old[i].PathPart {
				if err := tx.PutResource(apiID, *now); err != nil {
					return err
				}
			}
		}
		out = resourceOut(*cur, false)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// patchResource applies one operation of UpdateResource to cur.
func patchResource(all []model.Resource, byID map[string]*model.Resource, cur *model.Resource, o patch.Operation) error {
	op := o.OpName()
	if op == "" {
		return patch.InvalidOp()
	}
	path := o.PathString()
	if path != resourcePatchPathPart && path != resourcePatchParentID {
		return awserr.BadRequest(msgResourcePatchPath, path, op)
	}
	if op != patch.Replace {
		return awserr.BadRequest(msgResourcePatchOp, path, op)
	}
	value := ""
	if o.Value != nil {
		value = *o.Value
	}
	if cur.ParentID == "" {
		if path == resourcePatchPathPart {
			return awserr.BadRequest(msgRootPathPart)
		}
		return awserr.BadRequest(msgRootParentID)
	}
	if path == resourcePatchPathPart {
		if err := checkPathPart(value); err != nil {
			return err
		}
		if err := checkSiblings(all, *byID[cur.ParentID], cur.ID, value); err != nil {
			return err
		}
		cur.PathPart = value
		return nil
	}
	parent := byID[value]
	if parent == nil {
		return resourceNotFound()
	}
	// The new parent must not be the resource itself or one of its
	// descendants.
	for p := parent; p != nil; p = byID[p.ParentID] {
		if p.ID == cur.ID {
			return awserr.BadRequest(msgCyclical)
		}
		if p.ParentID == "" {
			break
		}
	}
	if err := checkSiblings(all, *parent, cur.ID, cur.PathPart); err != nil {
		return err
	}
	cur.ParentID = parent.ID
	return nil
}

// deleteResource removes a resource and its whole subtree, with their
// methods. The root cannot be deleted.
func (h *Handler) deleteResource(c *call) (any, error) {
	apiID := c.params["restapi_id"]
	return nil, h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		r, err := loadResource(tx, apiID, c.params["resource_id"])
		if err != nil {
			return err
		}
		if r.ParentID == "" {
			return awserr.BadRequest(msgRootDelete)
		}
		all, err := tx.Resources(apiID)
		if err != nil {
			return err
		}
		doomed := []string{r.ID}
		for i := 0; i < len(doomed); i++ {
			for _, s := range all {
				if s.ParentID == doomed[i] {
					doomed = append(doomed, s.ID)
				}
			}
		}
		for _, id := range doomed {
			if err := tx.DeleteResource(apiID, id); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	})
}

func (h *Handler) resourceOps(m map[string]opFunc) {
	m["CreateResource"] = h.createResource
	m["GetResource"] = h.getResource
	m["GetResources"] = h.getResources
	m["UpdateResource"] = h.updateResource
	m["DeleteResource"] = h.deleteResource
}
