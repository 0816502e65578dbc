import { request } from "node:http"
import { describe, expect, it } from "vitest"
import { THROTTLE } from "../../domain/auth/auth-throttle.ts"
import { certificateFactory } from "../support/certificates.ts"
import { daemonPerTest } from "../support/daemon-hooks.ts"
import { annotationOf, countOf, listeningPids, waitFor } from "../support/daemon-logs.ts"
import { freePort } from "../support/free-port.ts"
import { BROKER_URL } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { rawSession, swaks } from "../support/smtp-clients.ts"
import { withStartup } from "../support/timing.ts"

const ready = (await rabbitAvailable()) &&
  serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks") &&
  serviceAvailable("openssl", commandExists("openssl"), "apt-get install -y openssl")

/**
 * GET /metrics on a connection of its own (no keep-alive), so that node:cluster hands each scrape
 * to the next worker rather than the one that served the last.
 */
const scrape = (port: number, path = "/metrics") =>
  new Promise<string>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false }, (response) => {
      let body = ""
      response.setEncoding("utf8")
      response.on("data", (chunk: string) => void (body += chunk))
      response.on("end", () => (response.statusCode === 200 ? resolve(body) : reject(new Error(`${response.statusCode}: ${body}`))))
    })
    req.on("error", reject)
    req.end()
  })

/** The value of one sample line, found by its name and labels as written. */
const valueOf = (text: string, series: string) => {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

/** One SMTP connection sending `count` messages; resolves to how many were answered 250. */
const sendOver = async (port: number, tag: string, count: number) => {
  const client = rawSession(port)
  let queued = 0
  try {
    if (!(await client.reply(20_000)).startsWith("220 ")) return 0
    await client.command("EHLO shared.example")
    for (let n = 0; n < count; n++) {
      await client.command("MAIL FROM:<shared@example.org>")
      await client.command(`RCPT TO:<${tag}-${n}@example.com>`)
      if (!(await client.command("DATA")).startsWith("354")) continue
      client.send(`Subject: ${tag}\r\n\r\nhello\r\n.\r\n`)
      if ((await client.reply(20_000)).startsWith("250")) queued++
    }
    await client.command("QUIT")
  } finally {
    client.close()
  }
  return queued
}

describe.runIf(ready)("smtp-threads: 2 shares the metrics and the AUTH throttle across workers", () => {
  const daemons = daemonPerTest()
  const certificates = certificateFactory()

  const start = async (threads: number, extra: Readonly<Record<string, string | number>> = {}) => {
    const inbox = daemons.queue("shared")
    const managementPort = await freePort()
    const daemon = await daemons.start({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "smtp-threads": threads,
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox,
      // no token: loopback clients only
      "management-port": managementPort,
      ...extra
    }, { waitForListening: threads })
    return { daemon, managementPort }
  }

  it("every scrape, whichever worker serves it, counts every message of both workers, and a worker's death does not lower the counts", async () => {
    const { daemon, managementPort } = await start(2)
    // Waves of 24 connections with 1 to 3 messages each (48 messages), until both workers have queued
    // some: the kernel, not node:cluster, picks the worker that accepts, and may give one a whole wave.
    let waves = 0
    while (waves < 6 && annotationOf(daemon, "message queued", "pid").size < 2) {
      const sent = await Promise.all(Array.from({ length: 24 }, (_, n) => sendOver(daemon.port, `w${waves}c${n}`, 1 + (n % 3))))
      expect(sent.reduce((a, b) => a + b, 0)).toBe(48)
      waves++
      await waitFor(`${48 * waves} message queued log lines`, () => countOf(daemon, "message queued") === 48 * waves)
    }
    expect(annotationOf(daemon, "message queued", "pid").size).toBe(2)
    const queued = 48 * waves
    const opened = 24 * waves

    const expectWholeDaemon = async (messages: number, connections: number) => {
      for (let n = 0; n < 8; n++) {
        const text = await scrape(managementPort)
        expect(valueOf(text, "smtp_intake_messages_total{outcome=\"accepted\"}")).toBe(messages)
        expect(valueOf(text, "smtp_intake_connections_accepted_total")).toBe(connections)
        expect(valueOf(text, "smtp_intake_publish_duration_seconds_count")).toBe(messages)
        expect(valueOf(text, "smtp_intake_workers_running")).toBe(2)
        expect(valueOf(text, "smtp_intake_workers_reporting")).toBe(2)
        expect(valueOf(text, "smtp_intake_publisher_ready")).toBe(1)
      }
    }
    await expectWholeDaemon(queued, opened)
    // the session journals of both workers, whichever worker serves the API request
    for (let n = 0; n < 4; n++) {
      const { sessions } = JSON.parse(await scrape(managementPort, "/api/sessions?limit=1000")) as { sessions: Array<{ transcript: Array<{ decisions: Array<string> }> }> }
      expect(sessions).toHaveLength(opened)
      expect(sessions.flatMap((s) => s.transcript).filter((line) => line.decisions.includes("MessageQueued"))).toHaveLength(queued)
    }

    // A worker dies; its replacement counts from zero, and the primary keeps what the dead one reported.
    const [victim] = listeningPids(daemon)
    process.kill(victim ?? 0, "SIGKILL")
    await waitFor("a replacement worker listening", () => listeningPids(daemon).length === 3)
    await expectWholeDaemon(queued, opened)
    const more = await Promise.all(Array.from({ length: 4 }, (_, n) => sendOver(daemon.port, `after${n}`, 1)))
    expect(more.reduce((a, b) => a + b, 0)).toBe(4)
    await expectWholeDaemon(queued + 4, opened + 4)
  }, withStartup(60_000))

  // The same attack against one process and against two workers: the IP is refused after the same number of failures.
  it.each([1, 2])("with smtp-threads: %i, an IP's AUTH failures count together: after the tenth, even the right password gets 454", async (threads) => {
    const cert = certificates.selfSigned("mx.shared.test")
    const { daemon, managementPort } = await start(threads, {
      "smtp-certificate": cert.certificate,
      "smtp-key": cert.key,
      "smtp-auth": "hardcoded://alice:wonder land"
    })
    const attempt = (password: string) =>
      swaks(daemon.port, ["--tls", "--quit-after", "AUTH", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", password])

    // each on a connection of its own, so that node:cluster spreads them over the workers
    const failures = await Promise.all(Array.from({ length: THROTTLE.BLOCK_AFTER }, () => attempt("guess")))
    for (const failure of failures) expect(failure.output).toMatch(/535 5\.7\.8 /)
    await waitFor("the failures logged", () => countOf(daemon, "authentication failed") === THROTTLE.BLOCK_AFTER)

    // The right password, in parallel rounds until every worker has refused it: the kernel picks which
    // worker accepts, and one after another the connections tend to land on the same one. Whichever
    // worker saw fewer than ten of the failures itself (with two, at least one did) must refuse too.
    const refusal = "authentication refused: too many failures from this IP"
    for (let round = 0; round < 12 && annotationOf(daemon, refusal, "pid").size < threads; round++) {
      for (const blocked of await Promise.all(Array.from({ length: 4 }, () => attempt("wonder land")))) {
        expect(blocked.output).toMatch(/454 4\.7\.0 Too many failed authentication attempts/)
        expect(blocked.output).not.toMatch(/235 /)
      }
      await waitFor("the round's refusals logged", () => countOf(daemon, refusal) === 4 * (round + 1))
    }
    expect(annotationOf(daemon, refusal, "pid").size).toBe(threads)
    const text = await scrape(managementPort)
    expect(valueOf(text, "smtp_intake_auth_failures_total{backend=\"hardcoded\",reason=\"rejected\"}")).toBe(THROTTLE.BLOCK_AFTER)
    expect(valueOf(text, "smtp_intake_auth_failures_total{backend=\"hardcoded\",reason=\"throttled\"}")).toBeGreaterThanOrEqual(1)
    expect(daemon.logs().join("\n")).not.toContain("wonder land")
  }, withStartup(60_000))
})
