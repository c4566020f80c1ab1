package controlplane

import (
	"slices"

	"github.com/gantryproject/gantry/internal/store"
)

// splitPage cuts the page that starts at index start (0 <= start <=
// len(all)) and holds at most limit items from all; rest holds the items
// after the page, empty when it is the last.
func splitPage[T any](all []T, start, limit int) (page, rest []T) {
	end := min(start+limit, len(all))
	return all[start:end], all[end:]
}

// pageByID cuts the page of all that starts at the item whose id is pos
// (the first item when pos is "") and holds at most limit items. next is the
// id of the item after the page, "" when the page is the last. A pos that
// names no item is store.ErrBadPosition.
func pageByID[T any](all []T, id func(T) string, pos string, limit int) (page []T, next string, err error) {
	start := 0
	if pos != "" {
		start = slices.IndexFunc(all, func(x T) bool { return id(x) == pos })
		if start < 0 {
			return nil, "", store.ErrBadPosition
		}
	}
	page, rest := splitPage(all, start, limit)
	if len(rest) > 0 {
		next = id(rest[0])
	}
	return page, next, nil
}

// listPage is the JSON of a paginated listing: the page's items under "item"
// and the position of the next page.
type listPage[J any] struct {
	Position string `json:"position,omitempty"`
	Items    []J    `json:"item"`
}

// pageOfAPI serves a Get* listing of the objects under the API named by the
// request's restapi_id label (limit and position as pageByID): list reads
// them, id names each for positions, out renders one.
func pageOfAPI[T, J any](h *Handler, c *call, list func(tx store.ReadTx, apiID string) ([]T, error),
	id func(T) string, out func(T) J) (any, error) {
	limit, err := c.limit()
	if err != nil {
		return nil, err
	}
	res := listPage[J]{Items: []J{}}
	err = h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		apiID := c.params["restapi_id"]
		if _, err := loadAPI(tx, c.scope, apiID); err != nil {
			return err
		}
		all, err := list(tx, apiID)
		if err != nil {
			return err
		}
		page, next, err := pageByID(all, id, c.query.Get("position"), limit)
		for _, x := range page {
			res.Items = append(res.Items, out(x))
		}
		res.Position = next
		return err
	})
	return res, err
}
