package modelschema

import (
	"testing"

	"github.com/gantryproject/gantry/internal/model"
)

var benchModels = []model.Model{
	{Name: "Pet", Schema: `{"type":"object","required":["name","price"],"properties":{
		"name":{"type":"string","minLength":1,"maxLength":64},"price":{"type":"number","minimum":0},
		"tags":{"type":"array","items":{"type":"string"},"maxItems":10},
		"owner":{"$ref":"https://apigateway.amazonaws.com/restapis/abc123/models/Owner"}}}`},
	{Name: "Owner", Schema: `{"type":"object","required":["email"],"properties":{"email":{"type":"string","pattern":"^[^@]+@[^@]+$"}}}`},
}

// BenchmarkValidate measures one body of about 0.2 KB against a model with
// a reference, valid and invalid.
func BenchmarkValidate(b *testing.B) {
	set, err := Compile(apiID, benchModels)
	if err != nil {
		b.Fatal(err)
	}
	pet := set.Model("Pet")
	for _, c := range []struct{ name, body string }{
		{"valid", `{"name":"Rex","price":249.99,"tags":["dog","brown","good"],"owner":{"email":"ann@example.com"}}`},
		{"invalid", `{"name":"","price":-1,"tags":["dog",2],"owner":{"email":"ann"}}`},
	} {
		b.Run(c.name, func(b *testing.B) {
			body := []byte(c.body)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				pet.Validate(body)
			}
		})
	}
}

// FuzzValidate checks that no body makes validation panic, and that a body
// reported valid carries no detail.
func FuzzValidate(f *testing.F) {
	set, err := Compile(apiID, benchModels)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{`{}`, `{"name":"x","price":1}`, `[1,{"a":[]}]`, `{"owner":{"email":1}}`, `"`, ``, `{"name":"\u0000"}`} {
		f.Add([]byte(s))
	}
	pet := set.Model("Pet")
	f.Fuzz(func(t *testing.T, body []byte) {
		detail, ok := pet.Validate(body)
		if ok && detail != "" {
			t.Errorf("valid body with detail %q", detail)
		}
	})
}

// FuzzCompile checks that no schema makes compilation panic.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{`{}`, `{"type":"object"}`, `{"$ref":"#/definitions/a","definitions":{"a":{"$ref":"#/definitions/a"}}}`,
		`{"$ref":"https://apigateway.amazonaws.com/restapis/abc123/models/M"}`, `{"pattern":"(?=x)"}`, `{"items":[{},{"type":["x"]}]}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, schema string) {
		set, err := Compile(apiID, []model.Model{{Name: "M", Schema: schema}})
		if err == nil {
			set.Model("M").Validate([]byte(`{"a":[1,"b",{"c":null}]}`))
		}
	})
}
