package ratelimit

import (
	"sync/atomic"
	"time"
)

// Clock tells the time.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// System is the Clock of the machine: time.Now.
var System Clock = systemClock{}

// ManualClock is a Clock that stands still until it is moved, for tests. It is
// safe for concurrent use.
type ManualClock struct {
	nanos atomic.Int64
}

// NewManualClock returns a ManualClock set to t.
func NewManualClock(t time.Time) *ManualClock {
	c := new(ManualClock)
	c.Set(t)
	return c
}

// Now returns the time the clock is set to, in UTC.
func (c *ManualClock) Now() time.Time { return time.Unix(0, c.nanos.Load()).UTC() }

// Advance moves the clock forward by d (backward if d is negative).
func (c *ManualClock) Advance(d time.Duration) { c.nanos.Add(int64(d)) }

// Set sets the clock to t.
func (c *ManualClock) Set(t time.Time) { c.nanos.Store(t.UnixNano()) }
