import { describe, expect, it } from "vitest"
import { daemonWithManagementApi } from "../support/daemon-hooks.ts"
import { rawSession } from "../support/smtp-clients.ts"

const TOKEN = "a-long-metrics-token-for-tests"

/** The value of one sample line, found by its name and labels as written. */
const valueOf = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe("GET /metrics on the running daemon", () => {
  const running = daemonWithManagementApi({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.1", "smtp-maxsize": "1KB" }, TOKEN)

  const scrape = async () => {
    const response = await fetch(`${running.api}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8")
    return response.text()
  }

  it("needs the management token, like /api/", async () => {
    expect((await fetch(`${running.api}/metrics`)).status).toBe(401)
    expect((await fetch(`${running.api}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401)
  })

  it("counts sessions, refusals, messages, bytes and publish times as they happen", async () => {
    const before = await scrape()
    expect(valueOf(before, "smtp_intake_publisher_ready")).toBe(1)

    // outside smtp-range (127.0.0.1 only): refused at connect
    const outsider = rawSession(running.daemon.port, "127.0.0.1", "127.0.0.2")
    expect(await outsider.reply()).toMatch(/^554 /)

    const client = rawSession(running.daemon.port)
    expect(await client.reply()).toMatch(/^220 /)
    await client.command("EHLO metrics.example")
    await client.command("MAIL FROM:<sender@example.org>")
    await client.command("RCPT TO:<rcpt@example.com>")
    await client.command("DATA")
    client.send("Subject: counted\r\n\r\nhello\r\n.\r\n")
    expect(await client.reply()).toMatch(/^250-Ok/)
    await client.command("MAIL FROM:<sender@example.org>")
    await client.command("RCPT TO:<rcpt@example.com>")
    await client.command("DATA")
    client.send(`Subject: too big\r\n\r\n${"x".repeat(2000)}\r\n.\r\n`)
    expect(await client.reply()).toMatch(/^552 /)

    const during = await scrape()
    expect(valueOf(during, "smtp_intake_connections_open")).toBe(1)
    expect(valueOf(during, "smtp_intake_connection_budget_in_use{side=\"incoming\"}")).toBe(1)
    expect(valueOf(during, "smtp_intake_connections_accepted_total")).toBe(1)
    expect(valueOf(during, "smtp_intake_connections_refused_total{reason=\"range\"}")).toBe(1)
    expect(valueOf(during, "smtp_intake_messages_total{outcome=\"accepted\"}")).toBe(1)
    expect(valueOf(during, "smtp_intake_messages_total{outcome=\"refused\"}")).toBe(1)
    expect(valueOf(during, "smtp_intake_messages_total{outcome=\"tempfailed\"}")).toBe(0)
    expect(valueOf(during, "smtp_intake_received_bytes_total")).toBeGreaterThan(2000)
    expect(valueOf(during, "smtp_intake_publish_duration_seconds_count")).toBe(1)
    expect(valueOf(during, "smtp_intake_auth_failures_total{backend=\"none\",reason=\"rejected\"}")).toBe(0)

    await client.command("QUIT")
    for (let i = 0; i < 100 && !client.closed(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
    let open: number | undefined
    for (let i = 0; i < 50 && open !== 0; i++) {
      open = valueOf(await scrape(), "smtp_intake_connections_open")
      if (open !== 0) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(open).toBe(0)
  })
})
