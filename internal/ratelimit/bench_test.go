package ratelimit

import (
	"testing"
	"time"

	"github.com/gantryproject/gantry/internal/model"
)

// open is a bucket that always has a token: benchmarks measure the path of a
// request let through.
var open = model.ThrottleSettings{RateLimit: 1e9, BurstLimit: 1 << 40}

// serialAndParallel benchmarks op alone and from parallel goroutines.
func serialAndParallel(b *testing.B, op func()) {
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			op()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				op()
			}
		})
	})
}

func BenchmarkBucketAllow(b *testing.B) {
	bucket := NewBucket(open)
	now := time.Now()
	serialAndParallel(b, func() { bucket.Allow(now) })
	// Without serialAndParallel's indirect call (about 1 ns): Allow, and
	// the nanoseconds variant it wraps.
	b.Run("time", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bucket.Allow(now)
		}
	})
	b.Run("nanoseconds", func(b *testing.B) {
		b.ReportAllocs()
		nanos := now.UnixNano()
		for b.Loop() {
			bucket.allowAt(nanos)
		}
	})
	b.Run("refused", func(b *testing.B) {
		off := NewBucket(model.ThrottleSettings{RateLimit: 1, BurstLimit: 1})
		b.ReportAllocs()
		for b.Loop() {
			off.Allow(now)
		}
	})
}

// BenchmarkTimeNow is the clock read that BenchmarkCheck includes.
func BenchmarkTimeNow(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		time.Now()
	}
}

// takeCounter returns a counter that never runs out.
func takeCounter(b *testing.B) Counter {
	m := NewMemoryMeter(newFakeStore(), nil, 0)
	c, err := m.Counter(testID, Quota{Limit: 1 << 60, Period: model.QuotaMonth})
	if err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkCounterTake(b *testing.B) {
	c := takeCounter(b)
	now := time.Now()
	serialAndParallel(b, func() { c.Take(now) })
}

// BenchmarkCheck does what the data plane does for each request of an API
// key under a usage plan with a quota: read the clock, take a token from the
// account, stage method, usage plan and usage plan method buckets, and count
// the request against the quota. "parallel" shares all of them between the
// goroutines, the worst case of one hot key.
func BenchmarkCheck(b *testing.B) {
	var buckets [4]*Bucket
	for i := range buckets {
		buckets[i] = NewBucket(open)
	}
	counter := takeCounter(b)
	serialAndParallel(b, func() {
		now := time.Now()
		for _, bucket := range buckets {
			if !bucket.Allow(now) {
				return
			}
		}
		counter.Take(now)
	})
}
