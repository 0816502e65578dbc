import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import { freePort } from "../support/free-port.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { BROKER_URL, deleteQueues, takeMessages, uniqueQueue, withBrokerChannel } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"

const ready = (await rabbitAvailable()) && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

const send = async (daemon: RunningDaemon, to: string, headers: ReadonlyArray<string> = []) => {
  const sent = await swaks(daemon.port, ["--from", "sender@example.org", "--to", to, ...headers.flatMap((h) => ["--header", h])])
  expect(sent.code, sent.output).toBe(0)
  return queuedIds(sent.output).get(to)
}

const PRECONDITION_FAILED = 406
const declareFails = (queue: string, options: Record<string, unknown>) =>
  withBrokerChannel((channel) => channel.assertQueue(queue, options).then(() => undefined, (error: { code?: number }) => error.code))

describe.runIf(ready)("the broker and queues as MailerQ has them (the machine's RabbitMQ)", () => {
  const queues: Array<string> = []
  const exchanges: Array<string> = []
  const daemons: Array<RunningDaemon> = []
  const start = async (config: Readonly<Record<string, string | number>>) => {
    const daemon = await startDaemon({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.0/8", ...config })
    daemons.push(daemon)
    return daemon
  }
  const queue = (purpose: string) => {
    const name = uniqueQueue(purpose)
    queues.push(name)
    return name
  }
  afterAll(async () => {
    for (const daemon of daemons) expect(await daemon.stop()).toBe(0)
    await deleteQueues(...queues)
    await withBrokerChannel(async (channel) => {
      for (const exchange of exchanges) await channel.deleteExchange(exchange)
    })
  })

  it("without rabbitmq-address publishes to MailerQ's default amqp://guest:guest@localhost/, and leaves MailerQ's spool-directory alone", async () => {
    const inbox = queue("default-broker")
    const pickup = mkdtempSync(join(tmpdir(), "mailerq-pickup-"))
    try {
      const daemon = await start({ "embedded-spool-directory": "", "spool-directory": pickup, "rabbitmq-inbox": inbox })
      expect(daemon.logs().join("\n")).toContain("connected to RabbitMQ at localhost:5672")
      expect(daemon.logs().join("\n")).toContain("no rabbitmq-address: publishing to MailerQ's default amqp://guest:guest@localhost/")
      const id = await send(daemon, "someone@example.com")
      const [message] = await takeMessages(inbox, 1)
      expect(message?.json["message-id"]).toBe(id)
      expect(readdirSync(pickup)).toEqual([])
    } finally {
      rmSync(pickup, { recursive: true, force: true })
    }
  })

  it("a cluster address in MailerQ's h1;h2 form connects to the first node that answers", async () => {
    const inbox = queue("semicolon-cluster")
    const closed = await freePort() // nothing listens there: the first node does not answer
    const daemon = await start({ "rabbitmq-address": `amqp://guest:guest@127.0.0.1:${closed};127.0.0.1:5672/`, "rabbitmq-inbox": inbox })
    const id = await send(daemon, "cluster@example.com")
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json["message-id"]).toBe(id)
    const logs = daemon.logs().join("\n")
    expect(logs).toContain(`cannot reach RabbitMQ at 127.0.0.1:${closed}`)
    expect(logs).toContain("connected to RabbitMQ at 127.0.0.1:5672")
  })

  it("declares the exchange and the queues as configured, and publishes through the exchange: priority, gzip, transient", async () => {
    const inbox = queue("declared")
    const exchange = uniqueQueue("exchange")
    exchanges.push(exchange)
    const daemon = await start({
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox,
      "rabbitmq-exchange": exchange,
      "rabbitmq-maxpriority": 4,
      "rabbitmq-lazy": "true",
      "rabbitmq-durable": "false",
      "rabbitmq-encoding": "gzip",
      "rabbitmq-persistent": "false"
    })
    expect(daemon.logs().join("\n")).toMatch(/rabbitmq-persistent is false: .*a broker restart can lose a message already answered 250/)
    // the queue is what MailerQ would have declared: an equivalent declaration passes, another one is refused
    expect(await declareFails(inbox, { durable: false, arguments: { "x-max-priority": 4, "x-queue-mode": "lazy" } })).toBeUndefined()
    expect(await declareFails(inbox, { durable: false })).toBe(PRECONDITION_FAILED)
    // a copy of every message through the exchange, as rabbitmq-config.md suggests for monitoring
    const copy = queue("exchange-copy")
    await withBrokerChannel(async (channel) => {
      await channel.assertQueue(copy, { durable: false })
      await channel.bindQueue(copy, exchange, inbox)
    })

    const id = await send(daemon, "prio@example.com", ["X-MQ-Priority: 3"])
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json["message-id"]).toBe(id)
    expect(message?.properties.priority).toBe(3)
    expect(message?.properties.contentEncoding).toBe("gzip")
    expect(message?.raw.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
    expect(message?.properties.deliveryMode).toBe(1)
    const [copied] = await takeMessages(copy, 1)
    expect(copied?.json["message-id"]).toBe(id)
  })

  it("uses a queue MailerQ already declared as a lazy priority queue, with a warning, not an exit", async () => {
    const inbox = queue("mailerq-made")
    await withBrokerChannel((channel) => channel.assertQueue(inbox, { durable: true, arguments: { "x-max-priority": 10, "x-queue-mode": "lazy" } }))
    const daemon = await start({ "rabbitmq-address": BROKER_URL, "rabbitmq-inbox": inbox })
    expect(daemon.logs().join("\n")).toMatch(new RegExp(`queue \\\\?"${inbox}\\\\?" exists with other arguments .*x-max-priority.*used as it is`))
    const id = await send(daemon, "again@example.com")
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json["message-id"]).toBe(id)
    expect(message?.properties.deliveryMode).toBe(2)
  })

  it("rabbitmq-declare: false and a queue that is not there: 451, and the log says which queue and what to do", async () => {
    const inbox = uniqueQueue("never-declared")
    const daemon = await start({ "rabbitmq-address": BROKER_URL, "rabbitmq-inbox": inbox, "rabbitmq-declare": "false" })
    const sent = await swaks(daemon.port, ["--from", "sender@example.org", "--to", "lost@example.com"])
    expect(sent.output).toMatch(/451 4\.3\.0/)
    expect(daemon.logs().join("\n")).toContain(`queue \\"${inbox}\\" does not exist and rabbitmq-declare is false`)
    // nothing was declared behind the operator's back
    expect(await withBrokerChannel((channel) => channel.checkQueue(inbox).then(() => 200, (error: { code?: number }) => error.code))).toBe(404)
  })

  it("rabbitmq-declare: false declares nothing: a queue of the operator's own, with arguments of its own, is used", async () => {
    const inbox = queue("operator-made")
    await withBrokerChannel((channel) => channel.assertQueue(inbox, { durable: true, arguments: { "x-max-length": 1000 } }))
    const daemon = await start({ "rabbitmq-address": BROKER_URL, "rabbitmq-inbox": inbox, "rabbitmq-declare": "false" })
    const id = await send(daemon, "own@example.com")
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json["message-id"]).toBe(id)
  })
})
