package controlplane_test

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

func TestAccount(t *testing.T) {
	e := usageNewEnv(t, nil)
	defaults := map[string]any{"throttleSettings": map[string]any{"burstLimit": 5000.0, "rateLimit": 10000.0},
		"features": []any{"UsagePlans"}, "apiKeyVersion": "4"}
	if raw := e.raw(t, "/account"); !reflect.DeepEqual(raw, defaults) {
		t.Errorf("GetAccount: %v", raw)
	}
	update := func(ops ...types.PatchOperation) (*apigateway.UpdateAccountOutput, error) {
		return e.c.UpdateAccount(ctx(), &apigateway.UpdateAccountInput{PatchOperations: ops})
	}
	out, err := update(keyOp("replace", "/cloudwatchRoleArn", "arn:aws:iam::123456789012:role/cw"), keyOp("add", "/features", "Other"),
		keyOp("replace", "/throttle/rateLimit", "50.5"), keyOp("replace", "/throttle/burstLimit", "25"))
	if err != nil {
		t.Fatal(err)
	}
	want := &apigateway.GetAccountOutput{CloudwatchRoleArn: aws.String("arn:aws:iam::123456789012:role/cw"), Features: []string{"UsagePlans", "Other"},
		ThrottleSettings: &types.ThrottleSettings{BurstLimit: 25, RateLimit: 50.5}, ApiKeyVersion: aws.String("4")}
	got, err := e.c.GetAccount(ctx(), &apigateway.GetAccountInput{})
	if err != nil {
		t.Fatal(err)
	}
	want.ResultMetadata = got.ResultMetadata
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(out.Features, want.Features) || *out.CloudwatchRoleArn != *want.CloudwatchRoleArn {
		t.Errorf("GetAccount after UpdateAccount: %+v", got)
	}
	e.wantChanged(t, "UpdateAccount", 1)
	if out, err = update(keyOp("remove", "/features", "Other")); err != nil || len(out.Features) != 1 {
		t.Errorf("remove /features: %v %+v", err, out)
	}
	// -1 turns the account-level bucket off (a Gantry extension).
	if out, err = update(keyOp("replace", "/throttle/rateLimit", "-1")); err != nil ||
		out.ThrottleSettings.RateLimit != -1 || out.ThrottleSettings.BurstLimit != -1 {
		t.Errorf("replace /throttle/rateLimit -1: %v %+v", err, out)
	}
	e.takeChanged()

	for _, tc := range []struct {
		name string
		ops  []types.PatchOperation
		msg  string
	}{
		{"usage plans stay", []types.PatchOperation{keyOp("remove", "/features", "UsagePlans")}, "The UsagePlans feature cannot be removed"},
		{"path", []types.PatchOperation{keyOp("replace", "/apiKeyVersion", "5")}, "Invalid patch path  '/apiKeyVersion' specified for op 'replace'. Must be one of: [/cloudwatchRoleArn, /throttle/rateLimit, /throttle/burstLimit]"},
		{"op", []types.PatchOperation{keyOp("add", "/throttle/rateLimit", "5")}, "Invalid patch path  '/throttle/rateLimit' specified for op 'add'. Must be one of: [/features]"},
		{"value", []types.PatchOperation{keyOp("replace", "/cloudwatchRoleArn", "x"), keyOp("replace", "/throttle/burstLimit", "2.5")}, "Invalid value '2.5' for patch path /throttle/burstLimit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := update(tc.ops...)
			wantAPIError(t, err, 400, "BadRequestException", tc.msg)
		})
	}
	e.wantChanged(t, "failed UpdateAccount", 0)
	if raw := e.raw(t, "/account"); raw["cloudwatchRoleArn"] != "arn:aws:iam::123456789012:role/cw" {
		t.Errorf("failed UpdateAccount changed the account: %v", raw)
	}
	// Accounts are per region.
	other := newClient(e.srv, "test", "eu-west-1")
	acct, err := other.GetAccount(ctx(), &apigateway.GetAccountInput{})
	if err != nil || acct.CloudwatchRoleArn != nil || acct.ThrottleSettings.BurstLimit != 5000 {
		t.Errorf("another region's account: %v %+v", err, acct)
	}
}
