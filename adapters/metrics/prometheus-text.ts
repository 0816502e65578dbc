import { AUTH_FAILURES, CONNECTION_REFUSALS, MESSAGE_OUTCOMES, PUBLISH_SECONDS_BUCKETS } from "../../application/ports/metrics.ts"
import type { MetricsSnapshot } from "../../application/ports/metrics.ts"

/** The Content-Type of the Prometheus text exposition format this renders. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

/** What is read at scrape time rather than recorded. */
export interface LiveGauges {
  /** Publisher.isReady: RabbitMQ connected and not blocking publishers (or the spool writable); with smtp-threads > 1, at every worker that answered */
  readonly publisherReady: boolean
  /** the ConnectionBudget's slots in use, when the process has one */
  readonly budget: { readonly incoming: number; readonly outgoing: number; readonly waiting: number } | undefined
  /** smtp-threads > 1: the workers asked for their figures, and how many answered in time */
  readonly workers?: { readonly running: number; readonly reporting: number } | undefined
}

type Labels = Readonly<Record<string, string>>

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n")
const escapeHelp = (text: string) => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

const number = (value: number) =>
  Number.isNaN(value) ? "NaN" : value === Infinity ? "+Inf" : value === -Infinity ? "-Inf" : String(value)

const sample = (name: string, labels: Labels, value: number) => {
  const pairs = Object.entries(labels).map(([key, v]) => `${key}="${escapeLabel(v)}"`)
  return `${name}${pairs.length === 0 ? "" : `{${pairs.join(",")}}`} ${number(value)}`
}

const family = (name: string, type: "counter" | "gauge" | "histogram", help: string, samples: ReadonlyArray<string>) =>
  [`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`, ...samples]

/**
 * Prometheus text format 0.0.4 of the daemon's metrics (names in docs: README "Metrics"). Every
 * label value that can occur is always present, at 0 until it happens, so rates work from the start.
 */
export const prometheusText = (metrics: MetricsSnapshot, live: LiveGauges): string => {
  const histogram = metrics.publishSeconds
  const lines = [
    ...family("smtp_intake_connections_open", "gauge", "SMTP sessions open now.", [
      sample("smtp_intake_connections_open", {}, metrics.connectionsOpen)
    ]),
    ...family("smtp_intake_connections_accepted_total", "counter", "SMTP sessions started (greeted with 220).", [
      sample("smtp_intake_connections_accepted_total", {}, metrics.connectionsAccepted)
    ]),
    ...family(
      "smtp_intake_connections_refused_total",
      "counter",
      "Connections turned away: outside smtp-range, on the blocked list (smtp-protection), no slot in the connection budget in time, or a bad PROXY header.",
      CONNECTION_REFUSALS.map((reason) => sample("smtp_intake_connections_refused_total", { reason }, metrics.connectionsRefused[reason]))
    ),
    ...family(
      "smtp_intake_messages_total",
      "counter",
      "Messages at the end of DATA: accepted (250, published), refused (5xx) or tempfailed (451).",
      MESSAGE_OUTCOMES.map((outcome) => sample("smtp_intake_messages_total", { outcome }, metrics.messages[outcome]))
    ),
    ...family("smtp_intake_received_bytes_total", "counter", "Bytes of message data received in DATA.", [
      sample("smtp_intake_received_bytes_total", {}, metrics.bytesReceived)
    ]),
    ...family("smtp_intake_publish_duration_seconds", "histogram", "Time from the end of DATA until every recipient's JSON was confirmed (or the publish failed).", [
      ...PUBLISH_SECONDS_BUCKETS.map((le, i) =>
        sample("smtp_intake_publish_duration_seconds_bucket", { le: String(le) }, histogram.buckets[i] ?? 0)
      ),
      sample("smtp_intake_publish_duration_seconds_bucket", { le: "+Inf" }, histogram.count),
      sample("smtp_intake_publish_duration_seconds_sum", {}, histogram.sum),
      sample("smtp_intake_publish_duration_seconds_count", {}, histogram.count)
    ]),
    ...family("smtp_intake_publisher_ready", "gauge", "1 while RabbitMQ is connected and takes publishes (with the embedded spool: while it is writable), at every worker that answered, else 0.", [
      sample("smtp_intake_publisher_ready", {}, live.publisherReady ? 1 : 0)
    ]),
    ...(live.budget === undefined ? [] : [
      ...family("smtp_intake_connection_budget_in_use", "gauge", "Slots of the connection budget in use, per side.", [
        sample("smtp_intake_connection_budget_in_use", { side: "incoming" }, live.budget.incoming),
        sample("smtp_intake_connection_budget_in_use", { side: "outgoing" }, live.budget.outgoing)
      ]),
      ...family("smtp_intake_connection_budget_waiting", "gauge", "Incoming connections held, waiting for a slot.", [
        sample("smtp_intake_connection_budget_waiting", {}, live.budget.waiting)
      ])
    ]),
    ...(live.workers === undefined ? [] : [
      ...family("smtp_intake_workers_running", "gauge", "Worker processes (smtp-threads) running, all asked for their figures.", [
        sample("smtp_intake_workers_running", {}, live.workers.running)
      ]),
      ...family("smtp_intake_workers_reporting", "gauge", "Workers whose figures are fresh in this scrape; the others count with their last figures.", [
        sample("smtp_intake_workers_reporting", {}, live.workers.reporting)
      ])
    ]),
    ...family(
      "smtp_intake_auth_failures_total",
      "counter",
      "Failed AUTH attempts by smtp-auth backend: wrong credentials (rejected), backend down or slow (unavailable), client throttled.",
      AUTH_FAILURES.map((reason) =>
        sample("smtp_intake_auth_failures_total", { backend: metrics.authBackend, reason }, metrics.authFailures[reason])
      )
    )
  ]
  return `${lines.join("\n")}\n`
}
