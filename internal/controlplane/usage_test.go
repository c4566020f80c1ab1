package controlplane_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/store"
)

// addUsage writes daily usage records straight to the store.
func addUsage(t *testing.T, st store.Store, plan string, days ...model.DailyUsage) {
	t.Helper()
	err := st.Update(ctx(), usageScope, func(tx store.Tx) error { return tx.AddUsage(plan, days) })
	if err != nil {
		t.Fatal(err)
	}
}

func getUsage(c *apigateway.Client, plan, key, from, to string) (*apigateway.GetUsageOutput, error) {
	in := &apigateway.GetUsageInput{UsagePlanId: aws.String(plan), StartDate: aws.String(from), EndDate: aws.String(to)}
	if key != "" {
		in.KeyId = aws.String(key)
	}
	return c.GetUsage(ctx(), in)
}

// usagePlanWithKeys creates a plan with the quota q (nil: none) and the
// keys "a" and "b", and returns the ids.
func usagePlanWithKeys(t *testing.T, e *usageEnv, q *types.QuotaSettings) (plan, a, b string) {
	t.Helper()
	plan = mustPlan(t, e.c, &apigateway.CreateUsagePlanInput{Name: aws.String("metered"), Quota: q})
	a, b = mustKey(t, e.c, "a"), mustKey(t, e.c, "b")
	mustPlanKey(t, e.c, plan, a)
	mustPlanKey(t, e.c, plan, b)
	return plan, a, b
}

func series(pairs ...int64) [][]int64 {
	var out [][]int64
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, []int64{pairs[i], pairs[i+1]})
	}
	return out
}

func TestGetUsage(t *testing.T) {
	meter := &fakeMeter{}
	e := usageNewEnv(t, meter)
	meter.st = e.st
	// Created on 2026-03-18: March's limit is 1000 less the offset of 100.
	plan, a, b := usagePlanWithKeys(t, e, &types.QuotaSettings{Limit: 1000, Offset: 100, Period: types.QuotaPeriodTypeMonth})
	addUsage(t, e.st, plan,
		model.DailyUsage{KeyID: a, Day: "2026-02-28", Used: 999},
		model.DailyUsage{KeyID: a, Day: "2026-03-16", Used: 50},
		model.DailyUsage{KeyID: a, Day: "2026-03-17", Used: 10},
		model.DailyUsage{KeyID: a, Day: "2026-03-18", Used: 5, Granted: 20})

	out, err := getUsage(e.c, plan, "", "2026-03-17", "2026-03-19")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][][]int64{a: series(10, 840, 5, 855, 0, 855), b: series(0, 900, 0, 900, 0, 900)}
	if !reflect.DeepEqual(out.Items, want) || *out.UsagePlanId != plan || *out.StartDate != "2026-03-17" || *out.EndDate != "2026-03-19" || out.Position != nil {
		t.Errorf("GetUsage: %+v\nwant items %v", out, want)
	}
	if meter.flushCount() == 0 {
		t.Error("GetUsage did not flush the meter")
	}
	// The items go on the wire as "values".
	raw := e.raw(t, "/usageplans/"+plan+"/usage?startDate=2026-03-19&endDate=2026-03-19&keyId="+b)
	if !reflect.DeepEqual(raw["values"], map[string]any{b: []any{[]any{0.0, 900.0}}}) {
		t.Errorf("raw GetUsage: %v", raw)
	}
	// April has the whole limit.
	if out, err = getUsage(e.c, plan, a, "2026-04-01", "2026-04-02"); err != nil || !reflect.DeepEqual(out.Items, map[string][][]int64{a: series(0, 1000, 0, 1000)}) {
		t.Errorf("April: %v %+v", err, out)
	}
	// One key a page, in the order they joined the plan.
	page, err := e.c.GetUsage(ctx(), &apigateway.GetUsageInput{UsagePlanId: aws.String(plan), StartDate: aws.String("2026-03-18"), EndDate: aws.String("2026-03-18"), Limit: aws.Int32(1)})
	if err != nil || len(page.Items) != 1 || page.Items[a] == nil || aws.ToString(page.Position) != b {
		t.Fatalf("page 1: %v %+v", err, page)
	}
	page, err = e.c.GetUsage(ctx(), &apigateway.GetUsageInput{UsagePlanId: aws.String(plan), StartDate: aws.String("2026-03-18"), EndDate: aws.String("2026-03-18"), Limit: aws.Int32(1), Position: page.Position})
	if err != nil || !reflect.DeepEqual(page.Items, map[string][][]int64{b: series(0, 900)}) || page.Position != nil {
		t.Errorf("page 2: %v %+v", err, page)
	}

	// Without a quota, the remaining value is 0.
	free, c, _ := usagePlanWithKeys(t, e, nil)
	addUsage(t, e.st, free, model.DailyUsage{KeyID: c, Day: "2026-03-18", Used: 7})
	if out, err = getUsage(e.c, free, c, "2026-03-18", "2026-03-18"); err != nil || !reflect.DeepEqual(out.Items, map[string][][]int64{c: series(7, 0)}) {
		t.Errorf("no quota: %v %+v", err, out)
	}

	for _, tc := range []struct {
		name, plan, key, from, to string
		status                    int
		code, msg                 string
	}{
		{"bad start", plan, "", "2026-3-1", "2026-03-02", 400, "BadRequestException", "Invalid startDate: 2026-3-1. Dates must be of the form yyyy-MM-dd"},
		{"bad end", plan, "", "2026-03-01", "tomorrow", 400, "BadRequestException", "Invalid endDate: tomorrow. Dates must be of the form yyyy-MM-dd"},
		{"end before start", plan, "", "2026-03-02", "2026-03-01", 400, "BadRequestException", "The end date must not be before the start date"},
		{"too long", plan, "", "2025-01-01", "2026-01-02", 400, "BadRequestException", "The usage period cannot exceed 366 days"},
		{"unknown plan", "nope", "", "2026-03-01", "2026-03-01", 404, "NotFoundException", "Invalid Usage Plan ID specified"},
		{"key not in plan", plan, c, "2026-03-01", "2026-03-01", 404, "NotFoundException", "Invalid API Key identifier specified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := getUsage(e.c, tc.plan, tc.key, tc.from, tc.to)
			wantAPIError(t, err, tc.status, tc.code, tc.msg)
		})
	}
	// The SDK requires both dates; AWS checks them too.
	r := do(t, e.srv, "GET", "/usageplans/"+plan+"/usage", nil)
	if r.status != 400 || !strings.Contains(string(r.body), "2 validation errors detected: Value null at 'startDate' failed to satisfy constraint: Member must not be null; Value null at 'endDate'") {
		t.Errorf("no dates: %d %s", r.status, r.body)
	}
}

// fakeMeter is a usage meter that counts flushes and writes grants to the
// store as the real meter eventually does.
type fakeMeter struct {
	st store.Store

	mu      sync.Mutex
	flushes int
	grants  []string
}

func (m *fakeMeter) FlushUsage(context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.flushes++
	return nil
}

func (m *fakeMeter) GrantUsage(ctx context.Context, scope model.Scope, planID, keyID string, n int64) error {
	m.mu.Lock()
	m.grants = append(m.grants, fmt.Sprintf("%s/%s/%s/%d", scope.Region, planID, keyID, n))
	m.mu.Unlock()
	return m.st.Update(ctx, scope, func(tx store.Tx) error {
		return tx.AddUsage(planID, []model.DailyUsage{{KeyID: keyID, Day: usageStart.Format(model.DayLayout), Granted: n}})
	})
}

func (m *fakeMeter) flushCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.flushes
}

func (m *fakeMeter) takeGrants() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	g := m.grants
	m.grants = nil
	return g
}

func setRemaining(c *apigateway.Client, plan, key string, ops ...types.PatchOperation) (*apigateway.UpdateUsageOutput, error) {
	return c.UpdateUsage(ctx(), &apigateway.UpdateUsageInput{UsagePlanId: aws.String(plan), KeyId: aws.String(key), PatchOperations: ops})
}

func TestUpdateUsage(t *testing.T) {
	for _, withMeter := range []bool{false, true} {
		t.Run(fmt.Sprintf("meter=%v", withMeter), func(t *testing.T) {
			var meter *fakeMeter
			var e *usageEnv
			if withMeter {
				meter = &fakeMeter{}
				e = usageNewEnv(t, meter)
				meter.st = e.st
			} else {
				e = usageNewEnv(t, nil)
			}
			plan, a, b := usagePlanWithKeys(t, e, &types.QuotaSettings{Limit: 100, Period: types.QuotaPeriodTypeDay})
			addUsage(t, e.st, plan, model.DailyUsage{KeyID: a, Day: "2026-03-18", Used: 30}, model.DailyUsage{KeyID: b, Day: "2026-03-18", Used: 150})
			e.takeChanged()
			for _, tc := range []struct {
				key       string
				remaining string
				want      [][]int64
				grant     int64
			}{
				{a, "500", series(30, 500), 430},
				{a, "0", series(30, 0), -500},
				{a, "0", series(30, 0), 0},
				// b used more than its quota: what it has is below 0.
				{b, "10", series(150, 10), 60},
			} {
				out, err := setRemaining(e.c, plan, tc.key, keyOp("replace", "/remaining", tc.remaining))
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(out.Items, map[string][][]int64{tc.key: tc.want}) || *out.StartDate != "2026-03-18" || *out.EndDate != "2026-03-18" || *out.UsagePlanId != plan {
					t.Errorf("UpdateUsage %s: %+v, want %v", tc.remaining, out, tc.want)
				}
				got, err := getUsage(e.c, plan, tc.key, "2026-03-18", "2026-03-18")
				if err != nil || !reflect.DeepEqual(got.Items[tc.key], tc.want) {
					t.Errorf("GetUsage after %s: %v %+v", tc.remaining, err, got)
				}
				if withMeter {
					var want []string
					if tc.grant != 0 {
						want = []string{fmt.Sprintf("us-east-1/%s/%s/%d", plan, tc.key, tc.grant)}
					}
					if g := meter.takeGrants(); !reflect.DeepEqual(g, want) {
						t.Errorf("grants %v, want %v", g, want)
					}
				}
			}
			e.wantChanged(t, "UpdateUsage", 0)

			for _, tc := range []struct {
				name      string
				plan, key string
				ops       []types.PatchOperation
				status    int
				code, msg string
			}{
				{"path", plan, a, []types.PatchOperation{keyOp("replace", "/used", "1")}, 400, "BadRequestException",
					"Invalid patch path  '/used' specified for op 'replace'. Must be one of: [/remaining]"},
				{"add", plan, a, []types.PatchOperation{keyOp("add", "/remaining", "1")}, 400, "BadRequestException",
					"Invalid patch path  '/remaining' specified for op 'add'. Must be one of: []"},
				{"value", plan, a, []types.PatchOperation{keyOp("replace", "/remaining", "-1")}, 400, "BadRequestException",
					"Invalid value '-1' for patch path /remaining"},
				{"unknown plan", "nope", a, []types.PatchOperation{keyOp("replace", "/remaining", "1")}, 404, "NotFoundException", "Invalid Usage Plan ID specified"},
				{"key not in plan", plan, "nope", []types.PatchOperation{keyOp("replace", "/remaining", "1")}, 404, "NotFoundException", "Invalid API Key identifier specified"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					_, err := setRemaining(e.c, tc.plan, tc.key, tc.ops...)
					wantAPIError(t, err, tc.status, tc.code, tc.msg)
				})
			}
			if got, _ := getUsage(e.c, plan, a, "2026-03-18", "2026-03-18"); !reflect.DeepEqual(got.Items[a], series(30, 0)) {
				t.Errorf("failed UpdateUsage changed the usage: %v", got.Items)
			}
		})
	}
}
