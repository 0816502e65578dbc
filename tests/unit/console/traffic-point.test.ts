import { describe, expect, it } from "vitest"
import { trafficPoint } from "../../../application/console/traffic-history.ts"
import { emptySnapshot, PUBLISH_SECONDS_BUCKETS } from "../../../application/ports/metrics.ts"
import type { MetricsSnapshot } from "../../../application/ports/metrics.ts"
import type { MetricsReading } from "../../../application/ports/metrics-reading.ts"

const reading = (metrics: Partial<MetricsSnapshot>): MetricsReading => ({
  metrics: { ...emptySnapshot("none"), ...metrics },
  publisherReady: true,
  budget: { incoming: 3, outgoing: 0, waiting: 1 },
  workers: undefined
})

/** `n` publishes, all of them in the bucket of `bound` seconds */
const publishes = (n: number, bound: number) => ({
  buckets: PUBLISH_SECONDS_BUCKETS.map((b) => (b >= bound ? n : 0)),
  count: n,
  sum: n * bound
})

describe("a point of the traffic history", () => {
  it("gives rates per second between two readings, and DATA-to-250 over the readings since the latency base", () => {
    const base = reading({})
    const before = reading({ messages: { accepted: 10, refused: 0, tempfailed: 0 }, bytesReceived: 1000, publishSeconds: publishes(10, 0.005) })
    const now = reading({
      messages: { accepted: 30, refused: 2, tempfailed: 4 },
      connectionsRefused: { range: 1, protection: 0, budget: 1, proxy: 0, "early-talker": 0 },
      bytesReceived: 5000,
      connectionsOpen: 3,
      publishSeconds: publishes(30, 0.005)
    })
    const point = trafficPoint(12_000, now, { at: 10_000, reading: before }, base)
    expect(point).toMatchObject({ at: 12_000, accepted: 10, deferred: 2, refused: 2, bytes: 2000, open: 3, inUse: 3, waiting: 1, publisherReady: true })
    // every publish within 2.5-5 ms: the median is interpolated within the bucket
    expect(point.p50).toBeGreaterThan(2.5)
    expect(point.p99).toBeLessThanOrEqual(5)
  })

  it("has no latency when no message was published", () => {
    const idle = reading({})
    expect(trafficPoint(2_000, idle, { at: 1_000, reading: idle }, idle)).toMatchObject({ accepted: 0, p50: undefined, p99: undefined })
  })
})
