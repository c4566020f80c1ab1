package gatewayresponse

import (
	"testing"
)

func TestFamily(t *testing.T) {
	for _, tc := range []struct {
		t    Type
		want Type
	}{
		{Default4XX, ""}, {Default5XX, ""}, {Unauthorized, Default4XX}, {Throttled, Default4XX},
		{RequestTooLarge, Default4XX}, {IntegrationFailure, Default5XX}, {AuthorizerFailure, Default5XX},
		{APIConfigurationError, Default5XX}, {WAFFiltered, Default4XX},
	} {
		if got := tc.t.Family(); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.t, got, tc.want)
		}
	}
	if len(ModelOrder) != 21 || len(ListOrder) != 21 || len(EnumMessageOrder) != 21 {
		t.Fatal("type lists must hold all 21 types")
	}
	seen := map[Type]bool{}
	for _, ty := range ListOrder {
		if _, ok := Parse(string(ty)); !ok || seen[ty] {
			t.Errorf("ListOrder: %s unknown or repeated", ty)
		}
		seen[ty] = true
	}
	if _, ok := Parse("default_4xx"); ok {
		t.Error("type names are case-sensitive")
	}
}

func TestValidExpression(t *testing.T) {
	for _, tc := range []struct {
		expr string
		ok   bool
	}{
		{"'*'", true},
		{"''", true},
		{`'Basic realm="x"'`, true},
		{"'it's'", true},
		{"method.request.header.Origin", true},
		{"method.request.querystring.q", true},
		{"method.request.path.petId", true},
		{"method.request.multivaluequerystring.q", true},
		{"stageVariables.env", true},
		{"context.requestId", true},
		{"context.authorizer.claims.sub", true},
		{"test-value", false},
		{`"*"`, false},
		{"'", false},
		{"", false},
		{"method.request.header.", false},
		{"method.request.body", false},
		{"method.response.header.X", false},
		{"context.", false},
		{"context..x", false},
		{"stageVariables.a b", false},
	} {
		if got := ValidExpression(tc.expr); got != tc.ok {
			t.Errorf("%q: got %v, want %v", tc.expr, got, tc.ok)
		}
	}
}

func TestValidateParameters(t *testing.T) {
	err := ValidateParameters(map[string]string{
		"gatewayresponse.header.b":         "nope",
		"method.response.header.A":         "'*'",
		"gatewayresponse.header.ok":        "'fine'",
		"gatewayresponse.querystring.fine": "'x'",
	})
	want := "Invalid mapping expression specified: Validation Result: warnings : [], errors : [Invalid mapping expression specified: nope, Invalid mapping expression specified: method.response.header.A]"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if err := ValidateParameters(nil); err != nil {
		t.Error(err)
	}
}

func TestValidStatusCode(t *testing.T) {
	for s, ok := range map[string]bool{"100": true, "599": true, "444": true, "600": false, "099": false, "4xx": false, "40": false, "4000": false, "": false} {
		if ValidStatusCode(s) != ok {
			t.Errorf("%q: want %v", s, ok)
		}
	}
}
