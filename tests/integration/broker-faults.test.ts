import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { drainQueue, report, tally } from "../support/fault-tally.ts"
import { createOwnRabbit, ownRabbitAvailable } from "../support/own-rabbitmq.ts"
import type { OwnRabbit } from "../support/own-rabbitmq.ts"
import { is250, is4xx, startSmtpLoad } from "../support/smtp-load.ts"
import type { Outcome, SmtpLoad } from "../support/smtp-load.ts"
import { startTcpForwarder } from "../support/tcp-forwarder.ts"
import type { TcpForwarder } from "../support/tcp-forwarder.ts"
import { withStartup } from "../support/timing.ts"

const ready = ownRabbitAvailable()
const CLIENTS = 10
const INBOX = "inbox"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Messages whose whole publish fell inside [from, to]: the broker was unreachable for all of it. */
const inside = (outcomes: ReadonlyArray<Outcome>, from: number, to: number) =>
  outcomes.filter((o) => o.sentAt >= from && o.repliedAt <= to)

/**
 * 10 clients send all the time while the broker goes away (stopped, or the TCP link cut under
 * the daemon) and comes back. Every 250 must be in the queue; while it is away only 451s.
 */
describe.runIf(ready)("broker faults under load (a RabbitMQ node of its own)", () => {
  let rabbit: OwnRabbit
  let forwarder: TcpForwarder
  let daemon: RunningDaemon

  beforeAll(async () => {
    rabbit = await createOwnRabbit()
    await rabbit.start()
    console.log(`own RabbitMQ node ${rabbit.node} started in ${rabbit.startTimesMs[0]} ms`)
    forwarder = await startTcpForwarder({ host: "127.0.0.1", port: rabbit.port })
    daemon = await startDaemon({
      "smtp-range": "127.0.0.0/8",
      "rabbitmq-address": `amqp://guest:guest@127.0.0.1:${forwarder.port}/`,
      "rabbitmq-inbox": INBOX
    })
  })

  afterAll(async () => {
    await daemon?.stop()
    await forwarder?.cut()
    await rabbit?.dispose()
  })

  /** runs `fault` under load, waits for every client to get 250s again, and checks the queue */
  const underLoad = async (what: string, fault: (load: SmtpLoad) => Promise<{ from: number; to: number }>) => {
    const load = startSmtpLoad(daemon.port, CLIENTS)
    await load.allSucceededSince(Date.now(), 10_000)
    const down = await fault(load)
    await load.allSucceededSince(down.to, 20_000)
    await sleep(300)
    const outcomes = await load.stop()
    const t = tally(outcomes, await drainQueue(rabbit.url, INBOX))
    console.log(report(what, t))

    expect(t.missing).toEqual([])
    expect(t.wrong).toEqual([])
    expect(t.other4xx).toEqual([])
    expect(t.unanswered).toBe(0)
    expect(t.found).toBe(t.ids250 + t.duplicates)
    const whileDown = inside(outcomes, down.from, down.to)
    expect(whileDown.filter(is250)).toEqual([])
    expect(whileDown.filter(is4xx).length).toBeGreaterThan(CLIENTS)
    return { outcomes, down }
  }

  it("the broker stopped and started again: every 250 is in the queue, 451 while it is down", async () => {
    const { outcomes, down } = await underLoad("broker stopped and restarted", async () => {
      await sleep(500)
      await rabbit.stop()
      const from = Date.now()
      await sleep(1_000)
      const to = Date.now()
      await rabbit.start()
      console.log(`own RabbitMQ node restarted in ${rabbit.startTimesMs[1]} ms`)
      return { from, to }
    })
    // the messages 250'd before the stop (found above) were on disk and survived the restart
    expect(outcomes.filter((o) => is250(o) && o.repliedAt < down.from).length).toBeGreaterThan(CLIENTS)
  }, withStartup(60_000))

  it("the connection cut under the daemon: every 250 is in the queue, 451 while it is cut", async () => {
    await underLoad("connection to the broker cut and reopened", async () => {
      await sleep(500)
      await forwarder.cut()
      const from = Date.now()
      await sleep(1_500)
      const to = Date.now()
      await forwarder.reopen()
      return { from, to }
    })
  }, 60_000)
})
