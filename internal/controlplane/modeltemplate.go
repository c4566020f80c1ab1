package controlplane

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
)

// GetModelTemplate answers a mapping template that copies a body of the
// model's shape, in the form of the templates AWS's developer guide shows
// it generating ("#set($inputRoot = $input.path('$'))", then the shape with
// strings quoted, numbers and booleans bare, and arrays walked with
// #foreach). The exact whitespace of AWS's generator is unrecorded.

type templateJSON struct {
	Value string `json:"value"`
}

func (h *Handler) getModelTemplate(c *call) (any, error) {
	apiID, name := c.params["restapi_id"], c.params["model_name"]
	var out templateJSON
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		m, err := loadModel(tx, c.scope, apiID, name)
		if err != nil {
			return err
		}
		g := templateGen{tx: tx, apiID: apiID}
		var b strings.Builder
		b.WriteString("#set($inputRoot = $input.path('$'))\n")
		g.value(&b, parseOrdered([]byte(m.Schema)), "$inputRoot", "", 0)
		out.Value = b.String()
		return nil
	})
	return out, err
}

// ordered is a JSON object with its members in document order.
type ordered struct {
	keys []string
	vals map[string]json.RawMessage
}

// parseOrdered reads a JSON object keeping its member order; anything else
// is an empty object.
func parseOrdered(raw []byte) ordered {
	o := ordered{vals: map[string]json.RawMessage{}}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return o
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return o
		}
		k, _ := t.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return o
		}
		if _, dup := o.vals[k]; !dup {
			o.keys = append(o.keys, k)
		}
		o.vals[k] = v
	}
	return o
}

func (o ordered) str(key string) string {
	var s string
	json.Unmarshal(o.vals[key], &s)
	return s
}

type templateGen struct {
	tx    store.ReadTx
	apiID string
}

// maxTemplateDepth bounds nesting (and reference cycles).
const maxTemplateDepth = 8

// resolve follows a $ref to another model of the API.
func (g templateGen) resolve(s ordered, depth int) ordered {
	for i := 0; i < maxTemplateDepth; i++ {
		ref := s.str("$ref")
		name, ok := strings.CutPrefix(ref, model.ModelURL(g.apiID, ""))
		if ref == "" || !ok {
			return s
		}
		m, err := g.tx.Model(g.apiID, name)
		if err != nil {
			return s
		}
		s = parseOrdered([]byte(m.Schema))
	}
	return s
}

func (g templateGen) value(b *strings.Builder, s ordered, path, indent string, depth int) {
	s = g.resolve(s, depth)
	typ := s.str("type")
	if typ == "" {
		switch {
		case s.vals["properties"] != nil:
			typ = "object"
		case s.vals["items"] != nil:
			typ = "array"
		}
	}
	if depth >= maxTemplateDepth {
		typ = "string"
	}
	switch typ {
	case "object":
		props := parseOrdered(s.vals["properties"])
		b.WriteString("{\n")
		for i, k := range props.keys {
			b.WriteString(indent + "  \"" + k + "\" : ")
			g.value(b, parseOrdered(props.vals[k]), path+"."+k, indent+"  ", depth+1)
			if i < len(props.keys)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString(indent + "}")
	case "array":
		b.WriteString("[\n#foreach($elem in " + path + ")\n" + indent + " ")
		g.value(b, parseOrdered(s.vals["items"]), "$elem", indent+" ", depth+1)
		b.WriteString("#if($foreach.hasNext),#end\n#end\n" + indent + "]")
	case "number", "integer", "boolean":
		b.WriteString(path)
	default:
		b.WriteString("\"" + path + "\"")
	}
}
