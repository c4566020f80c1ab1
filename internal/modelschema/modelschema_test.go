package modelschema

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gantryproject/gantry/internal/model"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

const apiID = "abc123"

// golden compares got with testdata/name.golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update after checking):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestValidationErrorStrings pins $context.error.validationErrorString per
// JSON Schema keyword, in the message style of the Java json-schema-validator
// API Gateway uses.
func TestValidationErrorStrings(t *testing.T) {
	cases := []struct {
		name, schema, body string
	}{
		{"required", `{"type":"object","required":["to","subject","body"],"properties":{"to":{"type":"string"}}}`, `{"from":"a"}`},
		{"required-partial", `{"type":"object","required":["a","b","c"]}`, `{"b":1}`},
		{"type", `{"type":"object","properties":{"age":{"type":"integer"}}}`, `{"age":"ten"}`},
		{"type-number-decimal", `{"type":"object","properties":{"n":{"type":["string","integer"]}}}`, `{"n":1.5}`},
		{"type-root", `{"type":"object"}`, `[1,2]`},
		{"enum", `{"type":"object","properties":{"size":{"type":"string","enum":["S","M","L"]}}}`, `{"size":"XL"}`},
		{"enum-and-type", `{"type":"object","properties":{"size":{"type":"string","enum":["S","M","L"]}}}`, `{"size":3}`},
		{"pattern", `{"type":"object","properties":{"code":{"type":"string","pattern":"^[A-Z]{3}$"}}}`, `{"code":"ab1"}`},
		{"minimum", `{"type":"object","properties":{"price":{"type":"number","minimum":10}}}`, `{"price":2.5}`},
		{"maximum", `{"type":"object","properties":{"price":{"type":"number","maximum":500}}}`, `{"price":501}`},
		{"exclusive-minimum", `{"type":"object","properties":{"n":{"type":"integer","minimum":0,"exclusiveMinimum":true}}}`, `{"n":0}`},
		{"exclusive-maximum", `{"type":"object","properties":{"n":{"type":"integer","maximum":9,"exclusiveMaximum":true}}}`, `{"n":9}`},
		{"minLength", `{"type":"object","properties":{"name":{"type":"string","minLength":3}}}`, `{"name":"Al"}`},
		{"maxLength", `{"type":"object","properties":{"name":{"type":"string","maxLength":4}}}`, `{"name":"Maximilian"}`},
		{"additionalProperties", `{"type":"object","properties":{"a":{}},"additionalProperties":false}`, `{"a":1,"z":2,"b":3}`},
		{"items", `{"type":"array","items":{"type":"string"}}`, `["a",2,"c",true]`},
		{"minItems", `{"type":"array","minItems":2}`, `[1]`},
		{"maxItems", `{"type":"array","maxItems":1}`, `[1,2,3]`},
		{"uniqueItems", `{"type":"array","uniqueItems":true}`, `[1,2,1]`},
		{"multipleOf", `{"type":"object","properties":{"n":{"type":"number","multipleOf":5}}}`, `{"n":12}`},
		{"anyOf", `{"anyOf":[{"type":"string"},{"type":"integer"}]}`, `true`},
		{"allOf", `{"allOf":[{"type":"object"},{"required":["a"]},{"required":["b"]}]}`, `{"a":1}`},
		{"oneOf", `{"oneOf":[{"type":"string"},{"type":"integer"}]}`, `null`},
		{"not", `{"not":{"type":"string"}}`, `"s"`},
		{"additionalItems", `{"type":"array","items":[{"type":"string"}],"additionalItems":false}`, `["a",1,2]`},
		{"minProperties", `{"type":"object","minProperties":2}`, `{"a":1}`},
		{"maxProperties", `{"type":"object","maxProperties":1}`, `{"a":1,"b":2}`},
		{"dependencies", `{"type":"object","dependencies":{"card":["billing","zip"]}}`, `{"card":"4111","zip":"1"}`},
		{"format-email", `{"type":"object","properties":{"to":{"type":"string","format":"email"}}}`, `{"to":"nobody"}`},
		// Several errors: the object's own keywords first; its members'
		// errors in member-name order; no descent once an error is reported.
		{"several-siblings", `{"type":"object","properties":{"b":{"type":"string"},"a":{"type":"integer"},"c":{"type":"object","required":["x"]}}}`, `{"a":"x","b":1,"c":{}}`},
		{"several-no-descent", `{"type":"object","required":["id"],"properties":{"pet":{"type":"object","properties":{"age":{"type":"integer"}}}}}`, `{"pet":{"age":"old"}}`},
		{"nested", `{"type":"object","properties":{"pet":{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string","maxLength":2}}}}}}`, `{"pet":{"tags":["ok","long"]}}`},
	}
	var b strings.Builder
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set, err := Compile(apiID, []model.Model{{Name: "M", Schema: c.schema}})
			if err != nil {
				t.Fatal(err)
			}
			detail, ok := set.Model("M").Validate([]byte(c.body))
			if ok {
				t.Fatalf("body %s passed, want a failure", c.body)
			}
			b.WriteString("== " + c.name + "\nschema: " + c.schema + "\nbody:   " + c.body + "\n" + detail + "\n\n")
		})
	}
	golden(t, "validation-error-strings", b.String())
}

func TestValid(t *testing.T) {
	set, err := Compile(apiID, []model.Model{
		{Name: "Pet", Schema: `{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"owner":{"$ref":"https://apigateway.amazonaws.com/restapis/abc123/models/Person"}}}`},
		{Name: "Person", Schema: `{"type":"object","required":["email"],"properties":{"email":{"type":"string","format":"email"}}}`},
		{Name: "Anything"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		model, body, want string
		ok                bool
	}{
		{"Pet", `{"name":"Rex","owner":{"email":"a@b.example"}}`, "", true},
		{"Pet", `{"name":"Rex","owner":{}}`, `[object has missing required properties (["email"])]`, false},
		{"Pet", `{"name":"Rex","owner":{"email":"nope"}}`, `[string "nope" is not a valid email address]`, false},
		{"Pet", ``, `[object has missing required properties (["name"])]`, false},
		{"Pet", `{"name":`, "", false},
		{"Anything", `not json`, "", true},
	} {
		got, ok := set.Model(c.model).Validate([]byte(c.body))
		if got != c.want || ok != c.ok {
			t.Errorf("%s %q: got %q %v, want %q %v", c.model, c.body, got, ok, c.want, c.ok)
		}
	}
}

// TestRecursiveModel: a model recursing through its properties (a tree) is
// a valid model; only a loop every instance meets is refused.
func TestRecursiveModel(t *testing.T) {
	set, err := Compile(apiID, []model.Model{{Name: "Node",
		Schema: `{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"https://apigateway.amazonaws.com/restapis/abc123/models/Node"}}}}`}})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := set.Model("Node").Validate([]byte(`{"name":"a","children":[{"name":"b","children":[{}]}]}`)); ok || got == "" {
		t.Errorf("a nested node without a name: %q %v, want a failure", got, ok)
	}
	if _, ok := set.Model("Node").Validate([]byte(`{"name":"a","children":[{"name":"b"}]}`)); !ok {
		t.Error("a valid tree fails")
	}
}

func TestCompileErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		models []model.Model
		want   error
	}{
		{"not json", []model.Model{{Name: "A", Schema: `{`}}, ErrInvalidSchema},
		{"not an object", []model.Model{{Name: "A", Schema: `[]`}}, ErrInvalidSchema},
		{"bad keyword value", []model.Model{{Name: "A", Schema: `{"type":"whatever"}`}}, ErrInvalidSchema},
		{"bad required", []model.Model{{Name: "A", Schema: `{"required":"a"}`}}, ErrInvalidSchema},
		{"foreign ref", []model.Model{{Name: "A", Schema: `{"$ref":"https://example.com/schema.json"}`}}, ErrNotCanonical},
		{"other api's model", []model.Model{{Name: "A", Schema: `{"$ref":"https://apigateway.amazonaws.com/restapis/other/models/B"}`}}, ErrNotCanonical},
		{"unknown model", []model.Model{{Name: "A", Schema: `{"$ref":"https://apigateway.amazonaws.com/restapis/abc123/models/B"}`}}, ErrInvalidSchema},
		{"refers to itself", []model.Model{{Name: "A", Schema: `{"$ref":"https://apigateway.amazonaws.com/restapis/abc123/models/A"}`}}, ErrInvalidSchema},
		{"local loop", []model.Model{{Name: "A", Schema: `{"definitions":{"x":{"$ref":"#/definitions/y"},"y":{"$ref":"#/definitions/x"}},"$ref":"#/definitions/x"}`}}, ErrInvalidSchema},
		{"two models in a loop", []model.Model{
			{Name: "A", Schema: `{"allOf":[{"$ref":"https://apigateway.amazonaws.com/restapis/abc123/models/B"}]}`},
			{Name: "B", Schema: `{"anyOf":[{"$ref":"https://apigateway.amazonaws.com/restapis/abc123/models/A"}]}`},
		}, ErrInvalidSchema},
	} {
		_, err := Compile(apiID, c.models)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
}
