import { describe, expect, it } from "vitest"
import { daemonPerTest } from "../support/daemon-hooks.ts"
import { rssMb } from "../support/process-rss.ts"
import { BROKER_URL, queueDepth } from "../support/rabbit.ts"
import { rabbitAvailable } from "../support/services.ts"
import { rawSession } from "../support/smtp-clients.ts"

const ready = await rabbitAvailable()

const MB = 1024 * 1024
const BIG = 20
const BIG_BYTES = 45 * MB
const SMALL = 40

/** One message over its own connection; the reply to its end of data, and how long DATA's end took. */
const sendMessage = async (port: number, to: string, body: string) => {
  const client = rawSession(port)
  try {
    await client.reply(20_000)
    await client.command("EHLO large.example")
    await client.command("MAIL FROM:<large@example.org>")
    await client.command(`RCPT TO:<${to}>`)
    await client.command("DATA")
    const started = performance.now()
    client.send(`Subject: ${to}\r\n\r\n${body}.\r\n`)
    const reply = await client.reply(120_000)
    return { reply, ms: performance.now() - started }
  } finally {
    client.close()
  }
}

describe.runIf(ready)("large and small messages do not share fate", () => {
  const daemons = daemonPerTest()

  it("20 concurrent 45 MB messages and small ones beside them: every one gets 250, and is in the queue once", async () => {
    const inbox = daemons.queue("large")
    const daemon = await daemons.start({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "smtp-maxsize": "50MB",
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
    const line = `${"y".repeat(998)}\r\n`
    const big = line.repeat(Math.floor(BIG_BYTES / line.length))
    const before = rssMb(daemon.process.pid) ?? Number.NaN
    let peak = before
    const watch = setInterval(() => void (peak = Math.max(peak, rssMb(daemon.process.pid) ?? 0)), 200)
    const bigs = Array.from({ length: BIG }, (_, i) => sendMessage(daemon.port, `big-${i}@example.com`, big))
    // the small ones start while the big ones are being written and published
    await new Promise((resolve) => setTimeout(resolve, 300))
    const smalls: Array<{ reply: string; ms: number }> = []
    for (let i = 0; i < SMALL; i++) smalls.push(await sendMessage(daemon.port, `small-${i}@example.com`, "small\r\n"))
    const bigReplies = await Promise.all(bigs)
    clearInterval(watch)
    const sorted = smalls.map((s) => s.ms).sort((a, b) => a - b)
    console.log(
      `[large] ${BIG} x 45 MB: ${bigReplies.filter((r) => r.reply.startsWith("250")).length} got 250, slowest ${Math.round(Math.max(...bigReplies.map((r) => r.ms)))} ms; ` +
        `${SMALL} small beside them: ${smalls.filter((s) => s.reply.startsWith("250")).length} got 250, p50 ${sorted[Math.floor(SMALL / 2)]!.toFixed(0)} ms, ` +
        `max ${sorted.at(-1)!.toFixed(0)} ms; daemon RSS ${before} MB before, ${peak} MB at the peak`
    )
    for (const { reply } of [...bigReplies, ...smalls]) expect(reply).toMatch(/^250-Ok/)
    expect(await queueDepth(inbox)).toBe(BIG + SMALL)
  }, 240_000)

  it("with smtp-data-memory: 300MB, 20 x 45 MB at once: those that fit get 250, the others 452 4.3.1, and memory stays under the ceiling", async () => {
    const inbox = daemons.queue("memory")
    const daemon = await daemons.start({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "smtp-maxsize": "50MB",
      "smtp-data-memory": "300MB",
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
    const line = `${"y".repeat(998)}\r\n`
    const big = line.repeat(Math.floor(BIG_BYTES / line.length))
    const before = rssMb(daemon.process.pid) ?? Number.NaN
    let peak = before
    const watch = setInterval(() => void (peak = Math.max(peak, rssMb(daemon.process.pid) ?? 0)), 100)
    const replies = await Promise.all(Array.from({ length: BIG }, (_, i) => sendMessage(daemon.port, `budget-${i}@example.com`, big)))
    clearInterval(watch)
    await new Promise((resolve) => setTimeout(resolve, 3_000))
    const after = rssMb(daemon.process.pid) ?? Number.NaN
    const queued = replies.filter((r) => r.reply.startsWith("250")).length
    const refused = replies.filter((r) => r.reply.startsWith("452 4.3.1")).length
    console.log(`[memory] smtp-data-memory 300MB, ${BIG} x 45 MB: ${queued} got 250, ${refused} got 452 4.3.1; daemon RSS ${before} MB before, ${peak} MB at the peak, ${after} MB 3 s after`)
    expect(queued + refused).toBe(BIG)
    expect(queued).toBeGreaterThan(0)
    expect(await queueDepth(inbox)).toBe(queued)
    // the budget and what the daemon needs besides; without it 20 x 45 MB took 3 GB
    expect(peak - before).toBeLessThan(900)
  }, 240_000)
})
