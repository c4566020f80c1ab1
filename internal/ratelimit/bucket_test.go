package ratelimit

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
)

var t0 = time.Date(2025, 3, 14, 15, 9, 26, 0, time.UTC)

func TestManualClock(t *testing.T) {
	c := NewManualClock(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("Now = %v, want %v", got, t0)
	}
	c.Advance(1500 * time.Millisecond)
	if got, want := c.Now(), t0.Add(1500*time.Millisecond); !got.Equal(want) {
		t.Fatalf("after Advance, Now = %v, want %v", got, want)
	}
	c.Set(t0)
	if got := c.Now(); !got.Equal(t0) {
		t.Fatalf("after Set, Now = %v, want %v", got, t0)
	}
	if d := time.Since(System.Now()); d < 0 || d > time.Minute {
		t.Fatalf("System.Now is %v away from time.Now", d)
	}
}

// offer offers n requests to b, one every step from start, and returns how
// many it let through.
func offer(b *Bucket, start time.Time, step time.Duration, n int) int {
	clock := NewManualClock(start)
	allowed := 0
	for range n {
		if b.Allow(clock.Now()) {
			allowed++
		}
		clock.Advance(step)
	}
	return allowed
}

// TestBucketPrecision offers requests evenly, faster than the rate, and
// checks that the bucket lets through its burst plus rate × duration, ±2%.
func TestBucketPrecision(t *testing.T) {
	tests := []struct {
		name     string
		s        model.ThrottleSettings
		perSec   int
		duration time.Duration
	}{
		// The acceptance test: 1,000 requests per second for 5 s against
		// rate 100, burst 50 → 550.
		{"rate 100 burst 50", model.ThrottleSettings{RateLimit: 100, BurstLimit: 50}, 1000, 5 * time.Second},
		{"rate 10 burst 1", model.ThrottleSettings{RateLimit: 10, BurstLimit: 1}, 100, 10 * time.Second},
		{"rate 0.5 burst 2", model.ThrottleSettings{RateLimit: 0.5, BurstLimit: 2}, 10, 100 * time.Second},
		{"rate 3 burst 5", model.ThrottleSettings{RateLimit: 3, BurstLimit: 5}, 50, 60 * time.Second},
		{"rate 10000 burst 5000", model.ThrottleSettings{RateLimit: 10000, BurstLimit: 5000}, 100000, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := int(tt.duration.Seconds() * float64(tt.perSec))
			got := offer(NewBucket(tt.s), t0, time.Second/time.Duration(tt.perSec), n)
			want := float64(tt.s.BurstLimit) + tt.s.RateLimit*tt.duration.Seconds()
			if diff := float64(got) - want; diff > want*0.02 || -diff > want*0.02 {
				t.Fatalf("let through %d of %d, want %.0f ± 2%%", got, n, want)
			}
			t.Logf("let through %d of %d, want %.0f", got, n, want)
		})
	}
}

// TestBucketBurstThenRate takes the whole burst at once, then checks that the
// next token comes exactly 1/rate later.
func TestBucketBurstThenRate(t *testing.T) {
	tests := []struct {
		s     model.ThrottleSettings
		every time.Duration // 1/rate, rounded to the nanosecond
	}{
		{model.ThrottleSettings{RateLimit: 100, BurstLimit: 50}, 10 * time.Millisecond},
		{model.ThrottleSettings{RateLimit: 0.5, BurstLimit: 1}, 2 * time.Second},
		{model.ThrottleSettings{RateLimit: 0.25, BurstLimit: 3}, 4 * time.Second},
		{model.ThrottleSettings{RateLimit: 3, BurstLimit: 5}, 333333333 * time.Nanosecond},
		{model.ThrottleSettings{RateLimit: 10000, BurstLimit: 5000}, 100 * time.Microsecond},
		{model.ThrottleSettings{RateLimit: 1e12, BurstLimit: 2}, time.Nanosecond},
	}
	for _, tt := range tests {
		t.Run(tt.every.String(), func(t *testing.T) {
			b := NewBucket(tt.s)
			for i := range tt.s.BurstLimit {
				if !b.Allow(t0) {
					t.Fatalf("request %d of the burst refused", i+1)
				}
			}
			steps := []struct {
				at   time.Duration
				want bool
			}{
				{0, false},
				{tt.every - 1, false},
				{tt.every, true},
				{tt.every, false},
			}
			for _, st := range steps {
				if got := b.Allow(t0.Add(st.at)); got != st.want {
					t.Fatalf("Allow at +%v = %v, want %v", st.at, got, st.want)
				}
			}
			// Two intervals later, two tokens (or the burst, if smaller).
			if got, want := offer(b, t0.Add(3*tt.every), 0, 5), min(2, int(tt.s.BurstLimit)); got != want {
				t.Fatalf("two intervals later, let through %d at once, want %d", got, want)
			}
			// A long pause refills the bucket to its burst, no more.
			if got := offer(b, t0.Add(time.Hour), 0, int(tt.s.BurstLimit)+5); got != int(tt.s.BurstLimit) {
				t.Fatalf("after a pause, let through %d at once, want %d", got, tt.s.BurstLimit)
			}
		})
	}
}

func TestBucketOff(t *testing.T) {
	for _, s := range []model.ThrottleSettings{
		{RateLimit: 0, BurstLimit: 0},
		{RateLimit: 0, BurstLimit: 10},
		{RateLimit: 10, BurstLimit: 0},
	} {
		b := NewBucket(s)
		if b == nil || b.Settings() != s {
			t.Fatalf("NewBucket(%+v) = %v", s, b)
		}
		if got := offer(b, t0, time.Hour, 10); got != 0 {
			t.Fatalf("%+v let through %d requests, want 0", s, got)
		}
	}
}

func TestBucketNoLimit(t *testing.T) {
	for _, s := range []model.ThrottleSettings{
		{RateLimit: -1, BurstLimit: -1},
		{RateLimit: -1, BurstLimit: 10},
		{RateLimit: 10, BurstLimit: -1},
	} {
		b := NewBucket(s)
		if b != nil {
			t.Fatalf("NewBucket(%+v) = %v, want nil", s, b)
		}
		if got := offer(b, t0, 0, 1000); got != 1000 {
			t.Fatalf("nil bucket let through %d of 1000", got)
		}
		if got := b.Settings(); got != (model.ThrottleSettings{}) {
			t.Fatalf("nil bucket Settings = %+v", got)
		}
	}
}

func TestBucketZeroAllocs(t *testing.T) {
	b := NewBucket(model.ThrottleSettings{RateLimit: 1e6, BurstLimit: 1e6})
	now := time.Now()
	if n := testing.AllocsPerRun(1000, func() { b.Allow(now) }); n != 0 {
		t.Fatalf("Allow allocates %v times", n)
	}
}

// TestBucketConcurrent has goroutines race for tokens while the clock moves,
// and checks the bucket never lets through more than burst + rate × elapsed.
func TestBucketConcurrent(t *testing.T) {
	s := model.ThrottleSettings{RateLimit: 1000, BurstLimit: 100}
	limit := func(elapsed time.Duration) int64 {
		return s.BurstLimit + int64(s.RateLimit*elapsed.Seconds()) + 1
	}
	t.Run("manual clock", func(t *testing.T) {
		b := NewBucket(s)
		clock := NewManualClock(t0)
		var allowed atomic.Int64
		var stop atomic.Bool
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for !stop.Load() {
					if b.Allow(clock.Now()) {
						allowed.Add(1)
					}
				}
			})
		}
		for range 2000 {
			clock.Advance(100 * time.Microsecond)
			if got, max := allowed.Load(), limit(clock.Now().Sub(t0)); got > max {
				t.Errorf("let through %d, more than %d", got, max)
			}
		}
		stop.Store(true)
		wg.Wait()
		// Take what the goroutines left. Tokens that came while the
		// bucket was full were lost, so the total may fall short of
		// burst + rate × elapsed, but never exceed it.
		for b.Allow(clock.Now()) {
			allowed.Add(1)
		}
		elapsed := clock.Now().Sub(t0)
		if got, max := allowed.Load(), limit(elapsed); got > max || got < s.BurstLimit {
			t.Fatalf("let through %d in %v, want %d to %d", got, elapsed, s.BurstLimit, max)
		}
	})
	t.Run("system clock", func(t *testing.T) {
		b := NewBucket(s)
		start := time.Now()
		var allowed atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for time.Since(start) < 50*time.Millisecond {
					if b.Allow(time.Now()) {
						allowed.Add(1)
					}
				}
			})
		}
		wg.Wait()
		if got, max := allowed.Load(), limit(time.Since(start)); got > max {
			t.Fatalf("let through %d, more than %d", got, max)
		}
	})
}

func TestBuckets(t *testing.T) {
	s := model.ThrottleSettings{RateLimit: 1, BurstLimit: 2}
	other := model.ThrottleSettings{RateLimit: 1, BurstLimit: 3}
	drain := func(b *Bucket) {
		for b.Allow(t0) {
		}
	}

	r1 := NewBuckets()
	a := r1.Get("a", s)
	if a == nil || r1.Get("a", s) != a {
		t.Fatal("Get does not return the same bucket for the same key")
	}
	if r1.Get("b", s) == a {
		t.Fatal("two keys share a bucket")
	}
	if r1.Get("off", model.ThrottleSettings{RateLimit: -1, BurstLimit: -1}) != nil {
		t.Fatal("Get with negative settings is not nil")
	}
	drain(a)
	drain(r1.Get("b", s))
	r1.Get("c", s)

	r2 := r1.Next()
	if got := r2.Len(); got != 0 {
		t.Fatalf("Next has %d buckets, want 0", got)
	}
	if a2 := r2.Get("a", s); a2 != a || a2.Allow(t0) {
		t.Fatal("Next did not keep the state of a bucket with the same settings")
	}
	if b2 := r2.Get("b", other); b2.Settings() != other || !b2.Allow(t0) {
		t.Fatal("Next did not make a new bucket for changed settings")
	}
	if r1.Get("a", other) == a {
		t.Fatal("Get with changed settings returned the old bucket")
	}

	// "c" was not asked for from r2: it is gone from r3.
	r3 := r2.Next()
	if c3 := r3.Get("c", s); !c3.Allow(t0) || r2.Len() != 2 {
		t.Fatal("a bucket not carried over to r2 reached r3")
	}
	if r3.Get("a", s) != a {
		t.Fatal("r3 did not keep a")
	}
}
