package patch

import (
	"reflect"
	"testing"
)

func TestSegments(t *testing.T) {
	for path, want := range map[string][]string{
		"/statusCode":                          {"statusCode"},
		"/responseTemplates/application~1json": {"responseTemplates", "application/json"},
		"/responseParameters/a~0b~1c":          {"responseParameters", "a~b/c"},
		"/binaryMediaTypes/~01":                {"binaryMediaTypes", "~1"},
		"/":                                    {""},
		"statusCode":                           nil,
		"":                                     nil,
	} {
		if got := Segments(path); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", path, got, want)
		}
	}
}

func TestCheckOps(t *testing.T) {
	s := func(v string) *string { return &v }
	ops := []Operation{{Op: s("replace")}, {Op: s("bad")}, {}, {Op: s("worse")}}
	err := CheckOps("updateThingInput", ops)
	want := "ValidationException: 2 validation errors detected: Value 'bad' at 'updateThingInput.patchOperations.2.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]; Value 'worse' at 'updateThingInput.patchOperations.4.member.op' failed to satisfy constraint: Member must satisfy enum value set: [add, remove, move, test, replace, copy]"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if err := CheckOps("x", ops[:1]); err != nil {
		t.Error(err)
	}
}
