import { Effect, Layer } from "effect"
import { emptySnapshot, Metrics, PUBLISH_SECONDS_BUCKETS } from "../../application/ports/metrics.ts"
import type { MetricsShape, MetricsSnapshot } from "../../application/ports/metrics.ts"

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] }

/** The process's counters, in memory: plain increments, cheap enough for every message. */
export const makeInMemoryMetrics = (authBackend: string): MetricsShape => {
  const start = emptySnapshot(authBackend)
  const state: Mutable<MetricsSnapshot> = {
    ...start,
    connectionsRefused: { ...start.connectionsRefused },
    messages: { ...start.messages },
    publishSeconds: { buckets: [...start.publishSeconds.buckets], count: 0, sum: 0 },
    authFailures: { ...start.authFailures }
  }
  return {
    connectionAccepted: Effect.sync(() => {
      state.connectionsAccepted++
      state.connectionsOpen++
    }),
    connectionClosed: Effect.sync(() => {
      state.connectionsOpen = Math.max(0, state.connectionsOpen - 1)
    }),
    connectionRefused: (reason) => Effect.sync(() => void state.connectionsRefused[reason]++),
    messageReceived: (outcome, bytes) =>
      Effect.sync(() => {
        state.messages[outcome]++
        state.bytesReceived += bytes
      }),
    publishDuration: (seconds) =>
      Effect.sync(() => {
        const histogram = state.publishSeconds
        histogram.count++
        histogram.sum += seconds
        // cumulative: a sample counts in every bucket whose bound it does not exceed
        PUBLISH_SECONDS_BUCKETS.forEach((bound, i) => {
          if (seconds <= bound) histogram.buckets[i] = (histogram.buckets[i] ?? 0) + 1
        })
      }),
    authFailed: (reason) => Effect.sync(() => void state.authFailures[reason]++),
    snapshot: Effect.sync((): MetricsSnapshot => ({
      ...state,
      connectionsRefused: { ...state.connectionsRefused },
      messages: { ...state.messages },
      publishSeconds: { ...state.publishSeconds, buckets: [...state.publishSeconds.buckets] },
      authFailures: { ...state.authFailures }
    }))
  }
}

/** The daemon's Metrics; `authBackend` labels the AUTH failures (the kind of smtp-auth, or "none"). */
export const InMemoryMetrics = (authBackend: string): Layer.Layer<never> =>
  Layer.succeed(Metrics, makeInMemoryMetrics(authBackend))
