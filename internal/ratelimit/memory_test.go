package ratelimit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
)

// fakeStore is an in-memory UsageStore that can be made to fail.
type fakeStore struct {
	mu   sync.Mutex
	days map[CounterID]map[string]model.DailyUsage
	adds int   // successful AddUsage calls
	fail error // returned by every call while set
	// during, if set, runs at the start of AddUsage; an error it returns
	// is AddUsage's.
	during func(ctx context.Context) error
}

func newFakeStore() *fakeStore {
	return &fakeStore{days: make(map[CounterID]map[string]model.DailyUsage)}
}

func (s *fakeStore) LoadUsage(_ context.Context, id CounterID, from, to string) ([]model.DailyUsage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return nil, s.fail
	}
	var out []model.DailyUsage
	for day, u := range s.days[id] {
		if day >= from && day <= to {
			out = append(out, u)
		}
	}
	return out, nil
}

func (s *fakeStore) AddUsage(ctx context.Context, id CounterID, days []model.DailyUsage) error {
	if s.during != nil {
		if err := s.during(ctx); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	if s.days[id] == nil {
		s.days[id] = make(map[string]model.DailyUsage)
	}
	for _, d := range days {
		u := s.days[id][d.Day]
		u.KeyID, u.Day = d.KeyID, d.Day
		u.Used += d.Used
		u.Granted += d.Granted
		s.days[id][d.Day] = u
	}
	s.adds++
	return nil
}

func (s *fakeStore) setFail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

// used returns what the store holds for id's day, as "used/granted" pairs.
func (s *fakeStore) used(id CounterID, day string) [2]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.days[id][day]
	return [2]int64{u.Used, u.Granted}
}

func (s *fakeStore) addCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.adds
}

var testID = CounterID{Account: "123456789012", Region: "us-east-1", PlanID: "plan1", KeyID: "key1"}

// meterFixture is a MemoryMeter without background flushes over a fake
// store, with a manual clock.
type meterFixture struct {
	t     *testing.T
	store *fakeStore
	clock *ManualClock
	meter *MemoryMeter
}

func newMeterFixture(t *testing.T, start time.Time) *meterFixture {
	f := &meterFixture{t: t, store: newFakeStore(), clock: NewManualClock(start)}
	f.meter = NewMemoryMeter(f.store, f.clock, 0)
	return f
}

func (f *meterFixture) counter(q Quota) Counter {
	f.t.Helper()
	c, err := f.meter.Counter(testID, q)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// take offers n requests at the clock's time and returns how many c let
// through.
func (f *meterFixture) take(c Counter, n int) int {
	allowed := 0
	for range n {
		if c.Take(f.clock.Now()) {
			allowed++
		}
	}
	return allowed
}

func (f *meterFixture) flush() {
	f.t.Helper()
	if err := f.meter.Flush(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

// TestCounterQuota offers requests in one day and checks how many are let
// through, what remains and what is stored: refused requests are not
// counted.
func TestCounterQuota(t *testing.T) {
	tests := []struct {
		name             string
		q                Quota
		offered, allowed int
		remaining        int64
	}{
		{"limit 10", Quota{Limit: 10, Period: model.QuotaDay, Start: t0}, 15, 10, 0},
		{"limit 10 offered 7", Quota{Limit: 10, Period: model.QuotaMonth, Start: t0}, 7, 7, 3},
		{"limit 0", Quota{Limit: 0, Period: model.QuotaWeek, Start: t0}, 5, 0, 0},
		{"no quota", Quota{}, 1000, 1000, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newMeterFixture(t, t0)
			c := f.counter(tt.q)
			if got := f.take(c, tt.offered); got != tt.allowed {
				t.Fatalf("let through %d of %d, want %d", got, tt.offered, tt.allowed)
			}
			if got := c.Remaining(f.clock.Now()); got != tt.remaining {
				t.Fatalf("Remaining = %d, want %d", got, tt.remaining)
			}
			f.flush()
			if got := f.store.used(testID, "2025-03-14"); got != [2]int64{int64(tt.allowed), 0} {
				t.Fatalf("stored %v, want %d used", got, tt.allowed)
			}
		})
	}
}

// TestCounterPeriods exhausts a quota of 3 in its first period (less the
// offset of 1), checks that it stays exhausted until the period ends, then
// gets its full limit in the next period and after that.
func TestCounterPeriods(t *testing.T) {
	tests := []struct {
		name        string
		period      string
		start       string // when the plan was created
		lastInFirst string // the last day of the first period
		next        string // the start of the second period
		third       string // a time in the third period
	}{
		{"day", model.QuotaDay, "2025-03-14T15:09:26Z", "2025-03-14T23:59:59.999999999Z", "2025-03-15T00:00:00Z", "2025-03-16T00:00:00Z"},
		{"day at year end", model.QuotaDay, "2024-12-31T10:00:00Z", "2024-12-31T23:59:59Z", "2025-01-01T00:00:00Z", "2025-01-02T12:00:00Z"},
		{"week", model.QuotaWeek, "2025-03-12T10:00:00Z", "2025-03-15T23:59:59Z", "2025-03-16T00:00:00Z", "2025-03-23T00:00:00Z"},
		{"week over a year", model.QuotaWeek, "2024-12-29T00:00:00Z", "2025-01-04T23:59:59Z", "2025-01-05T00:00:00Z", "2025-01-12T00:00:00Z"},
		{"month of 31 days", model.QuotaMonth, "2025-03-14T10:00:00Z", "2025-03-31T23:59:59Z", "2025-04-01T00:00:00Z", "2025-05-01T00:00:00Z"},
		{"month of 30 days", model.QuotaMonth, "2025-04-01T00:00:00Z", "2025-04-30T23:59:59Z", "2025-05-01T00:00:00Z", "2025-06-30T00:00:00Z"},
		{"leap february", model.QuotaMonth, "2024-02-10T10:00:00Z", "2024-02-29T23:59:59Z", "2024-03-01T00:00:00Z", "2024-04-15T00:00:00Z"},
		{"february", model.QuotaMonth, "2025-02-10T10:00:00Z", "2025-02-28T23:59:59Z", "2025-03-01T00:00:00Z", "2025-04-15T00:00:00Z"},
		{"december", model.QuotaMonth, "2024-12-15T10:00:00Z", "2024-12-31T23:59:59Z", "2025-01-01T00:00:00Z", "2025-02-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newMeterFixture(t, date(tt.start))
			c := f.counter(Quota{Limit: 3, Offset: 1, Period: tt.period, Start: date(tt.start)})
			steps := []struct {
				at   string
				want int // let through of 5
			}{
				{tt.start, 2},
				{tt.lastInFirst, 0},
				{tt.next, 3},
				{tt.next, 0},
				{tt.third, 3},
			}
			for _, st := range steps {
				f.clock.Set(date(st.at))
				if got := f.take(c, 5); got != st.want {
					t.Fatalf("at %s let through %d, want %d", st.at, got, st.want)
				}
			}
			f.flush()
			for day, want := range map[string]int64{tt.start[:10]: 2, tt.next[:10]: 3, tt.third[:10]: 3} {
				if got := f.store.used(testID, day); got[0] != want {
					t.Errorf("stored %d used on %s, want %d", got[0], day, want)
				}
			}
		})
	}
}

func TestCounterGrant(t *testing.T) {
	f := newMeterFixture(t, t0)
	c := f.counter(Quota{Limit: 5, Period: model.QuotaWeek, Start: t0.AddDate(0, -1, 0)})
	steps := []struct {
		grant         int64
		take, allowed int
		remaining     int64
	}{
		{0, 5, 5, 0},
		{3, 0, 0, 3},   // raise
		{0, 5, 3, 0},   // use the grant
		{-2, 0, 0, 0},  // lower: 5 − 8 + 1 is below 0
		{3, 0, 0, 1},   // 5 − 8 + 4
		{-10, 5, 0, 0}, // lower below nothing
		{20, 0, 0, 11}, // 5 − 8 + 14
	}
	var used, granted int64
	for i, st := range steps {
		c.Grant(f.clock.Now(), st.grant)
		if got := f.take(c, st.take); got != st.allowed {
			t.Fatalf("step %d: let through %d of %d, want %d", i, got, st.take, st.allowed)
		}
		if got := c.Remaining(f.clock.Now()); got != st.remaining {
			t.Fatalf("step %d: Remaining = %d, want %d", i, got, st.remaining)
		}
		used += int64(st.allowed)
		granted += st.grant
		f.clock.Advance(time.Hour)
	}
	f.flush()
	var stored [2]int64
	for _, day := range []string{"2025-03-14", "2025-03-15"} {
		u := f.store.used(testID, day)
		stored[0] += u[0]
		stored[1] += u[1]
	}
	if stored != [2]int64{used, granted} {
		t.Fatalf("stored %v, want %v", stored, [2]int64{used, granted})
	}
	// A grant lasts for its period only.
	f.clock.Set(date("2025-03-16T00:00:00Z"))
	if got := c.Remaining(f.clock.Now()); got != 5 {
		t.Fatalf("next week, Remaining = %d, want 5", got)
	}
}

func TestMeterRestart(t *testing.T) {
	f := newMeterFixture(t, t0)
	q := Quota{Limit: 10, Period: model.QuotaMonth, Start: t0.AddDate(-1, 0, 0)}
	c := f.counter(q)
	f.take(c, 4)
	f.clock.Advance(24 * time.Hour)
	f.take(c, 3)
	c.Grant(f.clock.Now(), 2)
	if err := f.meter.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	restarted := NewMemoryMeter(f.store, f.clock, 0)
	f.meter = restarted
	c = f.counter(q)
	if got := c.Remaining(f.clock.Now()); got != 5 {
		t.Fatalf("after a restart, Remaining = %d, want 10 − 7 + 2", got)
	}
	if got := f.take(c, 10); got != 5 {
		t.Fatalf("after a restart, let through %d, want 5", got)
	}
	// Switched to a DAY quota, the counter counts today only: 3 used
	// before the restart, 5 after, 2 granted.
	if got := f.counter(Quota{Limit: 10, Period: model.QuotaDay}).Remaining(f.clock.Now()); got != 4 {
		t.Fatalf("DAY quota: Remaining = %d, want 10 − 8 + 2", got)
	}
	// A crash (no Close) loses what was not flushed: the 5.
	f.meter = NewMemoryMeter(f.store, f.clock, 0)
	if got := f.counter(Quota{Limit: 10, Period: model.QuotaDay}).Remaining(f.clock.Now()); got != 9 {
		t.Fatalf("after a crash: Remaining = %d, want 10 − 3 + 2", got)
	}
}

func TestFlushDeltasOnce(t *testing.T) {
	f := newMeterFixture(t, date("2025-03-14T23:00:00Z"))
	c := f.counter(Quota{})
	f.take(c, 3)
	f.flush()
	f.flush()
	if got := f.store.addCalls(); got != 1 {
		t.Fatalf("%d AddUsage calls, want 1: a flush without changes writes nothing", got)
	}
	f.take(c, 2)
	f.clock.Advance(2 * time.Hour) // past midnight
	c.Grant(f.clock.Now(), 4)
	f.take(c, 7)
	c.Grant(f.clock.Now(), -4)
	f.flush()
	f.flush()
	if got := f.store.addCalls(); got != 2 {
		t.Fatalf("%d AddUsage calls, want 2", got)
	}
	for day, want := range map[string][2]int64{"2025-03-14": {5, 0}, "2025-03-15": {7, 0}} {
		if got := f.store.used(testID, day); got != want {
			t.Errorf("stored %v on %s, want %v", got, day, want)
		}
	}
}

func TestFlushFailureRetried(t *testing.T) {
	f := newMeterFixture(t, date("2025-03-14T23:00:00Z"))
	c := f.counter(Quota{Limit: 100, Period: model.QuotaWeek})
	f.take(c, 3)
	broken := errors.New("disk full")
	f.store.setFail(broken)
	if err := f.meter.Flush(context.Background()); !errors.Is(err, broken) {
		t.Fatalf("Flush = %v, want %v", err, broken)
	}
	f.take(c, 2) // the same day as the deltas kept
	f.clock.Advance(2 * time.Hour)
	f.take(c, 1) // the next day
	if err := f.meter.Flush(context.Background()); !errors.Is(err, broken) {
		t.Fatalf("Flush = %v, want %v", err, broken)
	}
	f.take(c, 4)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.meter.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Flush with a cancelled context = %v", err)
	}
	f.store.setFail(nil)
	f.flush()
	f.flush()
	for day, want := range map[string][2]int64{"2025-03-14": {5, 0}, "2025-03-15": {5, 0}} {
		if got := f.store.used(testID, day); got != want {
			t.Errorf("stored %v on %s, want %v", got, day, want)
		}
	}
	if got := f.store.addCalls(); got != 1 {
		t.Fatalf("%d successful AddUsage calls, want 1", got)
	}
	if got := c.Remaining(f.clock.Now()); got != 90 {
		t.Fatalf("Remaining = %d, want 90", got)
	}
}

// TestFlushFailureWhileCounting counts while a flush that will fail writes,
// on the day being written and on the next.
func TestFlushFailureWhileCounting(t *testing.T) {
	f := newMeterFixture(t, date("2025-03-14T23:00:00Z"))
	c := f.counter(Quota{})
	f.take(c, 3)
	f.store.during = func(context.Context) error {
		f.take(c, 2)
		f.clock.Advance(2 * time.Hour)
		f.take(c, 1)
		return errors.New("timeout")
	}
	if err := f.meter.Flush(context.Background()); err == nil {
		t.Fatal("Flush returned nil")
	}
	f.store.during = nil
	f.flush()
	for day, want := range map[string][2]int64{"2025-03-14": {5, 0}, "2025-03-15": {1, 0}} {
		if got := f.store.used(testID, day); got != want {
			t.Errorf("stored %v on %s, want %v", got, day, want)
		}
	}
}

func TestCounterChangedQuota(t *testing.T) {
	f := newMeterFixture(t, t0) // a Friday
	q := Quota{Limit: 10, Period: model.QuotaDay, Start: t0.AddDate(0, 0, -30)}
	c := f.counter(q)
	f.take(c, 4)
	f.flush()
	f.clock.Advance(24 * time.Hour)
	f.take(c, 6) // not flushed

	steps := []struct {
		q         Quota
		remaining int64
	}{
		{Quota{Limit: 8, Period: model.QuotaDay, Start: q.Start}, 2},
		{Quota{Limit: 5, Period: model.QuotaDay, Start: q.Start}, 0},
		{Quota{Limit: 20, Offset: 5, Period: model.QuotaDay, Start: f.clock.Now()}, 9},
		{Quota{}, 0},
		{Quota{Limit: 12, Period: model.QuotaDay}, 6},
		// A new period: the week's usage (flushed and not) is loaded.
		{Quota{Limit: 15, Period: model.QuotaWeek}, 5},
		{Quota{Limit: 100, Period: model.QuotaMonth}, 90},
	}
	for _, st := range steps {
		c2, err := f.meter.Counter(testID, st.q)
		if err != nil {
			t.Fatal(err)
		}
		if c2 != c {
			t.Fatal("Counter returned another counter for the same id")
		}
		if got := c.Remaining(f.clock.Now()); got != st.remaining {
			t.Fatalf("with %+v, Remaining = %d, want %d", st.q, got, st.remaining)
		}
	}
	f.flush()
	if got := f.store.used(testID, "2025-03-15"); got != [2]int64{6, 0} {
		t.Fatalf("stored %v, want 6 used", got)
	}
}

func TestCounterLoadError(t *testing.T) {
	f := newMeterFixture(t, t0)
	f.store.setFail(errors.New("no database"))
	if c, err := f.meter.Counter(testID, Quota{}); err == nil || c != nil {
		t.Fatalf("Counter = %v, %v, want an error", c, err)
	}
}

// TestCounterConcurrent has goroutines race to take, grant and flush, and
// checks the quota is never exceeded and every count is stored once.
func TestCounterConcurrent(t *testing.T) {
	f := newMeterFixture(t, t0)
	c := f.counter(Quota{Limit: 1000, Period: model.QuotaDay})
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 300 {
				if c.Take(f.clock.Now()) {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			if err := f.meter.Flush(context.Background()); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Wait()
	if got := allowed.Load(); got != 1000 {
		t.Fatalf("let through %d, want 1000", got)
	}
	f.flush()
	if got := f.store.used(testID, "2025-03-14"); got != [2]int64{1000, 0} {
		t.Fatalf("stored %v, want 1000 used", got)
	}
}

// backgroundMeter returns a meter over store that flushes every
// millisecond, with the system clock, and a counter without quota that has
// counted one request at now.
func backgroundMeter(t *testing.T, store *fakeStore) (m *MemoryMeter, c Counter, now time.Time) {
	t.Helper()
	m = NewMemoryMeter(store, nil, time.Millisecond)
	c, err := m.Counter(testID, Quota{})
	if err != nil {
		t.Fatal(err)
	}
	now = time.Now()
	c.Take(now)
	return m, c, now
}

// waitFor polls cond until it holds, and fails if it does not within 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal(what)
		}
	}
}

func TestBackgroundFlush(t *testing.T) {
	store := newFakeStore()
	m, c, now := backgroundMeter(t, store)
	day := now.UTC().Format(model.DayLayout)
	waitFor(t, "the background flush did not write the count", func() bool { return store.used(testID, day)[0] == 1 })
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	store.setFail(errors.New("offline"))
	c.Take(now)
	waitFor(t, "the background flush did not report its error", func() bool { return m.Err() != nil })
	if err := m.Close(context.Background()); err == nil {
		t.Fatal("Close with a failing store returned nil")
	}
	store.setFail(nil)
	if err := m.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := store.used(testID, day)[0]; got != 2 {
		t.Fatalf("stored %d used, want 2", got)
	}
}

// TestCloseCancelsBackgroundFlush closes a meter whose background flush
// hangs: the flush is cancelled when Close's context ends, and the counts
// are kept.
func TestCloseCancelsBackgroundFlush(t *testing.T) {
	store := newFakeStore()
	entered := make(chan struct{}, 1)
	store.during = func(ctx context.Context) error {
		select {
		case entered <- struct{}{}:
		default:
		}
		<-ctx.Done()
		return ctx.Err()
	}
	m, _, now := backgroundMeter(t, store)
	<-entered
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := m.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close = %v, want %v", err, context.DeadlineExceeded)
	}
	store.during = nil
	if err := m.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := store.used(testID, now.UTC().Format(model.DayLayout))[0]; got != 1 {
		t.Fatalf("stored %d used, want 1", got)
	}
}

func TestDayOf(t *testing.T) {
	for _, tt := range []struct {
		t    string
		want int64
	}{
		{"1970-01-01T00:00:00Z", 0},
		{"1970-01-01T23:59:59.999999999Z", 0},
		{"1969-12-31T23:59:59Z", -1},
		{"1969-12-31T00:00:00Z", -1},
		{"2025-03-14T15:09:26Z", 20161},
	} {
		if got := dayOf(date(tt.t).UnixNano()); got != tt.want || !dayTime(got).Equal(PeriodStart(model.QuotaDay, date(tt.t))) {
			t.Errorf("dayOf(%s) = %d, want %d", tt.t, got, tt.want)
		}
	}
}

func TestTakeZeroAllocs(t *testing.T) {
	f := newMeterFixture(t, t0)
	c := f.counter(Quota{Limit: 1 << 40, Period: model.QuotaMonth})
	now := f.clock.Now()
	if n := testing.AllocsPerRun(1000, func() { c.Take(now) }); n != 0 {
		t.Fatalf("Take allocates %v times", n)
	}
}
