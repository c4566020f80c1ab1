// Package ratelimit is the engine behind API Gateway's throttling, usage-plan
// quotas and usage metering.
//
// # Throttling
//
// API Gateway throttles with token buckets at several levels, and a request
// must find a token at every level that applies to it, or it is refused with
// 429 THROTTLED:
//
//   - the account, per region (model.Account.Throttle, 10,000 requests per
//     second with bursts of 5,000 by default), shared by every API;
//   - the stage's method settings (throttlingRateLimit and
//     throttlingBurstLimit, for "*/*" or one method);
//   - a usage plan, per API key (model.UsagePlan.Throttle);
//   - a usage plan's per-method throttle, per API key
//     (model.APIStage.Throttle).
//
// A Bucket is one such token bucket: it holds up to BurstLimit tokens,
// starts full, and is refilled at RateLimit tokens per second. It is
// implemented with the generic cell rate algorithm (GCRA): rather than a
// token count and a refill timer, it keeps one number, the theoretical
// arrival time (TAT) at which the bucket would be full again, and a request
// at time now is let through when TAT + 1/rate − now ≤ burst/rate. Taking a
// token is one atomic compare-and-swap on TAT, so Allow is lock-free, does not
// allocate and is exact to the nanosecond, whatever the rate.
//
// Buckets must survive a recompilation of the configuration (a deployment, a
// new usage plan): a client that spent its burst must not get a fresh one
// because some unrelated setting changed. Buckets is the registry that
// hands the compiled configuration its buckets by key, and Buckets.Next
// carries the state of every bucket whose settings did not change over to
// the next configuration.
//
// # Quotas and metering
//
// A usage plan may also give each of its API keys a quota: Limit requests per
// calendar period (DAY, WEEK or MONTH, in UTC; see PeriodStart), beyond which
// requests are refused with 429 QUOTA_EXCEEDED. A Meter keeps one Counter per
// API key and usage plan: Counter.Take counts a request if the quota allows
// it, and the counts are written as daily records (model.DailyUsage) to a
// UsageStore, from which GetUsage reports, for each day, the requests let
// through and what was left of the quota (UsageSeries). UpdateUsage changes
// what is left with Counter.Grant.
//
// MemoryMeter counts in process memory and writes the counts to its store in
// the background, as deltas; a Meter shared by several processes (Redis)
// satisfies the same interface.
//
// Time is read from a Clock, so that tests move a ManualClock instead of
// sleeping.
package ratelimit
