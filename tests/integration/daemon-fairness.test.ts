import { connect } from "node:net"
import type { Socket } from "node:net"
import { withStartup } from "../support/timing.ts"
import { describe, expect, it } from "vitest"
import { daemonPerTest } from "../support/daemon-hooks.ts"
import { BROKER_URL, queueDepth } from "../support/rabbit.ts"
import { rabbitAvailable } from "../support/services.ts"
import { rawSession } from "../support/smtp-clients.ts"

const ready = await rabbitAvailable()

/** 20 clients, as issue 18 found them: each pipelines RCPTs without end, and reads its replies. */
const FLOODERS = 20
const FLOOD_MS = 6_000
const RCPTS_PER_WRITE = 200

/**
 * One flooding client: MAIL once, then RCPT after RCPT, a batch per write, the next batch as soon as
 * the replies to the last have come; when the daemon ends the session (the error limit) it connects
 * again. Counts the commands it got answers to.
 */
const flood = (port: number, until: number) =>
  new Promise<{ answered: number; sessions: number }>((resolve) => {
    let answered = 0
    let sessions = 0
    const session = () => {
      if (Date.now() >= until) return resolve({ answered, sessions })
      sessions++
      const socket: Socket = connect({ port, host: "127.0.0.1" })
      let pending = 0
      let tail = ""
      const batch = () => {
        if (Date.now() >= until) return socket.destroy()
        pending = RCPTS_PER_WRITE
        socket.write(Array.from({ length: RCPTS_PER_WRITE }, (_, i) => `RCPT TO:<flood-${i}@example.com>\r\n`).join(""))
      }
      socket.on("data", (chunk: Buffer) => {
        const lines = (tail + chunk.toString("latin1")).split("\r\n")
        tail = lines.pop() ?? ""
        for (const line of lines) {
          if (line.startsWith("220 ")) socket.write("EHLO flood.example\r\nMAIL FROM:<flood@example.org>\r\n")
          else if (/^250 2\.1\.0 /.test(line)) batch()
          else if (/^\d{3} /.test(line) && !line.startsWith("250 flood") && pending > 0) {
            answered++
            if (--pending === 0) batch()
          }
        }
      })
      socket.on("error", () => {})
      socket.on("close", () => setImmediate(session))
    }
    session()
  })

const percentile = (sorted: ReadonlyArray<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN

describe.runIf(ready)("no client can starve the others", () => {
  const daemons = daemonPerTest()

  it("with 20 clients flooding RCPTs, a normal client's transactions are still served promptly, and every one is queued", async () => {
    const inbox = daemons.queue("fairness")
    const daemon = await daemons.start({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
    const until = Date.now() + FLOOD_MS
    const flooders = Array.from({ length: FLOODERS }, () => flood(daemon.port, until))
    // let the flood build up first
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    const durations: Array<number> = []
    const client = rawSession(daemon.port)
    expect(await client.reply()).toMatch(/^220 /)
    expect(await client.command("EHLO normal.example")).toMatch(/^250/)
    while (Date.now() < until - 500) {
      const started = performance.now()
      expect(await client.command("MAIL FROM:<normal@example.org>")).toMatch(/^250 /)
      expect(await client.command(`RCPT TO:<normal-${durations.length}@example.com>`)).toMatch(/^250 /)
      expect(await client.command("DATA")).toMatch(/^354 /)
      client.send("Subject: normal\r\n\r\nbeside the flood\r\n.\r\n")
      expect(await client.reply(10_000)).toMatch(/^250-Ok/)
      durations.push(performance.now() - started)
    }
    client.close()
    const flooded = await Promise.all(flooders)
    const sorted = [...durations].sort((a, b) => a - b)
    const answered = flooded.reduce((sum, f) => sum + f.answered, 0)
    const sessions = flooded.reduce((sum, f) => sum + f.sessions, 0)
    console.log(
      `[fairness] ${FLOODERS} flooders: ${answered} RCPTs answered over ${sessions} sessions in ${FLOOD_MS / 1000} s; ` +
        `normal client: ${durations.length} transactions, p50 ${percentile(sorted, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms`
    )
    expect(await queueDepth(inbox)).toBe(durations.length)
    // a starved client would wait for as long as the flood lasts
    expect(sorted.at(-1)).toBeLessThan(3_000)
    // the flooders were served too, and their sessions ended by the error limit (452 past 1,000, then 421)
    expect(answered).toBeGreaterThan(FLOODERS * RCPTS_PER_WRITE)
    expect(sessions).toBeGreaterThan(FLOODERS)
  }, withStartup(60_000))
})
