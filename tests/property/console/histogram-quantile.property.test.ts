import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { histogramQuantile } from "../../../domain/console/histogram-quantile.ts"
import { PUBLISH_SECONDS_BUCKETS } from "../../../application/ports/metrics.ts"

/** A histogram of samples, as the publish-duration histogram counts them (cumulative). */
const histogram = fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { minLength: 1, maxLength: 200 }).map((samples) => ({
  samples,
  cumulative: PUBLISH_SECONDS_BUCKETS.map((bound) => samples.filter((s) => s <= bound).length)
}))
const quantile = fc.double({ min: 0.01, max: 0.99, noNaN: true })
const bucketOf = (value: number) => PUBLISH_SECONDS_BUCKETS.findIndex((bound) => value <= bound)

describe("histogramQuantile", () => {
  it("has no answer without samples", () => {
    expect(histogramQuantile(PUBLISH_SECONDS_BUCKETS, PUBLISH_SECONDS_BUCKETS.map(() => 0), 0, 0.5)).toBeUndefined()
  })

  it("lies within the bucket of the true quantile (the last bound for samples above it)", () => {
    fc.assert(fc.property(histogram, quantile, ({ samples, cumulative }, q) => {
      const estimate = histogramQuantile(PUBLISH_SECONDS_BUCKETS, cumulative, samples.length, q)!
      const sorted = [...samples].sort((a, b) => a - b)
      const truth = sorted[Math.max(0, Math.ceil(q * samples.length) - 1)]!
      const last = PUBLISH_SECONDS_BUCKETS.length - 1
      const bucket = bucketOf(truth) === -1 ? last : bucketOf(truth)
      const lower = bucket === 0 ? 0 : PUBLISH_SECONDS_BUCKETS[bucket - 1]!
      expect(estimate).toBeGreaterThanOrEqual(lower)
      expect(estimate).toBeLessThanOrEqual(PUBLISH_SECONDS_BUCKETS[bucket]!)
    }))
  })

  it("never falls as the quantile rises (p99 >= p50)", () => {
    fc.assert(fc.property(histogram, quantile, quantile, ({ samples, cumulative }, a, b) => {
      const [low, high] = a <= b ? [a, b] : [b, a]
      const at = (q: number) => histogramQuantile(PUBLISH_SECONDS_BUCKETS, cumulative, samples.length, q)!
      expect(at(high)).toBeGreaterThanOrEqual(at(low))
    }))
  })
})
