import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { freePort } from "../support/free-port.ts"
import { withListStore } from "../support/managed-lists.ts"
import { BROKER_URL, deleteQueues, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import type { ConsumedMessage } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"
import { GTUBE, spamdAvailable, startSpamd } from "../support/spamd.ts"
import type { RunningSpamd } from "../support/spamd.ts"

/*
 * smtp-check through the real daemon, with spam only: SPF, DKIM and DMARC would need the daemon
 * to ask real DNS about real domains. Those are proven at the use-case level, against the
 * in-memory zone (mailauth-checks.test.ts), through the same use case and adapters.
 */
const ready = (await rabbitAvailable()) && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks") && spamdAvailable()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const send = (port: number, to: string, body: string) =>
  swaks(port, ["--from", "alice@example.org", "--to", to, "--helo", "client.example.org", "--header", "Subject: Lunch on Thursday", "--body", body])

const mimeOf = (message: ConsumedMessage | undefined) => (message?.json.mime ?? "") as string

describe.runIf(ready)("the daemon with smtp-check: spam and smtp-auth-results: nonlocal", () => {
  const inbox = uniqueQueue("checks-inbox")
  const localQueue = uniqueQueue("checks-local")
  let spamd: RunningSpamd
  let daemon: RunningDaemon

  beforeAll(async () => {
    spamd = await startSpamd()
    daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.0/8",
      "smtp-hostname": "mx.checks.test",
      "smtp-check": "spam",
      "smtp-auth-results": "nonlocal",
      "spamassassin-host": "127.0.0.1",
      "spamassassin-port": spamd.port,
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox,
      "rabbitmq-local": localQueue
    })
    await withListStore(join(daemon.dir, "intake.db"), (store) => store.addLocalAddress({ pattern: "@local.test", type: "exact" }))
    await sleep(1500)
  })
  afterAll(async () => {
    expect(await daemon?.stop()).toBe(0)
    await spamd?.stop()
    await deleteQueues(inbox, localQueue)
  })

  it("puts spamd's verdict on GTUBE into checks, and Authentication-Results into the non-local message only", async () => {
    const sent = await send(daemon.port, "bob@example.com,postmaster@local.test", `Buy now!\n${GTUBE}`)
    expect(sent.code, sent.output).toBe(0)
    expect([...queuedIds(sent.output).keys()]).toEqual(["bob@example.com", "postmaster@local.test"])
    const [remote] = await takeMessages(inbox, 1)
    const [local] = await takeMessages(localQueue, 1)
    const spam = { spam: "spam", score: expect.any(Number), required: 5, symbols: expect.arrayContaining(["GTUBE"]) }
    expect(remote?.json.checks).toEqual([spam])
    expect(local?.json.checks).toEqual([spam])
    expect((remote?.json.checks as Array<{ score: number }>)[0]?.score).toBeGreaterThanOrEqual(1000)
    // after our Received header, before the message as sent; spam is no RFC 8601 method, so: none
    expect(mimeOf(remote)).toMatch(/^Received: [^]*?\r\nAuthentication-Results: mx\.checks\.test; none\r\nDate: /)
    expect(mimeOf(local)).not.toContain("Authentication-Results")
    expect(mimeOf(local)).toContain(GTUBE)
  })

  it("says ham for a plain message", async () => {
    const sent = await send(daemon.port, "carol@example.com", "Hi Carol,\n\nshall we have lunch on Thursday at the usual place?\n\nAlice")
    expect(sent.code, sent.output).toBe(0)
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json.checks).toEqual([{ spam: "ham", score: expect.any(Number), required: 5, symbols: expect.any(Array) }])
  })
})

describe.runIf(ready)("the daemon with smtp-check: spam when spamd is down", () => {
  const inbox = uniqueQueue("checks-down")
  let daemon: RunningDaemon

  beforeAll(async () => {
    daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.0/8",
      "smtp-hostname": "mx.checks.test",
      "smtp-check": "spam",
      "spamassassin-host": "127.0.0.1",
      "spamassassin-port": await freePort(),
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
  })
  afterAll(async () => {
    expect(await daemon?.stop()).toBe(0)
    await deleteQueues(inbox)
  })

  it("accepts the message at once and records temperror, without Authentication-Results", async () => {
    const started = Date.now()
    const sent = await send(daemon.port, "bob@example.com", GTUBE)
    expect(sent.code, sent.output).toBe(0)
    expect(Date.now() - started).toBeLessThan(5_000)
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json.checks).toEqual([{ spam: "temperror" }])
    expect(mimeOf(message)).not.toContain("Authentication-Results")
    expect(daemon.logs().some((line) => line.includes("spam check failed") && line.includes("ECONNREFUSED"))).toBe(true)
  })
})
