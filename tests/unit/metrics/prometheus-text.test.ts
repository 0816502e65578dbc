import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { makeInMemoryMetrics } from "../../../adapters/metrics/in-memory-metrics.ts"
import { prometheusText } from "../../../adapters/metrics/prometheus-text.ts"
import { emptySnapshot } from "../../../application/ports/metrics.ts"

const live = { publisherReady: true, budget: { incoming: 3, outgoing: 1, waiting: 2 } }

/** The value of one sample line, found by its name and labels as written. */
const valueOf = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe("the Prometheus text exposition", () => {
  it("declares every family once with HELP and TYPE, and ends with a newline", () => {
    const text = prometheusText(emptySnapshot("none"), live)
    expect(text.endsWith("\n")).toBe(true)
    const types = text.split("\n").filter((l) => l.startsWith("# TYPE ")).map((l) => l.split(" ").slice(2).join(" "))
    expect(types).toEqual([
      "smtp_intake_connections_open gauge",
      "smtp_intake_connections_accepted_total counter",
      "smtp_intake_connections_refused_total counter",
      "smtp_intake_messages_total counter",
      "smtp_intake_received_bytes_total counter",
      "smtp_intake_publish_duration_seconds histogram",
      "smtp_intake_publisher_ready gauge",
      "smtp_intake_connection_budget_in_use gauge",
      "smtp_intake_connection_budget_waiting gauge",
      "smtp_intake_auth_failures_total counter"
    ])
    for (const line of text.trimEnd().split("\n").filter((l) => !l.startsWith("#"))) {
      expect(line).toMatch(/^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? -?[0-9.e+-]+$|^[a-z_]+\{le="\+Inf"\} \d+$/)
    }
  })

  it("shows every label value at 0 before anything happened", () => {
    const text = prometheusText(emptySnapshot("ldap"), live)
    for (const reason of ["range", "protection", "budget", "proxy"]) {
      expect(valueOf(text, `smtp_intake_connections_refused_total{reason="${reason}"}`)).toBe(0)
    }
    for (const outcome of ["accepted", "refused", "tempfailed"]) {
      expect(valueOf(text, `smtp_intake_messages_total{outcome="${outcome}"}`)).toBe(0)
    }
    expect(valueOf(text, `smtp_intake_auth_failures_total{backend="ldap",reason="rejected"}`)).toBe(0)
  })

  it("reports what was recorded, with a cumulative histogram", async () => {
    const metrics = makeInMemoryMetrics("radius")
    await Effect.runPromise(Effect.all([
      metrics.connectionAccepted,
      metrics.connectionAccepted,
      metrics.connectionClosed,
      metrics.connectionRefused("budget"),
      metrics.connectionRefused("range"),
      metrics.connectionRefused("range"),
      metrics.messageReceived("accepted", 1000),
      metrics.messageReceived("tempfailed", 500),
      metrics.messageReceived("refused", 20),
      metrics.publishDuration(0.004),
      metrics.publishDuration(0.3),
      metrics.authFailed("unavailable")
    ]))
    const text = prometheusText(await Effect.runPromise(metrics.snapshot), { publisherReady: false, budget: undefined })
    expect(valueOf(text, "smtp_intake_connections_open")).toBe(1)
    expect(valueOf(text, "smtp_intake_connections_accepted_total")).toBe(2)
    expect(valueOf(text, "smtp_intake_connections_refused_total{reason=\"range\"}")).toBe(2)
    expect(valueOf(text, "smtp_intake_connections_refused_total{reason=\"budget\"}")).toBe(1)
    expect(valueOf(text, "smtp_intake_messages_total{outcome=\"accepted\"}")).toBe(1)
    expect(valueOf(text, "smtp_intake_messages_total{outcome=\"tempfailed\"}")).toBe(1)
    expect(valueOf(text, "smtp_intake_messages_total{outcome=\"refused\"}")).toBe(1)
    expect(valueOf(text, "smtp_intake_received_bytes_total")).toBe(1520)
    expect(valueOf(text, "smtp_intake_publish_duration_seconds_bucket{le=\"0.0025\"}")).toBe(0)
    expect(valueOf(text, "smtp_intake_publish_duration_seconds_bucket{le=\"0.005\"}")).toBe(1)
    expect(valueOf(text, "smtp_intake_publish_duration_seconds_bucket{le=\"0.25\"}")).toBe(1)
    expect(valueOf(text, "smtp_intake_publish_duration_seconds_bucket{le=\"0.5\"}")).toBe(2)
    expect(valueOf(text, "smtp_intake_publish_duration_seconds_bucket{le=\"+Inf\"}")).toBe(2)
    expect(valueOf(text, "smtp_intake_publish_duration_seconds_count")).toBe(2)
    expect(valueOf(text, "smtp_intake_publish_duration_seconds_sum")).toBeCloseTo(0.304)
    expect(valueOf(text, "smtp_intake_publisher_ready")).toBe(0)
    expect(valueOf(text, "smtp_intake_auth_failures_total{backend=\"radius\",reason=\"unavailable\"}")).toBe(1)
    // without a budget in the process its gauges are left out rather than shown as 0
    expect(text).not.toContain("smtp_intake_connection_budget_in_use")
  })

  it("shows the budget per side", () => {
    const text = prometheusText(emptySnapshot("none"), live)
    expect(valueOf(text, "smtp_intake_connection_budget_in_use{side=\"incoming\"}")).toBe(3)
    expect(valueOf(text, "smtp_intake_connection_budget_in_use{side=\"outgoing\"}")).toBe(1)
    expect(valueOf(text, "smtp_intake_connection_budget_waiting")).toBe(2)
  })

  it("shows how many workers reported only with smtp-threads > 1", () => {
    expect(prometheusText(emptySnapshot("none"), live)).not.toContain("smtp_intake_workers_")
    const text = prometheusText(emptySnapshot("none"), { ...live, workers: { running: 3, reporting: 2 } })
    expect(valueOf(text, "smtp_intake_workers_running")).toBe(3)
    expect(valueOf(text, "smtp_intake_workers_reporting")).toBe(2)
    expect(text).toContain("# TYPE smtp_intake_workers_reporting gauge")
  })

  it("escapes label values", () => {
    const text = prometheusText(emptySnapshot("we\"ird\\back\nend"), live)
    expect(text).toContain("backend=\"we\\\"ird\\\\back\\nend\"")
  })
})
