import { withStartup } from "../support/timing.ts"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { logLines, waitFor } from "../support/daemon-logs.ts"
import { createOwnRabbit, ownRabbitAvailable } from "../support/own-rabbitmq.ts"
import type { OwnRabbit } from "../support/own-rabbitmq.ts"
import { fillerBody, sendOneMessage } from "../support/smtp-clients.ts"
import { freePort } from "../support/free-port.ts"

const ready = ownRabbitAvailable()

const sendMessage = async (port: number, to: string, bodyBytes: number): Promise<string> =>
  (await sendOneMessage(port, to, fillerBody(bodyBytes), 30_000)).reply

describe.runIf(ready)("a RabbitMQ node of the test's own (max_message_size = 1 MiB) that refuses messages", () => {
  let rabbit: OwnRabbit
  let daemon: RunningDaemon | undefined

  beforeAll(async () => {
    rabbit = await createOwnRabbit(["max_message_size = 1048576"])
    await rabbit.start()
  }, 90_000)
  afterAll(async () => {
    await daemon?.stop()
    await rabbit?.dispose()
  }, withStartup(60_000))

  const start = async (maxMessageSize: string, extra: Readonly<Record<string, string | number>> = {}) => {
    await daemon?.stop()
    daemon = await startDaemon({
      ...extra,
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "smtp-maxsize": "10MB",
      "rabbitmq-address": rabbit.url,
      "rabbitmq-inbox": `size-${maxMessageSize}`,
      "rabbitmq-max-message-size": maxMessageSize
    })
    return daemon
  }

  it("is refused for good with 552 5.3.4, and the small messages beside it are queued on the channel they share", async () => {
    const { port } = await start("1MB")
    const replies = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => sendMessage(port, `small-${i}@example.com`, 2_000)),
      sendMessage(port, "big-1@example.com", 3_000_000),
      sendMessage(port, "big-2@example.com", 3_000_000)
    ])
    expect(replies.slice(0, 10).every((r) => r.startsWith("250-Ok"))).toBe(true)
    for (const big of replies.slice(10)) expect(big).toMatch(/^552 5\.3\.4 Message too large for the queue: \d+ bytes as JSON, the broker takes at most 1048576/)
    const refusedLines = () => logLines(daemon!).filter((l) => l.message === "message refused" && l.annotations["reason"] === "too-large-for-broker")
    await waitFor("two 'message refused' lines", () => refusedLines().length === 2)
    expect(logLines(daemon!).some((l) => l.message.startsWith("lost connection to RabbitMQ"))).toBe(false)
    expect(Number(await rabbit.ctl("eval", "length(rabbit_amqqueue:list()).").then((o) => o.trim()))).toBeGreaterThan(0)
  }, withStartup(60_000))

  it("when the configured limit is above the broker's, the broker closes the large messages' channel: only that publish fails, its reason is logged, the rest goes on", async () => {
    const { port } = await start("8MB")
    const [over, ...smalls] = await Promise.all([
      sendMessage(port, "over@example.com", 3_000_000),
      ...Array.from({ length: 5 }, (_, i) => sendMessage(port, `beside-${i}@example.com`, 1_000))
    ])
    expect(over).toMatch(/^451 4\.3\.0 /)
    for (const small of smalls) expect(small).toMatch(/^250-Ok/)
    const replaced = () => logLines(daemon!).find((l) => l.message.includes("closed a channel"))
    await waitFor("the closed channel logged", () => replaced() !== undefined)
    expect(replaced()?.message).toMatch(/channel closed by the broker: .*max size/i)
    expect(logLines(daemon!).some((l) => l.message.startsWith("lost connection to RabbitMQ"))).toBe(false)
    // the next large message goes out on the lane's new channel at once
    expect(await sendMessage(port, "after@example.com", 500_000)).toMatch(/^250-Ok/)
  }, withStartup(60_000))

  it("a memory alarm: publishes get 451 and /readyz is 503 while the broker blocks publishers; both recover when it lifts", async () => {
    const managementPort = await freePort()
    const { port } = await start("1MB", { "management-port": managementPort })
    const readiness = async () => (await fetch(`http://127.0.0.1:${managementPort}/readyz`)).status
    expect(await sendMessage(port, "before@example.com", 1_000)).toMatch(/^250-Ok/)
    expect(await readiness()).toBe(200)
    await rabbit.ctl("set_vm_memory_high_watermark", "absolute", "1")
    try {
      // RabbitMQ blocks a connection when it next publishes: that message waits, then gets 451
      expect(await sendMessage(port, "during@example.com", 1_000)).toMatch(/^451 4\.3\.0 /)
      await waitFor("the daemon to see the block", () => logLines(daemon!).some((l) => l.message.includes("blocks publishers")))
      expect(await readiness()).toBe(503)
      // the console's publisher tile reads this condition: blocked, with RabbitMQ's reason
      const traffic = await (await fetch(`http://127.0.0.1:${managementPort}/api/console/traffic`)).json() as { publisher: Record<string, unknown> }
      expect(traffic.publisher).toMatchObject({ kind: "rabbitmq", connected: true, blocked: expect.stringMatching(/memory/i) })
      expect(await sendMessage(port, "blocked@example.com", 1_000)).toMatch(/^451 4\.3\.0 /)
    } finally {
      await rabbit.ctl("set_vm_memory_high_watermark", "0.4")
    }
    await waitFor("the daemon to see the block lifted", () => logLines(daemon!).some((l) => l.message.includes("accepts publishes again")))
    expect(await readiness()).toBe(200)
    const lifted = await (await fetch(`http://127.0.0.1:${managementPort}/api/console/traffic`)).json() as { publisher: Record<string, unknown> }
    expect(lifted.publisher.blocked).toBeUndefined()
    expect(await sendMessage(port, "after@example.com", 1_000)).toMatch(/^250-Ok/)
  }, withStartup(60_000))
})
