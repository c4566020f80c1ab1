package controlplane

import (
	"fmt"
	"strings"
)

// CoverageTable renders, as a Markdown table, every operation of the service
// model with its HTTP binding and whether Gantry serves it. README.md carries
// this table; a test keeps the two in step.
func (h *Handler) CoverageTable() string {
	var b strings.Builder
	served := 0
	for _, op := range operations {
		if h.Implemented(op.Name) {
			served++
		}
	}
	fmt.Fprintf(&b, "Gantry serves %d of the %d operations of the API Gateway service model (2015-07-09); the others answer\n", served, len(operations))
	b.WriteString("`501 NotImplementedException` naming the operation.\n\n")
	b.WriteString("| Operation | HTTP | Served |\n|---|---|---|\n")
	for _, op := range operations {
		path := op.Path
		if op.Query != "" {
			path += "?" + op.Query
		}
		mark := "no"
		if h.Implemented(op.Name) {
			mark = "yes"
		}
		fmt.Fprintf(&b, "| %s | `%s %s` | %s |\n", op.Name, op.Method, path, mark)
	}
	return b.String()
}
