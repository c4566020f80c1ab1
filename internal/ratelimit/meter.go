package ratelimit

import (
	"context"
	"time"

	"github.com/gantryproject/gantry/internal/model"
)

// CounterID names one API key's counter under one usage plan in one account
// and region.
type CounterID struct{ Account, Region, PlanID, KeyID string }

// Meter keeps the quota counters of API keys and persists their usage.
type Meter interface {
	// Counter returns the counter for id with quota q; the same id always
	// returns the same counter (state kept), with q updated if it changed.
	// Called at configuration-compile time, not per request; it may read
	// persisted usage.
	Counter(id CounterID, q Quota) (Counter, error)
	// Flush writes every count not yet persisted, and returns when they are
	// stored.
	Flush(ctx context.Context) error
	// Close flushes and stops background work.
	Close(ctx context.Context) error
}

// Counter counts the requests of one API key under one usage plan against
// its quota. It is safe for concurrent use.
type Counter interface {
	// Take counts one request made at now if the quota allows it, and
	// reports whether it did. Refused requests are not counted.
	Take(now time.Time) bool
	// Grant adds n (possibly negative) to the remaining quota of the period
	// containing now (UpdateUsage).
	Grant(now time.Time, n int64)
	// Remaining is what is left of the quota in the period containing now
	// (0 without a quota, as in UsageSeries).
	Remaining(now time.Time) int64
}

// UsageStore persists daily usage records.
type UsageStore interface {
	// LoadUsage returns id's daily records for days from..to inclusive
	// ("2006-01-02").
	LoadUsage(ctx context.Context, id CounterID, from, to string) ([]model.DailyUsage, error)
	// AddUsage adds the records' Used and Granted to what is stored for id's
	// plan. It must store all of them or, when it returns an error, none:
	// the caller sends the same deltas again later.
	AddUsage(ctx context.Context, id CounterID, days []model.DailyUsage) error
}
