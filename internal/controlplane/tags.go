package controlplane

import (
	"regexp"
	"strings"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/store"
)

// taggableARN matches the ARN of a taggable resource: a REST API,
// arn:<partition>:apigateway:<region>::/restapis/<id>, or one of its stages,
// .../restapis/<id>/stages/<name>.
var taggableARN = regexp.MustCompile(`^arn:aws[a-z-]*:apigateway:([a-z0-9-]+)::(/restapis/([^/]+)(?:/stages/([^/]+))?)$`)

// taggable resolves a resource ARN to the resource path that holds its tags,
// checking that the resource exists. REST APIs and stages are taggable
// today; API keys and the rest come with their resources.
func (c *call) taggable(tx store.ReadTx) (string, error) {
	arn := c.params["resource_arn"]
	m := taggableARN.FindStringSubmatch(arn)
	if m == nil {
		return "", awserr.BadRequest("Invalid resource ARN specified: %s", arn)
	}
	if m[1] != c.scope.Region {
		return "", awserr.NotFound("Invalid resource ARN specified: %s is not in region %s", arn, c.scope.Region)
	}
	if _, err := loadAPI(tx, c.scope, m[3]); err != nil {
		return "", err
	}
	if m[4] != "" {
		if _, err := loadStage(tx, m[3], m[4]); err != nil {
			return "", err
		}
	}
	return m[2], nil
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
