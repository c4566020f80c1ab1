package ratelimit

import (
	"time"

	"github.com/gantryproject/gantry/internal/model"
)

// PeriodStart returns the start of the quota period (model.QuotaDay,
// model.QuotaWeek or model.QuotaMonth) that contains t. Periods are calendar
// periods in UTC: a DAY starts at 00:00, a WEEK on Sunday at 00:00 and a
// MONTH on the 1st at 00:00.
//
// AWS does not document its period boundaries. Weeks starting on Sunday
// follow its CloudFormation and SDK description of the quota offset ("with
// a time period of WEEK, an offset of 0 starts on Sunday"); UTC calendar
// days and months are the natural reading of the rest.
//
// For any other period PeriodStart returns the zero Time.
func PeriodStart(period string, t time.Time) time.Time {
	t = t.UTC()
	y, m, d := t.Date()
	switch period {
	case model.QuotaDay:
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	case model.QuotaWeek:
		return time.Date(y, m, d-int(t.Weekday()), 0, 0, 0, 0, time.UTC)
	case model.QuotaMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}

// PeriodEnd returns the end of the quota period that contains t, exclusive:
// the start of the next period. For any other period than DAY, WEEK and
// MONTH it returns the zero Time.
func PeriodEnd(period string, t time.Time) time.Time {
	start := PeriodStart(period, t)
	switch period {
	case model.QuotaDay:
		return start.AddDate(0, 0, 1)
	case model.QuotaWeek:
		return start.AddDate(0, 0, 7)
	case model.QuotaMonth:
		return start.AddDate(0, 1, 0)
	}
	return time.Time{}
}

// validPeriod reports whether period is DAY, WEEK or MONTH.
func validPeriod(period string) bool {
	return period == model.QuotaDay || period == model.QuotaWeek || period == model.QuotaMonth
}

// Quota is the quota of one API key under one usage plan: Limit requests per
// Period (model.QuotaDay, QuotaWeek or QuotaMonth, see PeriodStart).
//
// Start is when the quota was set, the usage plan's creation: in the period
// that contains Start, the effective limit is Limit − Offset (AWS's API
// reference: offset is "the number of requests subtracted from the given
// limit in the initial time period"); in every other period it is Limit.
//
// The zero Quota, or any Quota whose Period is not DAY, WEEK or MONTH, is no
// quota: every request is allowed and usage is still counted.
type Quota struct {
	Limit, Offset int64
	Period        string
	Start         time.Time
}

// NewQuota returns the Quota of a usage plan created at start with the
// quota settings s (nil: no quota).
func NewQuota(s *model.QuotaSettings, start time.Time) Quota {
	if s == nil {
		return Quota{}
	}
	return Quota{Limit: s.Limit, Offset: s.Offset, Period: s.Period, Start: start}
}

// Enabled reports whether q is a quota: whether its Period is DAY, WEEK or
// MONTH.
func (q Quota) Enabled() bool { return validPeriod(q.Period) }

// LimitAt returns the effective limit of the period that contains t: Limit −
// Offset in the period that contains Start, Limit in the others, and never
// below 0. It returns 0 when q is not Enabled.
func (q Quota) LimitAt(t time.Time) int64 {
	if !q.Enabled() {
		return 0
	}
	limit := q.Limit
	if PeriodStart(q.Period, t).Equal(PeriodStart(q.Period, q.Start)) {
		limit -= q.Offset
	}
	return max(0, limit)
}

// trackPeriod is the period a counter with quota q keeps its in-period
// count for: the quota's period, or a DAY without quota.
func (q Quota) trackPeriod() string {
	if q.Enabled() {
		return q.Period
	}
	return model.QuotaDay
}

// remaining is what is left of a quota whose period has the effective limit
// limit, after used requests and granted extra ones: never below 0, and 0
// without a quota.
func remaining(enabled bool, limit, used, granted int64) int64 {
	if !enabled {
		return 0
	}
	return max(0, limit-used+granted)
}

// UsageSeries returns, for one API key, each UTC day from from to to
// (inclusive) as the pair [used that day, remaining quota at the end of that
// day]: GetUsage's per-day items.
//
// records are the key's daily records; they must cover at least the days
// from the start of the quota period that contains from up to to, and
// records for other days are ignored (records for the same day add up). The
// remaining quota of a day is the effective limit of its period
// (Quota.LimitAt), less the requests used in that period up to and
// including that day, plus what was granted in that period up to and
// including that day, and never below 0.
//
// Without a quota the remaining value is 0: what AWS reports for keys of
// plans without a quota is not known.
func UsageSeries(q Quota, records []model.DailyUsage, from, to time.Time) [][2]int64 {
	from = PeriodStart(model.QuotaDay, from)
	to = PeriodStart(model.QuotaDay, to)
	if to.Before(from) {
		return [][2]int64{}
	}
	type usage struct{ used, granted int64 }
	byDay := make(map[string]usage, len(records))
	for _, r := range records {
		u := byDay[r.Day]
		byDay[r.Day] = usage{u.used + r.Used, u.granted + r.Granted}
	}
	enabled := q.Enabled()
	period := q.trackPeriod()
	out := make([][2]int64, 0, int(to.Sub(from)/(24*time.Hour))+1)
	var used, granted, limit int64
	var end time.Time
	for day := PeriodStart(period, from); !day.After(to); day = day.AddDate(0, 0, 1) {
		if !day.Before(end) {
			end = PeriodEnd(period, day)
			used, granted, limit = 0, 0, q.LimitAt(day)
		}
		u := byDay[day.Format(model.DayLayout)]
		used += u.used
		granted += u.granted
		if !day.Before(from) {
			out = append(out, [2]int64{u.used, remaining(enabled, limit, used, granted)})
		}
	}
	return out
}
