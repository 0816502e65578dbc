import { Effect, Option } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { ConnectionBudget } from "../../application/ports/connection-budget.ts"
import { Metrics } from "../../application/ports/metrics.ts"
import { Publisher } from "../../application/ports/publisher.ts"
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from "../metrics/prometheus-text.ts"

/** A scrape must answer even when a dependency hangs (a worker's budget is asked over IPC). */
const LIVE_TIMEOUT = "2 seconds"

const within = <A>(effect: Effect.Effect<A>): Effect.Effect<A | undefined> =>
  effect.pipe(Effect.timeoutOption(LIVE_TIMEOUT), Effect.map(Option.getOrUndefined))

const scrape = Effect.gen(function*() {
  const snapshot = yield* (yield* Metrics).snapshot
  const publisherReady = (yield* within((yield* Publisher).isReady)) === true
  // the management server also runs without a budget (in tests); the gauges are then left out
  const budget = yield* Effect.serviceOption(ConnectionBudget)
  const usage = Option.isSome(budget) ? yield* within(budget.value.usage) : undefined
  return HttpServerResponse.text(prometheusText(snapshot, { publisherReady, budget: usage }), {
    contentType: PROMETHEUS_CONTENT_TYPE,
    headers: { "cache-control": "no-store" }
  })
})

/**
 * `GET /metrics`, Prometheus text format 0.0.4. The numbers reveal traffic, so the route sits behind
 * the same access rule as /api/ (management-token, or loopback clients only without one).
 */
export const MetricsRoutes = HttpRouter.add("GET", "/metrics", scrape)
