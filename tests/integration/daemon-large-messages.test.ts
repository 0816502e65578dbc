import { withStartup } from "../support/timing.ts"
import { describe, expect, it } from "vitest"
import { daemonPerTest } from "../support/daemon-hooks.ts"
import { rssMb } from "../support/process-rss.ts"
import { BROKER_URL, queueDepth } from "../support/rabbit.ts"
import { rabbitAvailable } from "../support/services.ts"
import { fillerBody, sendOneMessage } from "../support/smtp-clients.ts"

const ready = await rabbitAvailable()

const MB = 1024 * 1024
const BIG = 20
const BIG_BYTES = 45 * MB
const SMALL = 40

const sendMessage = (port: number, to: string, body: string) => sendOneMessage(port, to, body)

/** A daemon on the shared broker taking messages up to 50 MB, and one 45 MB body to send. */
const startLarge = async (daemons: ReturnType<typeof daemonPerTest>, purpose: string, extra: Readonly<Record<string, string>> = {}) => {
  const inbox = daemons.queue(purpose)
  const daemon = await daemons.start({
    "smtp-ip": "127.0.0.1",
    "smtp-range": "127.0.0.1",
    "smtp-maxsize": "50MB",
    "rabbitmq-address": BROKER_URL,
    "rabbitmq-inbox": inbox,
    ...extra
  })
  return { inbox, daemon, big: fillerBody(BIG_BYTES - 2_000) }
}

describe.runIf(ready)("large and small messages do not share fate", () => {
  const daemons = daemonPerTest()

  it("20 concurrent 45 MB messages and small ones beside them: every one gets 250, and is in the queue once", async () => {
    const { inbox, daemon, big } = await startLarge(daemons, "large")
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
    const others = [...bigReplies, ...smalls].map((r) => r.reply).filter((r) => !r.startsWith("250-Ok"))
    // a message not taken says why in the daemon's log
    const deferred = daemon.logs().filter((line) => line.includes("\"message deferred\"") || line.includes("\"level\":\"ERROR\""))
    expect(others, deferred.join("\n")).toEqual([])
    expect(await queueDepth(inbox)).toBe(BIG + SMALL)
  }, withStartup(240_000))

  it("with smtp-data-memory: 300MB, 20 x 45 MB at once: those that fit get 250, the others 452 4.3.1, and memory stays under the ceiling", async () => {
    const { inbox, daemon, big } = await startLarge(daemons, "memory", { "smtp-data-memory": "300MB" })
    const before = rssMb(daemon.process.pid) ?? Number.NaN
    let peak = before
    const watch = setInterval(() => void (peak = Math.max(peak, rssMb(daemon.process.pid) ?? 0)), 100)
    const replies = await Promise.all(Array.from({ length: BIG }, (_, i) => sendMessage(daemon.port, `budget-${i}@example.com`, big)))
    clearInterval(watch)
    const after: Array<number> = []
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 3_000))
      after.push(rssMb(daemon.process.pid) ?? Number.NaN)
    }
    const queued = replies.filter((r) => r.reply.startsWith("250")).length
    const refused = replies.filter((r) => r.reply.startsWith("452 4.3.1")).length
    console.log(`[memory] smtp-data-memory 300MB, ${BIG} x 45 MB: ${queued} got 250, ${refused} got 452 4.3.1; daemon RSS ${before} MB before, ${peak} MB at the peak, ${after.join("/")} MB every 3 s after`)
    expect(queued + refused).toBe(BIG)
    expect(queued).toBeGreaterThan(0)
    expect(await queueDepth(inbox)).toBe(queued)
    // the budget and what the daemon needs besides; without it 20 x 45 MB took 3 GB
    expect(peak - before).toBeLessThan(900)
    // and goes back down once the burst is over (without the collection after it, it stayed at the peak's level)
    expect(after.at(-1)! - before).toBeLessThan((peak - before) / 2)
  }, withStartup(240_000))
})
