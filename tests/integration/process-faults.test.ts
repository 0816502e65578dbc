import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { drainQueue, readSpool, report, tally } from "../support/fault-tally.ts"
import type { QueuedDocument } from "../support/fault-tally.ts"
import { createOwnRabbit, ownRabbitAvailable } from "../support/own-rabbitmq.ts"
import type { OwnRabbit } from "../support/own-rabbitmq.ts"
import { is250, startSmtpLoad } from "../support/smtp-load.ts"
import { withStartup } from "../support/timing.ts"

const CLIENTS = 10
const INBOX = "inbox"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * 10 clients send all the time; the daemon is killed with SIGKILL in the middle. Whatever was
 * answered 250 must be in the queue (or the spool), since 250 comes only after the broker's
 * confirm (or the spool's fsync). What was in flight got no answer; if it arrived anyway it is
 * counted as a duplicate (the client sends it again).
 */
const killUnderLoad = async (daemon: RunningDaemon, what: string, collect: () => Promise<ReadonlyArray<QueuedDocument>>) => {
  const load = startSmtpLoad(daemon.port, CLIENTS, 0)
  await load.allSucceededSince(Date.now(), 10_000)
  await sleep(700)
  const exited = new Promise((resolve) => daemon.process.once("exit", (_code, signal) => resolve(signal)))
  daemon.process.kill("SIGKILL")
  const killedAt = Date.now()
  expect(await exited).toBe("SIGKILL")
  await sleep(200)
  const outcomes = await load.stop()
  const t = tally(outcomes, await collect())
  console.log(report(what, t))

  expect(t.missing).toEqual([])
  expect(t.wrong).toEqual([])
  expect(t.found).toBe(t.ids250 + t.duplicates)
  expect(outcomes.filter((o) => is250(o) && o.repliedAt < killedAt).length).toBeGreaterThan(CLIENTS)
  expect(outcomes.filter((o) => is250(o) && o.sentAt > killedAt)).toEqual([])
}

describe.runIf(ownRabbitAvailable())("kill -9 of the daemon publishing to RabbitMQ (a node of its own)", () => {
  let rabbit: OwnRabbit
  let daemon: RunningDaemon

  beforeAll(async () => {
    rabbit = await createOwnRabbit()
    await rabbit.start()
    console.log(`own RabbitMQ node ${rabbit.node} started in ${rabbit.startTimesMs[0]} ms`)
  })

  afterAll(async () => {
    await daemon?.stop()
    await rabbit?.dispose()
  })

  it("every message answered 250 is in the queue", async () => {
    daemon = await startDaemon({ "smtp-range": "127.0.0.0/8", "rabbitmq-address": rabbit.url, "rabbitmq-inbox": INBOX })
    await killUnderLoad(daemon, "daemon killed (SIGKILL) while publishing to RabbitMQ", () => drainQueue(rabbit.url, INBOX))
  }, withStartup(40_000))
})

describe("kill -9 of the daemon writing to the embedded spool", () => {
  let daemon: RunningDaemon

  afterAll(async () => {
    await daemon?.stop()
  })

  it("every message answered 250 is a file in the spool directory", async () => {
    daemon = await startDaemon({ "smtp-range": "127.0.0.0/8", "rabbitmq-inbox": INBOX })
    await killUnderLoad(daemon, "daemon killed (SIGKILL) while writing to the spool", async () =>
      readSpool(join(daemon.dir, "spool"), INBOX))
  }, withStartup(40_000))
})
