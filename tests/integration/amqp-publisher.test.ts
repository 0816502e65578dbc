import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { connect } from "amqplib"
import type { Channel, ChannelModel, ConfirmChannel, GetMessage } from "amqplib"
import { Effect, Fiber, Schedule } from "effect"
import { randomBytes } from "node:crypto"
import { EventEmitter } from "node:events"
import { makeLink } from "../../adapters/amqp/amqp-link.ts"
import { AmqpPublisher } from "../../adapters/amqp/amqp-publisher.ts"
import { confirmBatch } from "../../adapters/amqp/confirm-batch.ts"
import type { AmqpPublisherOptions } from "../../adapters/amqp/amqp-publisher.ts"
import { Publisher } from "../../application/ports/publisher.ts"
import type { Delivery } from "../../application/ports/publisher.ts"
import { freePort } from "../support/free-port.ts"
import { runTracked } from "../support/processes.ts"
import { startTcpForwarder } from "../support/tcp-forwarder.ts"

const BROKER = { host: "127.0.0.1", port: 5672 }
const BROKER_URL = `amqp://guest:guest@${BROKER.host}:${BROKER.port}`

const brokerUnreachable = await connect(BROKER_URL, { timeout: 3000 }).then(
  async (c) => {
    await c.close()
    return undefined
  },
  (error: unknown) => (error instanceof Error ? error.message : String(error))
)
if (brokerUnreachable !== undefined) {
  const why = `RabbitMQ is not reachable at ${BROKER.host}:${BROKER.port} (${brokerUnreachable})`
  if (process.env["CI"] === "true") throw new Error(`${why}; the amqp publisher tests need it in CI`)
  console.warn(`\n!!! SKIPPING the amqp publisher integration tests: ${why} !!!\n`)
}

describe.skipIf(brokerUnreachable !== undefined)("AmqpPublisher against RabbitMQ", () => {
  let admin: ChannelModel
  let channel: Channel
  const created: Array<string> = []

  beforeAll(async () => {
    admin = await connect(BROKER_URL)
    channel = await admin.createChannel()
  })
  afterAll(async () => {
    for (const queue of created) await channel.deleteQueue(queue).catch(() => undefined)
    await admin.close()
  })

  const freshQueue = () => {
    const queue = `test-${randomBytes(6).toString("hex")}`
    created.push(queue)
    return queue
  }

  const delivery = (queue: string, n: number): Delivery => ({
    queue,
    messageId: `id-${n}-${randomBytes(4).toString("hex")}`,
    body: new TextEncoder().encode(JSON.stringify({ "message-id": `m${n}`, mime: `body ${n} \u00e9` }))
  })

  const withPublisher = <A, E>(
    options: Partial<AmqpPublisherOptions> & Pick<AmqpPublisherOptions, "queues">,
    use: (publisher: Publisher["Service"]) => Effect.Effect<A, E>
  ) =>
    Effect.gen(function*() {
      return yield* use(yield* Publisher)
    }).pipe(Effect.provide(AmqpPublisher.layer({ url: BROKER_URL, queueType: "classic", ...options })))

  const drain = async (queue: string, expected: number): Promise<Array<GetMessage>> => {
    const messages: Array<GetMessage> = []
    const deadline = Date.now() + 5000
    while (messages.length < expected && Date.now() < deadline) {
      const message = await channel.get(queue, { noAck: true })
      if (message === false) await new Promise((resolve) => setTimeout(resolve, 20))
      else messages.push(message)
    }
    return messages
  }

  const queueInfo = async (queue: string): Promise<{ name: string; durable: boolean; type: string } | undefined> => {
    const { code, stdout, stderr } = await runTracked("rabbitmqctl", [
      "list_queues", "name", "durable", "type", "--formatter", "json", "--quiet"
    ])
    if (code !== 0) throw new Error(`rabbitmqctl list_queues: exit ${code}\n${stdout}${stderr}`)
    const rows = JSON.parse(stdout) as Array<{ name: string; durable: boolean; type: string }>
    return rows.find((row) => row.name === queue)
  }

  /** A TCP forwarder to the broker for the test (cut when it ends), and the broker's URL through it. */
  const forwardedBroker = Effect.acquireRelease(
    Effect.promise(() => startTcpForwarder(BROKER)),
    (f) => Effect.promise(() => f.cut())
  ).pipe(Effect.map((forwarder) => ({ forwarder, url: `amqp://guest:guest@127.0.0.1:${forwarder.port}` })))

  it.live("publishes one persistent JSON message to a durable queue", () => {
    const queue = freshQueue()
    const one = delivery(queue, 1)
    return withPublisher({ queues: [queue] }, (publisher) =>
      Effect.gen(function*() {
        assert.isTrue(yield* publisher.isReady)
        yield* publisher.publish([one])
        const [message, ...rest] = yield* Effect.promise(() => drain(queue, 1))
        assert.lengthOf(rest, 0)
        assert.deepStrictEqual(new Uint8Array(message!.content), one.body)
        assert.strictEqual(message!.properties.contentType, "application/json")
        assert.strictEqual(message!.properties.deliveryMode, 2)
        assert.strictEqual(message!.properties.messageId, one.messageId)
        assert.deepStrictEqual(yield* Effect.promise(() => queueInfo(queue)), { name: queue, durable: true, type: "classic" })
      })
    )
  })

  it.live("publishes a batch of 50 in one call", () => {
    const queue = freshQueue()
    const batch = Array.from({ length: 50 }, (_, n) => delivery(queue, n))
    return withPublisher({ queues: [queue] }, (publisher) =>
      Effect.gen(function*() {
        yield* publisher.publish(batch)
        const messages = yield* Effect.promise(() => drain(queue, 50))
        assert.deepStrictEqual(messages.map((m) => m.properties.messageId), batch.map((d) => d.messageId))
        assert.deepStrictEqual(messages.map((m) => new Uint8Array(m.content)), batch.map((d) => d.body))
        assert.isTrue(messages.every((m) => m.properties.deliveryMode === 2))
      })
    )
  })

  it.live("confirms 200 concurrent publishes", () => {
    const queue = freshQueue()
    const all = Array.from({ length: 200 }, (_, n) => delivery(queue, n))
    return withPublisher({ queues: [queue] }, (publisher) =>
      Effect.gen(function*() {
        yield* Effect.forEach(all, (d) => publisher.publish([d]), { concurrency: "unbounded", discard: true })
        const { messageCount } = yield* Effect.promise(() => channel.checkQueue(queue))
        assert.strictEqual(messageCount, 200)
      })
    )
  })

  it.live("declares a quorum queue when asked", () => {
    const queue = freshQueue()
    return withPublisher({ queues: [queue], queueType: "quorum" }, (publisher) =>
      Effect.gen(function*() {
        yield* publisher.publish([delivery(queue, 1)])
        assert.deepStrictEqual(yield* Effect.promise(() => queueInfo(queue)), { name: queue, durable: true, type: "quorum" })
      })
    )
  })

  it.live("refuses a queue it did not declare", () => {
    const queue = freshQueue()
    return withPublisher({ queues: [queue] }, (publisher) =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(publisher.publish([delivery(`${queue}-other`, 1)]))
        assert.strictEqual(error._tag, "PublishFailed")
        assert.include(error.message, "not among the declared queues")
      })
    )
  })

  it.live("stays up but not ready when a queue exists with other arguments", () => {
    const queue = freshQueue()
    return Effect.gen(function*() {
      yield* Effect.promise(() => channel.assertQueue(queue, { durable: true }))
      yield* withPublisher({ queues: [queue], queueType: "quorum" }, (publisher) =>
        Effect.gen(function*() {
          assert.isFalse(yield* publisher.isReady)
          const error = yield* Effect.flip(publisher.publish([delivery(queue, 1)]))
          assert.strictEqual(error.message, "broker not connected")
        })
      )
    })
  })

  it.live("fails fast, without hanging, when the broker is unreachable", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(freePort)
      const started = Date.now()
      yield* Effect.gen(function*() {
        const publisher = yield* Publisher
        assert.isFalse(yield* publisher.isReady)
        const error = yield* Effect.flip(publisher.publish([delivery("anything", 1)]))
        assert.strictEqual(error._tag, "PublishFailed")
        assert.strictEqual(error.message, "broker not connected")
      }).pipe(
        Effect.provide(
          AmqpPublisher.layer({ url: `amqp://guest:secret-pw@127.0.0.1:${port}`, queues: ["anything"], queueType: "classic" })
        )
      )
      assert.isBelow(Date.now() - started, 1000)
    }))

  it.live("fails when the connection drops, then recovers on its own", () => {
    const queue = freshQueue()
    return Effect.gen(function*() {
      const { forwarder, url } = yield* forwardedBroker
      yield* Effect.gen(function*() {
        const publisher = yield* Publisher
        yield* publisher.publish([delivery(queue, 1)])

        yield* Effect.promise(() => forwarder.cut())
        const error = yield* Effect.flip(publisher.publish([delivery(queue, 2)]).pipe(Effect.timeout("3 seconds")))
        assert.strictEqual(error._tag, "PublishFailed")
        assert.isFalse(yield* publisher.isReady)
        const whileDown = yield* Effect.flip(publisher.publish([delivery(queue, 2)]).pipe(Effect.timeout("1 second")))
        assert.strictEqual(whileDown.message, "broker not connected")

        yield* Effect.promise(() => forwarder.reopen())
        const third = delivery(queue, 3)
        yield* publisher.publish([third]).pipe(Effect.retry(Schedule.spaced("100 millis")), Effect.timeout("5 seconds"))
        assert.isTrue(yield* publisher.isReady)
        const ids = (yield* Effect.promise(() => drain(queue, 2))).map((m) => m.properties.messageId)
        assert.include(ids, third.messageId)
      }).pipe(Effect.provide(AmqpPublisher.layer({ url, queues: [queue], queueType: "classic" })))
    })
  })

  it.live("fails a publish the broker does not confirm in time", () => {
    const queue = freshQueue()
    return Effect.gen(function*() {
      const { forwarder, url } = yield* forwardedBroker
      yield* Effect.gen(function*() {
        const publisher = yield* Publisher
        forwarder.stall()
        const started = Date.now()
        const error = yield* Effect.flip(publisher.publish([delivery(queue, 1)]))
        assert.include(error.message, "did not confirm within 300 ms")
        assert.isBelow(Date.now() - started, 1500)
        yield* Effect.promise(() => forwarder.cut()) // so closing the layer need not wait for a mute broker
      }).pipe(Effect.provide(AmqpPublisher.layer({ url, queues: [queue], queueType: "classic", confirmTimeoutMs: 300 })))
    })
  })
})

// No broker needed: the shared confirm channel's bookkeeping, driven by fake emitters.
describe("confirm batches on the shared channel", () => {
  const fakeLink = () => {
    const sent: Array<{ readonly messageId: string; readonly confirm: (error: unknown) => void }> = []
    const state = { full: false }
    const channel = Object.assign(new EventEmitter(), {
      publish: (_e: string, _q: string, _c: Buffer, options: { messageId: string }, confirm: (error: unknown) => void) => {
        sent.push({ messageId: options.messageId, confirm })
        return !state.full
      },
      close: async () => {}
    })
    const connection = Object.assign(new EventEmitter(), { close: async () => {} })
    const link = makeLink(connection as unknown as ChannelModel, channel as unknown as ConfirmChannel, () => undefined)
    return { channel, connection, link, sent, state }
  }
  const deliveries = (prefix: string, n: number): ReadonlyArray<Delivery> =>
    Array.from({ length: n }, (_, i) => ({ queue: "q", messageId: `${prefix}${i}`, body: new Uint8Array([i]) }))
  const ids = (sent: ReadonlyArray<{ readonly messageId: string }>) => sent.map((s) => s.messageId)
  const tick = Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))

  it.live("holds every writer after a full buffer until 'drain', then confirms them all", () =>
    Effect.gen(function*() {
      const { channel, link, sent, state } = fakeLink()
      state.full = true
      const a = yield* Effect.forkChild(confirmBatch(link, deliveries("a", 4), 5000))
      const b = yield* Effect.forkChild(confirmBatch(link, deliveries("b", 1), 5000))
      yield* tick
      assert.deepStrictEqual(ids(sent), ["a0"])
      state.full = false
      channel.emit("drain")
      assert.deepStrictEqual(ids(sent), ["a0", "a1", "a2", "a3", "b0"])
      for (const s of sent) s.confirm(null)
      yield* Fiber.join(a)
      yield* Fiber.join(b)
      assert.strictEqual(link.inFlight, 0)
    }))

  it.live("fails the whole batch on a nack", () =>
    Effect.gen(function*() {
      const { link, sent } = fakeLink()
      const fiber = yield* Effect.forkChild(Effect.flip(confirmBatch(link, deliveries("a", 3), 5000)))
      yield* tick
      sent[0]!.confirm(null)
      sent[1]!.confirm(new Error("message nacked"))
      const error = yield* Fiber.join(fiber)
      assert.include(error.message, "a1")
      sent[2]!.confirm(null) // late confirms are ignored
      assert.strictEqual(link.inFlight, 0)
    }))

  it.live("fails pending batches when the link dies, whether sent or still waiting for 'drain'", () =>
    Effect.gen(function*() {
      const { channel, link, state } = fakeLink()
      state.full = true
      const sentOne = yield* Effect.forkChild(Effect.flip(confirmBatch(link, deliveries("a", 2), 5000)))
      const waiting = yield* Effect.forkChild(Effect.flip(confirmBatch(link, deliveries("b", 1), 5000)))
      yield* tick
      channel.emit("close")
      assert.include((yield* Fiber.join(sentOne)).message, "connection lost")
      assert.include((yield* Fiber.join(waiting)).message, "connection lost")
      assert.isFalse(link.isOpen())
      assert.strictEqual(link.inFlight, 0)
    }))

  it.live("fails when no confirm comes in time", () =>
    Effect.gen(function*() {
      const { link } = fakeLink()
      const error = yield* Effect.flip(confirmBatch(link, deliveries("a", 1), 50))
      assert.include(error.message, "did not confirm within 50 ms")
      assert.strictEqual(link.inFlight, 0)
    }))

  it.live("interruption detaches the batch: nothing more is sent and nothing fires later", () =>
    Effect.gen(function*() {
      const { channel, link, sent, state } = fakeLink()
      state.full = true
      const fiber = yield* Effect.forkChild(confirmBatch(link, deliveries("a", 3), 5000))
      yield* tick
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(link.inFlight, 0)
      state.full = false
      channel.emit("drain")
      assert.deepStrictEqual(ids(sent), ["a0"])
      sent[0]!.confirm(null)
      channel.emit("close")
    }))
})
