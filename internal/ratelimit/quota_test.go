package ratelimit

import (
	"reflect"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
)

func date(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPeriodBounds(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		period     string
		t          time.Time
		start, end string
	}{
		{model.QuotaDay, date("2025-03-14T15:09:26Z"), "2025-03-14T00:00:00Z", "2025-03-15T00:00:00Z"},
		{model.QuotaDay, date("2025-03-14T00:00:00Z"), "2025-03-14T00:00:00Z", "2025-03-15T00:00:00Z"},
		{model.QuotaDay, date("2025-03-14T23:59:59.999999999Z"), "2025-03-14T00:00:00Z", "2025-03-15T00:00:00Z"},
		{model.QuotaDay, date("2024-12-31T12:00:00Z"), "2024-12-31T00:00:00Z", "2025-01-01T00:00:00Z"},
		// 00:30 in UTC+1 is still the previous day in UTC.
		{model.QuotaDay, time.Date(2025, 3, 15, 0, 30, 0, 0, paris), "2025-03-14T00:00:00Z", "2025-03-15T00:00:00Z"},
		// 2025-03-14 is a Friday; weeks start on Sunday.
		{model.QuotaWeek, date("2025-03-14T15:09:26Z"), "2025-03-09T00:00:00Z", "2025-03-16T00:00:00Z"},
		{model.QuotaWeek, date("2025-03-09T00:00:00Z"), "2025-03-09T00:00:00Z", "2025-03-16T00:00:00Z"},
		{model.QuotaWeek, date("2025-03-15T23:59:59Z"), "2025-03-09T00:00:00Z", "2025-03-16T00:00:00Z"},
		{model.QuotaWeek, date("2025-03-16T00:00:00Z"), "2025-03-16T00:00:00Z", "2025-03-23T00:00:00Z"},
		{model.QuotaWeek, date("2025-01-01T10:00:00Z"), "2024-12-29T00:00:00Z", "2025-01-05T00:00:00Z"},
		{model.QuotaMonth, date("2025-03-14T15:09:26Z"), "2025-03-01T00:00:00Z", "2025-04-01T00:00:00Z"},
		{model.QuotaMonth, date("2024-02-29T23:59:59Z"), "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"},
		{model.QuotaMonth, date("2025-02-28T12:00:00Z"), "2025-02-01T00:00:00Z", "2025-03-01T00:00:00Z"},
		{model.QuotaMonth, date("2025-04-30T12:00:00Z"), "2025-04-01T00:00:00Z", "2025-05-01T00:00:00Z"},
		{model.QuotaMonth, date("2024-12-31T23:59:59Z"), "2024-12-01T00:00:00Z", "2025-01-01T00:00:00Z"},
		{model.QuotaMonth, date("2025-01-01T00:00:00Z"), "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"},
	}
	for _, tt := range tests {
		start, end := PeriodStart(tt.period, tt.t), PeriodEnd(tt.period, tt.t)
		if !start.Equal(date(tt.start)) || !end.Equal(date(tt.end)) || start.Location() != time.UTC {
			t.Errorf("%s of %v: [%v, %v), want [%s, %s)", tt.period, tt.t, start, end, tt.start, tt.end)
		}
	}
	for _, period := range []string{"", "YEAR", "day"} {
		if start, end := PeriodStart(period, t0), PeriodEnd(period, t0); !start.IsZero() || !end.IsZero() {
			t.Errorf("%q: [%v, %v), want zero times", period, start, end)
		}
	}
}

func TestQuotaLimitAt(t *testing.T) {
	start := date("2025-03-14T15:09:26Z")
	tests := []struct {
		q    Quota
		at   string
		want int64
	}{
		{Quota{Limit: 100, Offset: 30, Period: model.QuotaDay, Start: start}, "2025-03-14T00:00:00Z", 70},
		{Quota{Limit: 100, Offset: 30, Period: model.QuotaDay, Start: start}, "2025-03-15T00:00:00Z", 100},
		{Quota{Limit: 100, Offset: 30, Period: model.QuotaDay, Start: start}, "2025-03-13T23:59:59Z", 100},
		{Quota{Limit: 100, Offset: 30, Period: model.QuotaWeek, Start: start}, "2025-03-09T00:00:00Z", 70},
		{Quota{Limit: 100, Offset: 30, Period: model.QuotaWeek, Start: start}, "2025-03-16T00:00:00Z", 100},
		{Quota{Limit: 100, Offset: 30, Period: model.QuotaMonth, Start: start}, "2025-03-31T23:59:59Z", 70},
		{Quota{Limit: 100, Offset: 30, Period: model.QuotaMonth, Start: start}, "2025-04-01T00:00:00Z", 100},
		{Quota{Limit: 10, Offset: 30, Period: model.QuotaMonth, Start: start}, "2025-03-20T00:00:00Z", 0},
		{Quota{Limit: 100, Offset: 30}, "2025-03-20T00:00:00Z", 0},
		{NewQuota(&model.QuotaSettings{Limit: 5, Offset: 1, Period: model.QuotaDay}, start), "2025-03-14T01:00:00Z", 4},
		{NewQuota(nil, start), "2025-03-14T01:00:00Z", 0},
	}
	for _, tt := range tests {
		if got := tt.q.LimitAt(date(tt.at)); got != tt.want {
			t.Errorf("%+v.LimitAt(%s) = %d, want %d", tt.q, tt.at, got, tt.want)
		}
	}
}

func TestUsageSeries(t *testing.T) {
	rec := func(day string, used, granted int64) model.DailyUsage {
		return model.DailyUsage{KeyID: "k", Day: day, Used: used, Granted: granted}
	}
	start := date("2025-03-01T08:00:00Z")
	tests := []struct {
		name     string
		q        Quota
		records  []model.DailyUsage
		from, to string
		want     [][2]int64
	}{{
		name:    "day",
		q:       Quota{Limit: 10, Period: model.QuotaDay, Start: start},
		records: []model.DailyUsage{rec("2025-03-10", 4, 0), rec("2025-03-11", 10, 0), rec("2025-03-13", 7, 0), rec("2025-03-13", 1, 0)},
		from:    "2025-03-10T12:00:00Z", to: "2025-03-13T01:00:00Z",
		want: [][2]int64{{4, 6}, {10, 0}, {0, 10}, {8, 2}},
	}, {
		name:    "day with offset in the first one",
		q:       Quota{Limit: 10, Offset: 3, Period: model.QuotaDay, Start: start},
		records: []model.DailyUsage{rec("2025-03-01", 2, 0), rec("2025-03-02", 2, 0)},
		from:    "2025-02-28T00:00:00Z", to: "2025-03-02T00:00:00Z",
		want: [][2]int64{{0, 10}, {2, 5}, {2, 8}},
	}, {
		name: "week with grants",
		q:    Quota{Limit: 100, Period: model.QuotaWeek, Start: start},
		records: []model.DailyUsage{
			rec("2025-03-09", 30, 0), // Sunday: the week starts
			rec("2025-03-10", 50, 0),
			rec("2025-03-11", 20, 5),
			rec("2025-03-12", 5, -20), // remaining would be negative: 0
			rec("2025-03-14", 0, 40),
			rec("2025-03-16", 1, 0), // the next week
		},
		from: "2025-03-11T00:00:00Z", to: "2025-03-16T00:00:00Z",
		want: [][2]int64{{20, 5}, {5, 0}, {0, 0}, {0, 20}, {0, 20}, {1, 99}},
	}, {
		name:    "month with offset, records outside ignored",
		q:       Quota{Limit: 1000, Offset: 400, Period: model.QuotaMonth, Start: start},
		records: []model.DailyUsage{rec("2025-02-28", 999, 999), rec("2025-03-01", 100, 0), rec("2025-03-31", 200, 0), rec("2025-04-01", 300, 0), rec("2025-04-02", 5, 0), rec("2025-04-03", 77, 0)},
		from:    "2025-03-31T00:00:00Z", to: "2025-04-02T00:00:00Z",
		want: [][2]int64{{200, 300}, {300, 700}, {5, 695}},
	}, {
		name:    "no quota",
		q:       Quota{},
		records: []model.DailyUsage{rec("2025-03-10", 4, 0), rec("2025-03-11", 10, 3)},
		from:    "2025-03-10T00:00:00Z", to: "2025-03-12T00:00:00Z",
		want: [][2]int64{{4, 0}, {10, 0}, {0, 0}},
	}, {
		name: "from after to",
		q:    Quota{Limit: 10, Period: model.QuotaDay},
		from: "2025-03-11T00:00:00Z", to: "2025-03-10T00:00:00Z",
		want: [][2]int64{},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := UsageSeries(tt.q, tt.records, date(tt.from), date(tt.to))
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}
