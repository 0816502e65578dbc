import { Clock, Context, Effect, Layer, Option, Schedule } from "effect"
import { histogramQuantile } from "../../domain/console/histogram-quantile.ts"
import { CONNECTION_REFUSALS, PUBLISH_SECONDS_BUCKETS } from "../ports/metrics.ts"
import type { MetricsSnapshot } from "../ports/metrics.ts"
import { DaemonMetrics } from "../ports/metrics-reading.ts"
import type { MetricsReading } from "../ports/metrics-reading.ts"

/** One second of the daemon's traffic, as the console's "Now" and its chart show it. */
export interface TrafficPoint {
  /** epoch ms */
  readonly at: number
  /** per second since the point before */
  readonly accepted: number
  readonly deferred: number
  /** messages refused at the end of DATA, and connections refused */
  readonly refused: number
  readonly bytes: number
  /** DATA-to-250 over the last ten seconds, in ms (undefined without messages) */
  readonly p50: number | undefined
  readonly p99: number | undefined
  readonly open: number
  /** the connection budget's incoming slots in use and the connections waiting for one */
  readonly inUse: number | undefined
  readonly waiting: number | undefined
  readonly publisherReady: boolean
}

export const SAMPLE_MS = 1_000
/** fifteen minutes of points */
export const HISTORY_POINTS = 900
/** the latency percentiles are taken over this many samples */
const LATENCY_SAMPLES = 10

const refusedOf = (m: MetricsSnapshot) => m.messages.refused + CONNECTION_REFUSALS.reduce((sum, reason) => sum + m.connectionsRefused[reason], 0)

const percentile = (newest: MetricsSnapshot, oldest: MetricsSnapshot, q: number) => {
  const cumulative = newest.publishSeconds.buckets.map((n, i) => n - (oldest.publishSeconds.buckets[i] ?? 0))
  const seconds = histogramQuantile(PUBLISH_SECONDS_BUCKETS, cumulative, newest.publishSeconds.count - oldest.publishSeconds.count, q)
  return seconds === undefined ? undefined : Math.round(seconds * 10_000) / 10
}

const perSecond = (delta: number, ms: number) => (ms <= 0 ? 0 : Math.round((delta * 1000 * 10) / ms) / 10)

/** The point of a reading, against the reading before it and the one LATENCY_SAMPLES before. */
export const trafficPoint = (at: number, now: MetricsReading, before: { at: number; reading: MetricsReading }, latencyBase: MetricsReading): TrafficPoint => {
  const m = now.metrics
  const b = before.reading.metrics
  const ms = at - before.at
  return {
    at,
    accepted: perSecond(m.messages.accepted - b.messages.accepted, ms),
    deferred: perSecond(m.messages.tempfailed - b.messages.tempfailed, ms),
    refused: perSecond(refusedOf(m) - refusedOf(b), ms),
    bytes: perSecond(m.bytesReceived - b.bytesReceived, ms),
    p50: percentile(m, latencyBase.metrics, 0.5),
    p99: percentile(m, latencyBase.metrics, 0.99),
    open: m.connectionsOpen,
    inUse: now.budget?.incoming,
    waiting: now.budget?.waiting,
    publisherReady: now.publisherReady
  }
}

export class TrafficHistory extends Context.Service<TrafficHistory, {
  /** the points after `since` (epoch ms), oldest first: at most the last fifteen minutes */
  since(since: number): Effect.Effect<ReadonlyArray<TrafficPoint>>
}>()("smtp-intake/TrafficHistory") {}

/**
 * Reads the daemon's metrics once a second, whoever is looking, and keeps the last fifteen
 * minutes of points in a ring: the console's readers only read memory.
 */
export const TrafficHistoryLayer = Layer.effect(TrafficHistory, Effect.gen(function*() {
  const metrics = yield* DaemonMetrics
  const points: Array<TrafficPoint | undefined> = new Array(HISTORY_POINTS)
  let next = 0
  const readings: Array<{ at: number; reading: MetricsReading }> = []

  const sample = Effect.gen(function*() {
    const reading = yield* Effect.option(metrics.read)
    if (Option.isNone(reading)) return
    const at = yield* Clock.currentTimeMillis
    const before = readings[readings.length - 1]
    if (before !== undefined) {
      points[next] = trafficPoint(at, reading.value, before, readings[0]!.reading)
      next = (next + 1) % points.length
    }
    readings.push({ at, reading: reading.value })
    if (readings.length > LATENCY_SAMPLES) readings.shift()
  })
  yield* Effect.forkScoped(Effect.repeat(sample, Schedule.spaced(SAMPLE_MS)))

  return TrafficHistory.of({
    since: (since) =>
      Effect.sync(() => {
        const found: Array<TrafficPoint> = []
        for (let i = 0; i < points.length; i++) {
          const point = points[(next + i) % points.length]
          if (point !== undefined && point.at > since) found.push(point)
        }
        return found
      })
  })
}))
