package controlplane

import (
	"slices"
	"time"

	"github.com/gantryproject/gantry/internal/awserr"
	"github.com/gantryproject/gantry/internal/model"
	"github.com/gantryproject/gantry/internal/patch"
	"github.com/gantryproject/gantry/internal/ratelimit"
	"github.com/gantryproject/gantry/internal/store"
)

// maxUsageDays bounds GetUsage's date range. The bound is Gantry's (AWS's is
// unrecorded): a year of days is more than any quota period.
const maxUsageDays = 366

// usagePaths is UpdateUsage's PATCH grammar, from AWS's "PATCH operations"
// reference.
var usagePaths = pathRules{{"/remaining", []patch.Op{patch.Replace}}}

// usageJSON is the wire form of the Usage shape, whose items member AWS
// sends as "values" (botocore's service model): for each API key, one
// [used, remaining] pair a day from startDate to endDate.
type usageJSON struct {
	UsagePlanID string                `json:"usagePlanId"`
	StartDate   string                `json:"startDate"`
	EndDate     string                `json:"endDate"`
	Position    string                `json:"position,omitempty"`
	Values      map[string][][2]int64 `json:"values"`
}

// usageView is what GetUsage and UpdateUsage read of one plan's usage.
type usageView struct {
	keys    []string
	quota   ratelimit.Quota
	records map[string][]model.DailyUsage // by key id
}

// readUsage reads the keys of a plan (only keyID, which must be one of
// them, unless it is "") and their daily records from the start of the
// quota period that contains from up to to. It first flushes the usage
// meter, so that counts still in memory are included.
func (h *Handler) readUsage(c *call, planID, keyID string, from, to time.Time) (usageView, error) {
	if h.opts.Usage != nil {
		if err := h.opts.Usage.FlushUsage(c.r.Context()); err != nil {
			return usageView{}, err
		}
	}
	u := usageView{records: map[string][]model.DailyUsage{}}
	err := h.store.View(c.r.Context(), c.scope, func(tx store.ReadTx) error {
		p, err := loadUsagePlan(tx, planID)
		if err != nil {
			return err
		}
		if u.keys, err = tx.UsagePlanKeys(p.ID); err != nil {
			return err
		}
		if keyID != "" {
			if !slices.Contains(u.keys, keyID) {
				return apiKeyNotFound()
			}
			u.keys = []string{keyID}
		}
		u.quota = ratelimit.NewQuota(p.Quota, p.CreatedDate)
		first := from
		if u.quota.Enabled() {
			first = ratelimit.PeriodStart(u.quota.Period, from)
		}
		recs, err := tx.Usage(p.ID, keyID, first.Format(model.DayLayout), to.Format(model.DayLayout))
		for _, r := range recs {
			u.records[r.KeyID] = append(u.records[r.KeyID], r)
		}
		return err
	})
	return u, err
}

// out renders the usage of keys from from to to.
func (u usageView) out(planID string, keys []string, from, to time.Time) usageJSON {
	out := usageJSON{UsagePlanID: planID, StartDate: from.Format(model.DayLayout), EndDate: to.Format(model.DayLayout),
		Values: make(map[string][][2]int64, len(keys))}
	for _, k := range keys {
		out.Values[k] = ratelimit.UsageSeries(u.quota, u.records[k], from, to)
	}
	return out
}

// remaining is what is left of a key's quota on day, as the quota counts
// it: the period's limit less what was used plus what was granted in the
// period up to day, not bounded below by 0 (GetUsage shows 0 for less); 0
// without a quota.
func (u usageView) remaining(key string, day time.Time) int64 {
	if !u.quota.Enabled() {
		return 0
	}
	start, end := ratelimit.PeriodStart(u.quota.Period, day).Format(model.DayLayout), day.Format(model.DayLayout)
	n := u.quota.LimitAt(day)
	for _, r := range u.records[key] {
		if r.Day >= start && r.Day <= end {
			n += r.Granted - r.Used
		}
	}
	return n
}

// usageDates reads GetUsage's required startDate and endDate (yyyy-MM-dd).
// AWS's texts for bad dates are unrecorded.
func (c *call) usageDates() (from, to time.Time, err error) {
	var v awserr.Validation
	for _, name := range []string{"startDate", "endDate"} {
		if !c.query.Has(name) {
			v.NotNull(name)
		}
	}
	if err := v.Err(); err != nil {
		return from, to, err
	}
	if from, err = parseDay("startDate", c.query.Get("startDate")); err != nil {
		return from, to, err
	}
	if to, err = parseDay("endDate", c.query.Get("endDate")); err != nil {
		return from, to, err
	}
	if to.Before(from) {
		return from, to, awserr.BadRequest("The end date must not be before the start date")
	}
	if to.Sub(from) >= maxUsageDays*24*time.Hour {
		return from, to, awserr.BadRequest("The usage period cannot exceed %d days", maxUsageDays)
	}
	return from, to, nil
}

func parseDay(name, s string) (time.Time, error) {
	t, err := time.Parse(model.DayLayout, s)
	if err != nil {
		return t, awserr.BadRequest("Invalid %s: %s. Dates must be of the form yyyy-MM-dd", name, s)
	}
	return t, nil
}

func keyOf(s string) string { return s }

// getUsage serves GetUsage: each key of the plan (or only keyId), limit
// keys at a time in the order they joined the plan, with a [used,
// remaining] pair for every day from startDate to endDate; days without
// traffic show [0, remaining]. The position is the next page's first key.
func (h *Handler) getUsage(c *call) (any, error) {
	from, to, err := c.usageDates()
	if err != nil {
		return nil, err
	}
	limit, err := c.limit()
	if err != nil {
		return nil, err
	}
	planID := c.params["usageplanId"]
	u, err := h.readUsage(c, planID, c.query.Get("keyId"), from, to)
	if err != nil {
		return nil, err
	}
	page, next, err := pageByID(u.keys, keyOf, c.query.Get("position"), limit)
	if err != nil {
		return nil, err
	}
	out := u.out(planID, page, from, to)
	out.Position = next
	return out, nil
}

// updateUsage serves UpdateUsage: replace /remaining sets what is left of
// the key's quota today (UTC) by granting the difference, through the usage
// meter when there is one. It answers the key's usage for today.
func (h *Handler) updateUsage(c *call) (any, error) {
	ops, _, err := c.patchOps("updateUsageInput", false)
	if err != nil {
		return nil, err
	}
	target, set := int64(0), false
	for _, o := range ops {
		op, _, value, err := opTarget(o)
		if err != nil {
			return nil, err
		}
		if err := usagePaths.check(op, *o.Path, *o.Path); err != nil {
			return nil, err
		}
		if target, err = parseIntValue(*o.Path, value); err != nil {
			return nil, err
		}
		set = true
	}
	planID, keyID := c.params["usageplanId"], c.params["keyId"]
	today := ratelimit.PeriodStart(model.QuotaDay, h.now())
	u, err := h.readUsage(c, planID, keyID, today, today)
	if err != nil {
		return nil, err
	}
	if n := target - u.remaining(keyID, today); set && n != 0 {
		if err := h.grantUsage(c, planID, keyID, today, n); err != nil {
			return nil, err
		}
		if u, err = h.readUsage(c, planID, keyID, today, today); err != nil {
			return nil, err
		}
	}
	return u.out(planID, []string{keyID}, today, today), nil
}

// grantUsage adds n to a key's remaining quota on day: through the usage
// meter, or without one as a record in the store.
func (h *Handler) grantUsage(c *call, planID, keyID string, day time.Time, n int64) error {
	if h.opts.Usage != nil {
		return h.opts.Usage.GrantUsage(c.r.Context(), c.scope, planID, keyID, n)
	}
	return h.store.Update(c.r.Context(), c.scope, func(tx store.Tx) error {
		return tx.AddUsage(planID, []model.DailyUsage{{KeyID: keyID, Day: day.Format(model.DayLayout), Granted: n}})
	})
}

func (h *Handler) usageOps(m map[string]opFunc) {
	m["GetUsage"] = h.getUsage
	m["UpdateUsage"] = h.updateUsage
}
