import { Effect } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { DaemonMetrics } from "../../application/ports/metrics-reading.ts"
import { PROMETHEUS_CONTENT_TYPE, prometheusText } from "../metrics/prometheus-text.ts"

const scrape = Effect.gen(function*() {
  const reading = yield* (yield* DaemonMetrics).read
  return HttpServerResponse.text(prometheusText(reading.metrics, reading), {
    contentType: PROMETHEUS_CONTENT_TYPE,
    headers: { "cache-control": "no-store" }
  })
}).pipe(
  // a worker whose primary did not answer: the scrape fails (Prometheus records it) rather than show one worker's figures
  Effect.catchTag("MetricsUnavailable", (error) =>
    Effect.logWarning("metrics unavailable").pipe(
      Effect.annotateLogs({ reason: error.message }),
      Effect.as(HttpServerResponse.text(`metrics unavailable: ${error.message}\n`, { status: 503, headers: { "cache-control": "no-store" } }))
    ))
)

/**
 * `GET /metrics`, Prometheus text format 0.0.4, of the whole daemon (with smtp-threads > 1, of all
 * workers). The numbers reveal traffic, so the route sits behind the same access rule as /api/
 * (management-token, or loopback clients only without one).
 */
export const MetricsRoutes = HttpRouter.add("GET", "/metrics", scrape)
