package ratelimit

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gantryproject/gantry/internal/model"
)

// maxSpan bounds a bucket's emission interval and burst tolerance (about 36
// years), so that the arithmetic on unix nanoseconds cannot overflow.
const maxSpan = 1 << 60

// Bucket is a token bucket: it holds up to BurstLimit tokens, starts full and
// is refilled at RateLimit tokens per second (a fractional rate such as 0.5,
// one token every two seconds, is fine). Each request let through takes one
// token.
//
// It is implemented with the generic cell rate algorithm: the bucket keeps
// the theoretical arrival time (TAT), the time at which it will be full
// again, advanced by one emission interval (1/RateLimit) for each request let
// through; a request is refused when that would put TAT more than BurstLimit
// intervals ahead of now. Times are unix nanoseconds and the interval is
// rounded to the nanosecond (rates above 10⁹ per second count as 10⁹).
//
// A Bucket is safe for concurrent use, lock-free and does not allocate.
//
// A nil *Bucket is a bucket without limit: its Allow always returns true.
// NewBucket returns nil for negative settings, so that callers can hold a
// *Bucket for every level and call Allow on each without checking.
type Bucket struct {
	tat       atomic.Int64 // unix nanoseconds; math.MinInt64 when full
	interval  int64        // nanoseconds per token
	tolerance int64        // BurstLimit × interval
	deny      bool         // a rate or burst of zero: refuse everything
	settings  model.ThrottleSettings
}

// NewBucket returns a full bucket with the settings s.
//
// A RateLimit or BurstLimit of 0 makes a bucket that refuses every request:
// this is how API Gateway users switch a method off ("rate 0, burst 0"
// answers 429). A negative RateLimit or BurstLimit means no limit: NewBucket
// returns nil, whose Allow lets everything through.
func NewBucket(s model.ThrottleSettings) *Bucket {
	if s.RateLimit < 0 || s.BurstLimit < 0 {
		return nil
	}
	b := &Bucket{settings: s}
	b.tat.Store(math.MinInt64)
	if s.RateLimit == 0 || s.BurstLimit == 0 || math.IsNaN(s.RateLimit) {
		b.deny = true
		return b
	}
	interval := math.Round(1e9 / s.RateLimit)
	b.interval = int64(max(1, min(interval, maxSpan)))
	if s.BurstLimit > maxSpan/b.interval {
		b.tolerance = maxSpan
	} else {
		b.tolerance = s.BurstLimit * b.interval
	}
	return b
}

// Settings returns the settings the bucket was made with (the zero settings
// for a nil bucket).
func (b *Bucket) Settings() model.ThrottleSettings {
	if b == nil {
		return model.ThrottleSettings{}
	}
	return b.settings
}

// Allow takes a token for a request made at now, and reports whether there
// was one.
//
// Callers may pass slightly out-of-order times (goroutines read the clock
// before racing to the bucket): a late caller's earlier time only makes the
// check stricter. A wall clock stepped backwards by d refuses requests for
// up to d.
func (b *Bucket) Allow(now time.Time) bool {
	return b.allowAt(now.UnixNano())
}

// allowAt is Allow at now in unix nanoseconds. (An exported variant taking
// nanoseconds was measured no faster: the conversion costs under 0.2 ns.)
func (b *Bucket) allowAt(now int64) bool {
	if b == nil {
		return true
	}
	if b.deny {
		return false
	}
	for {
		tat := b.tat.Load()
		next := max(tat, now) + b.interval
		if next-now > b.tolerance {
			return false
		}
		if b.tat.CompareAndSwap(tat, next) {
			return true
		}
	}
}

// Buckets is a registry of buckets by key (for example
// "account/region/api/stage/GET /pets"), which keeps the state of buckets
// across recompilations of the configuration. It is safe for concurrent use;
// Get locks, and is meant to be called while compiling a configuration, not
// per request.
type Buckets struct {
	mu   sync.Mutex
	m    map[string]*Bucket
	prev *Buckets // the registry Next was called on, nil once Next is called on this one
}

// NewBuckets returns an empty registry.
func NewBuckets() *Buckets { return &Buckets{m: make(map[string]*Bucket)} }

// Get returns the bucket for key with the settings s, creating it when the
// registry has none for key, or one with other settings. When the registry
// was made by Next and the previous registry held a bucket for key with the
// same settings, that bucket (and so its state) is reused. Get returns nil
// (no limit) for negative settings, like NewBucket.
func (r *Buckets) Get(key string, s model.ThrottleSettings) *Bucket {
	r.mu.Lock()
	defer r.mu.Unlock()
	if b, ok := r.m[key]; ok && b.settings == s {
		return b
	}
	b := r.prev.lookup(key)
	if b == nil || b.settings != s {
		b = NewBucket(s)
		if b == nil {
			delete(r.m, key)
			return nil
		}
	}
	r.m[key] = b
	return b
}

// Next returns a new, empty registry for the next configuration. Its Get
// reuses this registry's bucket for a key when the settings are equal. The
// buckets this registry holds that the new one never hands out are dropped
// with this registry, at the latest when Next is called on the new one.
func (r *Buckets) Next() *Buckets {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.prev = nil
	return &Buckets{m: make(map[string]*Bucket), prev: r}
}

// lookup returns the bucket r holds for key, if any (r may be nil).
func (r *Buckets) lookup(key string) *Bucket {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[key]
}

// Len returns the number of buckets the registry hands out.
func (r *Buckets) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.m)
}
