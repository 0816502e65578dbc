import { Effect, Layer } from "effect"
import type { Duration } from "effect"
import { DaemonMetrics, MetricsUnavailable } from "../../application/ports/metrics-reading.ts"
import type { MetricsReading } from "../../application/ports/metrics-reading.ts"
import { processMetricsReader } from "../../application/read-metrics.ts"
import { answerRequests, makeRequester } from "./ipc-requests.ts"
import { primaryLink } from "./message-link.ts"
import type { MessageLink } from "./message-link.ts"
import { METRICS_COLLECT, METRICS_READ } from "./metrics-messages.ts"

/** The primary waits a short while for each worker; this is for a primary that is gone or stuck. */
const READ_TIMEOUT = "5 seconds"

/**
 * A cluster worker's end of the metrics (smtp-threads > 1): a scrape this worker serves asks the
 * primary for the whole daemon's figures, and the primary's requests for this worker's own figures
 * are answered. Metrics and Publisher are taken when the layer is built, so it must be built where
 * the process's Metrics are provided.
 */
export const makeIpcDaemonMetrics = (link: MessageLink, timeout: Duration.Input = READ_TIMEOUT) =>
  Effect.gen(function*() {
    const readProcess = yield* processMetricsReader
    yield* answerRequests(link, METRICS_COLLECT, () => readProcess)
    const { request } = yield* makeRequester(link, METRICS_READ)
    return DaemonMetrics.of({
      read: request({}, timeout).pipe(
        // the primary answers with the whole daemon's reading
        Effect.map((result) => result as MetricsReading),
        Effect.mapError((error) => new MetricsUnavailable({ message: `the primary: ${error.message}` }))
      )
    })
  })

export const IpcDaemonMetrics = (link: MessageLink = primaryLink) => Layer.effect(DaemonMetrics, makeIpcDaemonMetrics(link))
