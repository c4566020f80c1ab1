package controlplane

// splitPage cuts the page that starts at index start (0 <= start <=
// len(all)) and holds at most limit items from all; rest holds the items
// after the page, empty when it is the last.
func splitPage[T any](all []T, start, limit int) (page, rest []T) {
	end := min(start+limit, len(all))
	return all[start:end], all[end:]
}
