package controlplane

import (
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/store"
)

// taggableARN matches the ARN of a resource,
// arn:<partition>:apigateway:<region>::<resource path>.
var taggableARN = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:([a-z0-9-]+)::(/.+)$`)

// taggable resolves a resource ARN to the resource path that holds its tags,
// checking that the resource exists. The taggable resources served are REST
// APIs (/restapis/{id}), their stages (/restapis/{id}/stages/{name}), API
// keys (/apikeys/{id}) and usage plans (/usageplans/{id}).
func (c *call) taggable(tx store.ReadTx) (string, error) {
	arn := c.params["resource_arn"]
	m := taggableARN.FindStringSubmatch(arn)
	if m == nil {
		return "", awserr.BadRequest("Invalid resource ARN specified: %s", arn)
	}
	if m[1] != c.scope.Region {
		return "", awserr.NotFound("Invalid resource ARN specified: %s is not in region %s", arn, c.scope.Region)
	}
	segs := strings.Split(m[2][1:], "/")
	if slices.Contains(segs, "") {
		return "", awserr.BadRequest("Invalid resource ARN specified: %s", arn)
	}
	var err error
	switch {
	case len(segs) == 2 && segs[0] == "restapis":
		_, err = loadAPI(tx, c.scope, segs[1])
	case len(segs) == 4 && segs[0] == "restapis" && segs[2] == "stages":
		_, err = loadAPIStage(tx, c.scope, segs[1], segs[3])
	case len(segs) == 2 && segs[0] == "apikeys":
		_, err = loadAPIKey(tx, segs[1])
	case len(segs) == 2 && segs[0] == "usageplans":
		_, err = loadUsagePlan(tx, segs[1])
	default:
		err = awserr.BadRequest("Invalid resource ARN specified: %s", arn)
	}
	return m[2], err
}

type tagsJSON struct {
	Tags map[string]string `json:"tags"`
}

// checkTags applies AWS's tag constraints: keys of 1 to 128 characters that
// do not start with "aws:", values of at most 256 characters.
func checkTags(tags map[string]string) error {
	for k, v := range tags {
		if k == "" || len(k) > 128 {
			return awserr.BadRequest("Tag keys must be between 1 and 128 characters")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return awserr.BadRequest("Tag keys cannot start with 'aws:'")
		}
		if len(v) > 256 {
			return awserr.BadRequest("Tag values must be at most 256 characters")
		}
	}
	return nil
}

func (h *Handler) tagResource(c *call) (any, error) {
	var in tagsJSON
	if err := c.decode(&in); err != nil {
		return nil, err
	}
	if in.Tags == nil {
		var v awserr.Validation
		v.NotNull("tagResourceInput.tags")
		return nil, v.Err()
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	return nil, h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		res, err := c.taggable(tx)
		if err != nil {
			return err
		}
		return tx.TagResource(res, in.Tags)
	})
}

func (h *Handler) untagResource(c *call) (any, error) {
	keys := c.query["tagKeys"]
	if keys == nil {
		var v awserr.Validation
		v.NotNull("tagKeys")
		return nil, v.Err()
	}
	return nil, h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		res, err := c.taggable(tx)
		if err != nil {
			return err
		}
		return tx.UntagResource(res, keys)
	})
}

func (h *Handler) getTags(c *call) (any, error) {
	var out tagsJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		res, err := c.taggable(tx)
		if err != nil {
			return err
		}
		out.Tags, err = tx.Tags(res)
		return err
	})
	return out, err
}

func (h *Handler) tagOps(m map[string]opFunc) {
	m["TagResource"] = h.tagResource
	m["UntagResource"] = h.untagResource
	m["GetTags"] = h.getTags
}

// untagAll removes every tag of a resource (the store keeps tags apart from
// what they tag, so deleting a resource leaves them).
func untagAll(tx store.Tx, resource string) error {
	tags, err := tx.Tags(resource)
	if err != nil || len(tags) == 0 {
		return err
	}
	return tx.UntagResource(resource, slices.Collect(maps.Keys(tags)))
}

// tagsOut renders a resource's tags. AWS omits empty tags from most answers
// but shows "tags": {} in some Update* answers; emptyTags selects the latter.
func tagsOut(tags map[string]string, emptyTags bool) map[string]string {
	if len(tags) > 0 {
		return tags
	}
	if emptyTags {
		return map[string]string{}
	}
	return nil
}

// withTags renders each item with the tags of its resource.
func withTags[T, R any](tx store.ReadTx, items []T, resource func(T) string, render func(T, map[string]string) R) ([]R, error) {
	out := make([]R, 0, len(items))
	for _, it := range items {
		tags, err := tx.Tags(resource(it))
		if err != nil {
			return nil, err
		}
		out = append(out, render(it, tags))
	}
	return out, nil
}
