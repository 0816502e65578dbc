import { Effect, Layer, Option } from "effect"
import { ConnectionBudget } from "./ports/connection-budget.ts"
import { Metrics } from "./ports/metrics.ts"
import type { MetricsSnapshot } from "./ports/metrics.ts"
import { DaemonMetrics } from "./ports/metrics-reading.ts"
import { Publisher } from "./ports/publisher.ts"

/** A scrape must answer even when a dependency hangs. */
const LIVE_TIMEOUT = "2 seconds"

const within = <A>(effect: Effect.Effect<A>): Effect.Effect<A | undefined> =>
  effect.pipe(Effect.timeoutOption(LIVE_TIMEOUT), Effect.map(Option.getOrUndefined))

/** One process's own figures: its counters, and whether its publisher takes messages. */
export interface ProcessMetrics {
  readonly metrics: MetricsSnapshot
  readonly publisherReady: boolean
}

/**
 * Reads this process's figures. Metrics and Publisher are taken when the calling layer is built, so
 * it must be built where the process's Metrics are provided.
 */
export const processMetricsReader = Effect.gen(function*() {
  const metrics = yield* Metrics
  const publisher = yield* Publisher
  return Effect.gen(function*() {
    const snapshot = yield* metrics.snapshot
    const publisherReady = (yield* within(publisher.isReady)) === true
    return { metrics: snapshot, publisherReady } satisfies ProcessMetrics
  })
})

/**
 * One process (smtp-threads: 1): its own figures are the daemon's, with its budget's slots when it
 * has a budget (the management server also runs without one, in tests; the gauges are then left out).
 */
export const LocalDaemonMetrics = Layer.effect(DaemonMetrics, Effect.gen(function*() {
  const readProcess = yield* processMetricsReader
  const budget = yield* Effect.serviceOption(ConnectionBudget)
  return DaemonMetrics.of({
    read: Effect.gen(function*() {
      const own = yield* readProcess
      const usage = Option.isSome(budget) ? yield* within(budget.value.usage) : undefined
      return { ...own, budget: usage, workers: undefined }
    })
  })
}))
