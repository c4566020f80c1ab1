package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gantryproject/gantry/internal/model"
)

const nanosPerDay = int64(24 * time.Hour)

// dayOf returns the number of the UTC day that contains t (unix nanoseconds).
func dayOf(t int64) int64 {
	d := t / nanosPerDay
	if t%nanosPerDay < 0 {
		d--
	}
	return d
}

// dayTime returns the start of day number d.
func dayTime(d int64) time.Time { return time.Unix(d*(nanosPerDay/1e9), 0).UTC() }

// MemoryMeter is a Meter that counts in process memory and writes the counts
// to a UsageStore as deltas, in the background and on Flush. It suits a
// single process: several processes sharing a store would each enforce the
// quota on their own counts.
type MemoryMeter struct {
	store UsageStore
	clock Clock

	// mu serializes Counter and Flush, and guards counters.
	mu       sync.Mutex
	counters map[CounterID]*memCounter

	lastErr  atomic.Pointer[error]
	stop     chan struct{}
	stopOnce sync.Once
	done     chan struct{}
	ctx      context.Context // of the background flushes
	cancel   context.CancelFunc
}

var _ Meter = (*MemoryMeter)(nil)

// NewMemoryMeter returns a MemoryMeter that persists usage to store, reads
// the time from clock (nil: System) when it creates a counter, and flushes
// in the background every flushEvery if it is positive, until Close.
func NewMemoryMeter(store UsageStore, clock Clock, flushEvery time.Duration) *MemoryMeter {
	if clock == nil {
		clock = System
	}
	m := &MemoryMeter{
		store:    store,
		clock:    clock,
		counters: make(map[CounterID]*memCounter),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	m.ctx, m.cancel = context.WithCancel(context.Background())
	if flushEvery > 0 {
		go m.run(flushEvery)
	} else {
		close(m.done)
	}
	return m
}

func (m *MemoryMeter) run(every time.Duration) {
	defer close(m.done)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-tick.C:
			err := m.Flush(m.ctx)
			m.lastErr.Store(&err)
		}
	}
}

// Err returns the error of the last background flush, nil if it succeeded
// (or none ran). The deltas a failed flush could not write are kept and
// written by the next one.
func (m *MemoryMeter) Err() error {
	if p := m.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

// Counter returns the counter for id, creating it with quota q, or updating
// its quota to q. A new counter loads from the store what id used in the
// current quota period (today without a quota), so that a restart does not
// reset quotas; a counter whose quota period changes loads the new period's
// usage likewise. Changing the limit, offset or start of a quota keeps the
// count and applies the new effective limit. Counter waits for a running
// Flush.
func (m *MemoryMeter) Counter(id CounterID, q Quota) (Counter, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.clock.Now().UnixNano()
	if c := m.counters[id]; c != nil {
		if err := c.setQuota(m.store, q, now); err != nil {
			return nil, err
		}
		return c, nil
	}
	c := &memCounter{id: id}
	if err := c.load(m.store, q, now); err != nil {
		return nil, err
	}
	m.counters[id] = c
	return c, nil
}

// Flush writes the counts not yet written to the store, one AddUsage call
// per counter with changes, each day's delta as its own record. The deltas
// of a call that fails are kept for the next Flush; Flush returns the
// failures joined.
func (m *MemoryMeter) Flush(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for id, c := range m.counters {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		deltas := c.takePending()
		if deltas == nil {
			continue
		}
		days := make([]model.DailyUsage, 0, len(deltas))
		for _, d := range deltas {
			if d.used != 0 || d.granted != 0 {
				days = append(days, model.DailyUsage{KeyID: id.KeyID, Day: dayTime(d.day).Format(model.DayLayout), Used: d.used, Granted: d.granted})
			}
		}
		var err error
		if len(days) > 0 {
			err = m.store.AddUsage(ctx, id, days)
		}
		c.putPending(deltas, err)
		if err != nil {
			errs = append(errs, fmt.Errorf("ratelimit: writing usage of %s/%s/%s/%s: %w", id.Account, id.Region, id.PlanID, id.KeyID, err))
		}
	}
	return errors.Join(errs...)
}

// Close stops the background flushes and flushes a last time. If ctx ends
// while a background flush is still running, that flush is cancelled. The
// counters keep counting after Close, but only Flush writes their counts.
func (m *MemoryMeter) Close(ctx context.Context) error {
	m.stopOnce.Do(func() { close(m.stop) })
	select {
	case <-m.done:
	case <-ctx.Done():
		m.cancel()
		<-m.done
	}
	m.cancel()
	return m.Flush(ctx)
}

// dayDelta is what a counter counted on one day and has not written yet.
type dayDelta struct{ day, used, granted int64 }

// memCounter is MemoryMeter's Counter. Its mutex guards everything: Take is
// a lock, two compares and two increments, about 6 ns uncontended. Atomics
// would not make the refusal at the limit exact, nor the day and period
// roll-over consistent, without a compare-and-swap loop costing as much.
type memCounter struct {
	mu      sync.Mutex
	id      CounterID
	q       Quota
	enabled bool
	limit   int64 // effective limit of the current period
	// used and granted are the totals of the current period, written or
	// not.
	used, granted int64
	day           int64 // current day number (dayOf)
	dayEnd        int64 // unix nanoseconds
	periodStart   int64 // unix nanoseconds
	periodEnd     int64 // unix nanoseconds
	// pending holds the deltas not yet written, oldest day first; spare is
	// the other buffer, swapped in while a flush writes pending.
	pending, spare []dayDelta
}

var _ Counter = (*memCounter)(nil)

// Take implements Counter.
func (c *memCounter) Take(now time.Time) bool {
	t := now.UnixNano()
	c.mu.Lock()
	if t >= c.dayEnd {
		c.roll(t)
	}
	ok := !c.enabled || c.limit-c.used+c.granted > 0
	if ok {
		c.used++
		c.add(1, 0)
	}
	c.mu.Unlock()
	return ok
}

// Grant implements Counter.
func (c *memCounter) Grant(now time.Time, n int64) {
	t := now.UnixNano()
	c.mu.Lock()
	if t >= c.dayEnd {
		c.roll(t)
	}
	c.granted += n
	c.add(0, n)
	c.mu.Unlock()
}

// Remaining implements Counter.
func (c *memCounter) Remaining(now time.Time) int64 {
	t := now.UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	if t >= c.dayEnd {
		c.roll(t)
	}
	return remaining(c.enabled, c.limit, c.used, c.granted)
}

// add counts used and granted on the current day. c.mu is held.
func (c *memCounter) add(used, granted int64) {
	n := len(c.pending)
	if n == 0 || c.pending[n-1].day != c.day {
		c.pending = append(c.pending, dayDelta{day: c.day})
		n++
	}
	c.pending[n-1].used += used
	c.pending[n-1].granted += granted
}

// roll moves the counter to the day that contains t, which is after its
// current day, and to a new period (with nothing used) if t is past the
// current one. Times before the current day count on the current day, so
// that callers racing with slightly different clocks do not move it back
// and forth. c.mu is held.
func (c *memCounter) roll(t int64) {
	c.day = dayOf(t)
	c.dayEnd = (c.day + 1) * nanosPerDay
	if t >= c.periodEnd {
		c.setPeriod(time.Unix(0, t))
		c.used, c.granted = 0, 0
	}
}

// setPeriod sets the period bounds and effective limit for the period of
// c.q that contains t. c.mu is held.
func (c *memCounter) setPeriod(t time.Time) {
	period := c.q.trackPeriod()
	start := PeriodStart(period, t)
	c.periodStart = start.UnixNano()
	c.periodEnd = PeriodEnd(period, t).UnixNano()
	c.limit = c.q.LimitAt(start)
}

// setQuota changes the counter's quota to q at now (unix nanoseconds). The
// count is kept if the period is the same, and loaded for the new period
// otherwise.
func (c *memCounter) setQuota(store UsageStore, q Quota, now int64) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if q.trackPeriod() != c.q.trackPeriod() {
		return c.load(store, q, now)
	}
	c.q, c.enabled = q, q.Enabled()
	c.setPeriod(time.Unix(0, c.periodStart))
	return nil
}

// load sets the counter to quota q at now (unix nanoseconds, or the
// counter's current day if later), with the usage of the period read from
// the store plus the deltas not yet written. The caller holds c.mu, or c is
// not shared yet, and no flush runs.
func (c *memCounter) load(store UsageStore, q Quota, now int64) error {
	day := max(dayOf(now), c.day)
	period := q.trackPeriod()
	first := dayOf(PeriodStart(period, dayTime(day)).UnixNano())
	records, err := store.LoadUsage(context.Background(), c.id, dayTime(first).Format(model.DayLayout), dayTime(day).Format(model.DayLayout))
	if err != nil {
		return fmt.Errorf("ratelimit: reading usage of %s/%s/%s/%s: %w", c.id.Account, c.id.Region, c.id.PlanID, c.id.KeyID, err)
	}
	var used, granted int64
	for _, r := range records {
		t, err := time.Parse(model.DayLayout, r.Day)
		if d := dayOf(t.UnixNano()); err == nil && d >= first && d <= day {
			used += r.Used
			granted += r.Granted
		}
	}
	for _, d := range c.pending {
		if d.day >= first && d.day <= day {
			used += d.used
			granted += d.granted
		}
	}
	c.q, c.enabled = q, q.Enabled()
	c.day, c.dayEnd = day, (day+1)*nanosPerDay
	c.setPeriod(dayTime(day))
	c.used, c.granted = used, granted
	return nil
}

// takePending returns the deltas to write, nil if there are none, and
// starts a new list for the counts made meanwhile.
func (c *memCounter) takePending() []dayDelta {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.pending
	if len(p) == 0 {
		return nil
	}
	c.pending, c.spare = c.spare[:0], nil
	return p
}

// putPending ends the write of deltas taken by takePending: on success their
// buffer becomes the spare one, on failure they go back in front of the
// deltas counted meanwhile.
func (c *memCounter) putPending(deltas []dayDelta, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		c.spare = deltas[:0]
		return
	}
	later := c.pending
	if len(later) > 0 && later[0].day == deltas[len(deltas)-1].day {
		deltas[len(deltas)-1].used += later[0].used
		deltas[len(deltas)-1].granted += later[0].granted
		later = later[1:]
	}
	c.pending, c.spare = append(deltas, later...), c.pending[:0]
}
