package mapping

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gantryproject/gantry/internal/vtl"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

const petsBody = `[
  {"id": 1, "type": "dog", "price": 249.99},
  {"id": 2, "type": "cat", "price": 124.99},
  {"id": 3, "type": "fish", "price": 0.99}
]`

func sampleInput(body string) *Input {
	return &Input{
		Body:           []byte(body),
		PathParams:     map[string]string{"petId": "42"},
		QueryParams:    map[string]string{"type": "dog", "page": "2"},
		Headers:        map[string]string{"Content-Type": "application/json", "X-Trace": "abc"},
		StageVariables: map[string]string{"env": "prod", "backend": "pets.example.com"},
		Context: map[string]any{
			"requestId": "abcdefg-000-000-0000-abcdefg", "stage": "prod", "httpMethod": "POST",
			"resourcePath": "/pets/{petId}", "apiId": "abcd1234",
			"identity":   map[string]any{"sourceIp": "192.0.2.1", "userAgent": "curl/7.84.0"},
			"authorizer": map[string]any{"principalId": "user|a1b2c3d4", "numKey": "1"},
		},
	}
}

// goldenCases are built from the examples in AWS's documentation of mapping
// templates ($input, $util, $context and override variables).
var goldenCases = []struct {
	name string
	tmpl string
	body string
}{
	{"pets", `#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    "number": $elem.id,
    "class": "$elem.type",
    "salesPrice": $elem.price
  }#if($foreach.hasNext),#end

#end
]`, petsBody},
	{"all-params", `#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}
params()=$input.params()`, `{}`},
	{"params-lookup", `path=$input.params('petId') query=$input.params('type') header=$input.params('x-trace') missing=[$input.params('nope')]
header-map=$input.params().header
querystring=$input.params().querystring.page`, `{}`},
	{"input-json-path", `body=$input.body
json=$input.json('$')
first=$input.json('$[0]')
type=$input.path('$[1].type')
price=$input.path('$[0].price') id=$input.path('$[2].id')
types=$input.path('$[*].type')
cheap=$input.json('$[?(@.price < 200)].type')
ids=$input.path('$..id')
missing=[$input.json('$[9].type')][$input.path('$[9].type')]
size=$input.path('$').size()
obj=$input.path('$[0]')`, petsBody},
	{"input-nested", `name=$input.path('$.pet.name')
tags=$input.path('$.pet.tags')
dash=$input.path('$.pet.x-meta.source')
obj=$input.path('$.pet')
json=$input.json('$.pet')
#foreach($t in $input.path('$.pet.tags'))[$t]#end`, `{"pet": {"name": "Rex \"the dog\"", "tags": ["good", "loud"], "x-meta": {"source": "shelter"}, "age": 3.0}}`},
	{"escape-javascript", `#set($s = $input.path('$.text'))
"$util.escapeJavaScript($s)"
$util.escapeJavaScript("it's")
$util.escapeJavaScript($input.json('$'))`, `{"text": "Line1\nIt's \"quoted\" <a href=\"/x\">\\back\\</a>\ttab caf\u00e9 \ud83d\ude00"}`},
	{"parse-json", `#set($obj = $util.parseJson($input.path('$.payload')))
name=$obj.name
list=$obj.list
first=$obj.list[0]
map=$obj
#foreach($k in $obj.keySet())$k;#end`, `{"payload": "{\"name\": \"gantry\", \"list\": [1, 2.5, \"x\"], \"nested\": {\"a\": true}}"}`},
	{"encoding", `enc=$util.urlEncode("a b&c=d/é*~")
dec=$util.urlDecode("a+b%26c%3Dd%2F%C3%A9")
b64=$util.base64Encode("hello, world")
unb64=$util.base64Decode("aGVsbG8sIHdvcmxk")`, `{}`},
	{"context", `{
  "stage" : "$context.stage",
  "request_id" : "$context.requestId",
  "api_id" : "$context.apiId",
  "resource_path" : "$context.resourcePath",
  "http_method" : "$context.httpMethod",
  "source_ip" : "$context.identity.sourceIp",
  "user-agent" : "$context.identity.userAgent",
  "principal" : "$context.authorizer.principalId",
  "missing" : "$context.identity.caller",
  "stage_var" : "$stageVariables.env",
  "backend" : "https://${stageVariables.backend}/pets"
}`, `{}`},
	{"override-status", `#set($inputRoot = $input.path('$'))
$input.json("$")
#if($inputRoot.toString().contains("error"))
#set($context.responseOverride.status = 400)
#set($context.responseOverride.header.X-Error = "true")
#end
status=$context.responseOverride.status`, `{"errors": [{"key": "GetPetRequest.petId", "message": "The value is out of range."}]}`},
	{"override-request", `#set($context.requestOverride.header.X-Pet = $input.params('petId'))
#set($context.requestOverride.querystring.limit = "10")
#set($context.requestOverride.path.petId = "override-$input.params('petId')")
header=$context.requestOverride.header.X-Pet`, `{}`},
	{"undefined", `[$nothing][$input.path('$.nope')][$input.nope][$util.nope('x')][$context.nope.deeper]
#if($nothing)truthy#{else}falsy#end #if(!$nothing)negated#{else}not-negated#end
#set($x = $nothing)x=[$x]`, `{}`},
	{"empty-body", `body=[$input.body] json=$input.json('$') path=$input.path('$')`, ``},
}

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := Compile(tc.name, tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			out, ov, err := Render(context.Background(), tm, sampleInput(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			got := out + "\n--- overrides ---\n" + fmt.Sprintf("status=%d response.header=%v request.header=%v request.querystring=%v request.path=%v\n",
				ov.Status, ov.ResponseHeaders, ov.RequestHeaders, ov.RequestQuery, ov.RequestPath)
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s\ngot:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name, tmpl, body string
		is               error
	}{
		{"duplicate override", `#set($context.responseOverride.status = 400)#set($context.responseOverride.status = 500)`, `{}`, ErrOverride},
		{"bad body", `$input.json('$.a')`, `{not json`, nil},
		{"bad jsonpath", `$input.path('$[')`, `{}`, nil},
		{"bad parseJson", `$util.parseJson('{')`, `{}`, nil},
		{"bad urlDecode", `$util.urlDecode('%zz')`, `{}`, nil},
		{"include", `#include('x')`, `{}`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := Compile(tc.name, tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = Render(context.Background(), tm, sampleInput(tc.body))
			if err == nil {
				t.Fatal("want error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("got %v, want %v", err, tc.is)
			}
		})
	}
	if _, err := Compile("dollar", "ends with $"); err == nil {
		t.Error("template ending in a bare $ must not compile")
	}
}

func TestEscapeJavaScript(t *testing.T) {
	for in, want := range map[string]string{
		`it's`: `it\'s`, `"q"`: `\"q\"`, `a/b`: `a\/b`, `back\slash`: `back\\slash`,
		"tab\there\n": `tab\there\n`, "\x01": `\u0001`, "é": `\u00E9`, "😀": `\uD83D\uDE00`,
	} {
		if got := EscapeJavaScript(in); got != want {
			t.Errorf("EscapeJavaScript(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURLEncoding(t *testing.T) {
	if got := URLEncode("a b~*é"); got != "a+b%7E*%C3%A9" {
		t.Errorf("URLEncode = %q", got)
	}
	if got, err := URLDecode("a+b%7E*%C3%A9"); err != nil || got != "a b~*é" {
		t.Errorf("URLDecode = %q, %v", got, err)
	}
}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"$":               "$",
		"$.a.b":           "$.a.b",
		"$.x-meta.src":    "$['x-meta'].src",
		"a.b":             "$.a.b",
		"$..id":           "$..id",
		"$.a[*].b":        "$.a[*].b",
		"$['a.b'].c":      "$['a.b'].c",
		"$[?(@.a-b>1)]":   "$[?(@.a-b>1)]",
		"$.store.book[0]": "$.store.book[0]",
	} {
		if got := normalizePath(in); got != want {
			t.Errorf("normalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

// The benchmark renders testdata/bench.vtl, a typical ~1 KB integration
// request template (fields read with $input.path, a sub-document embedded
// with $input.json, a #foreach over 20 items) against testdata/bench.json.
// The differential harness renders the same pair with Velocity 1.7 to
// compare throughput.

func BenchmarkRender(b *testing.B) {
	src, err := os.ReadFile("testdata/bench.vtl")
	if err != nil {
		b.Fatal(err)
	}
	body, err := os.ReadFile("testdata/bench.json")
	if err != nil {
		b.Fatal(err)
	}
	tm, err := Compile("bench", string(src))
	if err != nil {
		b.Fatal(err)
	}
	in := sampleInput(string(body))
	in.PathParams["orderId"] = "o-1"
	in.Headers["User-Agent"] = "bench/1.0"
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := Render(ctx, tm, in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestContextFuncNames checks that a $context holding only the keys the
// template names (what Input.ContextFunc receives) renders every golden
// template exactly as the whole $context does.
func TestContextFuncNames(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			tm, err := Compile(tc.name, tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			full := sampleInput(tc.body)
			wantOut, wantOv, wantErr := Render(context.Background(), tm, full)
			var asked []string
			lazy := sampleInput(tc.body)
			lazy.Context = nil
			lazy.ContextFunc = func(names []string) *vtl.Map {
				asked = names
				m := vtl.FromGo(full.Context).(*vtl.Map)
				if names == nil {
					return m
				}
				part := vtl.NewMap()
				for _, n := range names {
					if v, ok := m.Get(n); ok {
						part.Put(n, v)
					}
				}
				return part
			}
			gotOut, gotOv, gotErr := Render(context.Background(), tm, lazy)
			if gotOut != wantOut || fmt.Sprint(gotOv) != fmt.Sprint(wantOv) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Errorf("with names %v:\n got %q %v %v\nwant %q %v %v", asked, gotOut, gotOv, gotErr, wantOut, wantOv, wantErr)
			}
		})
	}
}
