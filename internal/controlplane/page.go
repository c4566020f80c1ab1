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
