import { describe, expect, it } from "vitest"
import type { RefusalSummary } from "../../application/ports/refusal-tally.ts"
import { daemonPerTest } from "../support/daemon-hooks.ts"
import { freePort } from "../support/free-port.ts"
import { mostAtOnce } from "../support/overlap.ts"
import { BROKER_URL, takeMessages } from "../support/rabbit.ts"
import { rabbitAvailable } from "../support/services.ts"
import { rawSession } from "../support/smtp-clients.ts"
import { withStartup } from "../support/timing.ts"

const ready = await rabbitAvailable()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** One client: the time it was greeted, the reply to its message, and when its connection ended. */
const sendOne = async (port: number, n: number) => {
  const client = rawSession(port)
  const greeting = await client.reply(30_000)
  const greetedAt = Date.now()
  await client.command("EHLO many.example")
  await client.command("MAIL FROM:<many@example.org>")
  await client.command(`RCPT TO:<client${n}@example.com>`)
  await client.command("DATA")
  client.send(`Subject: client ${n}\r\n\r\nhello\r\n.\r\n`)
  const queued = await client.reply()
  await sleep(300)
  await client.command("QUIT")
  for (let i = 0; i < 100 && !client.closed(); i++) await sleep(10)
  // The close event's own time: polling lags, and would count the next client greeted as overlapping.
  return { greeting, queued, greetedAt, closedAt: client.closedAt() ?? Date.now() }
}


describe.runIf(ready)("connection budgets and timeouts at the SMTP port", () => {
  const daemons = daemonPerTest()

  it("with smtp-connections-in: 5, serves 20 clients at once never more than 5 at a time, and takes every message", async () => {
    const inbox = daemons.queue("budget")
    const daemon = await daemons.start({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "smtp-connections-in": 5,
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
    const port = daemon.port
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => sendOne(port, n)))
    expect(results.map((r) => r.greeting.slice(0, 4))).toEqual(Array(20).fill("220 "))
    expect(results.every((r) => r.queued.startsWith("250-Ok, your message has been queued"))).toBe(true)
    expect(mostAtOnce(results)).toBeLessThanOrEqual(5)
    expect(mostAtOnce(results)).toBeGreaterThanOrEqual(2)
    const messages = await takeMessages(inbox, 20)
    expect(messages.map((m) => m.json.recipient).sort()).toEqual(
      Array.from({ length: 20 }, (_, n) => `client${n}@example.com`).sort()
    )
  }, withStartup(60_000))

  it("refuses a held connection with 421 4.7.0 once it has waited its bound, and the console counts it for its client", async () => {
    const managementPort = await freePort()
    const daemon = await daemons.start({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.0/8",
      "smtp-connections-in": 1,
      "smtp-timeout": 1,
      "management-port": managementPort
    })
    const first = rawSession(daemon.port)
    expect(await first.reply()).toMatch(/^220 /)
    const keepAlive = setInterval(() => first.send("NOOP\r\n"), 300)
    try {
      const second = rawSession(daemon.port, "127.0.0.1", "127.0.0.23")
      const started = Date.now()
      expect(await second.reply(5000)).toMatch(/^421 4\.7\.0 .*Too many connections/)
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    } finally {
      clearInterval(keepAlive)
      first.close()
    }
    const refusals = await (await fetch(`http://127.0.0.1:${managementPort}/api/console/refusals`)).json() as RefusalSummary
    expect(refusals.byReason.budget).toBe(1)
    expect(refusals.topClients).toContainEqual({ client: "127.0.0.23", count: 1, reason: "budget" })
    // the slot is free again
    const third = rawSession(daemon.port)
    expect(await third.reply(5000)).toMatch(/^220 /)
    third.close()
  })

  it("closes a client that trickles its message past the DATA deadline (twice smtp-timeout) with 421", async () => {
    const daemon = await daemons.start({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.1", "smtp-timeout": 1 })
    const client = rawSession(daemon.port)
    await client.reply()
    await client.command("EHLO slow.example")
    await client.command("MAIL FROM:<slow@example.org>")
    await client.command("RCPT TO:<loris@example.com>")
    expect(await client.command("DATA")).toMatch(/^354 /)
    const started = Date.now()
    const trickle = setInterval(() => client.send("x"), 300)
    try {
      expect(await client.reply(6000)).toMatch(/^421 4\.4\.2 \S+ Message not received in time/)
    } finally {
      clearInterval(trickle)
    }
    const took = Date.now() - started
    expect(took).toBeGreaterThanOrEqual(1900)
    expect(took).toBeLessThan(4000)
    for (let i = 0; i < 100 && !client.closed(); i++) await sleep(20)
    expect(client.closed()).toBe(true)
  })
})
