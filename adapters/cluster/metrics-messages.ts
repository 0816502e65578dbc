/**
 * What a worker and the primary say about metrics (smtp-threads > 1), over `ipc-requests.ts`.
 *
 * - `metrics-read`, worker → primary, for a scrape the worker serves: answered with the whole
 *   daemon's `MetricsReading` (application/ports/metrics-reading.ts).
 * - `metrics-collect`, primary → worker, while gathering that reading: answered with the worker's
 *   own `ProcessMetrics` (application/read-metrics.ts).
 */
export const METRICS_READ = "metrics-read"
export const METRICS_COLLECT = "metrics-collect"
