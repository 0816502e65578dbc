import { assert, beforeAll, describe, it } from "@effect/vitest"
import { connect } from "amqplib"
import type { ChannelModel } from "amqplib"
import type { Socket } from "node:net"
import { batchFrameWrites } from "../../adapters/amqp/batched-frame-writes.ts"
import { BROKER_URL, deleteQueues, queueDepth, uniqueQueue } from "../support/rabbit.ts"
import { rabbitAvailable } from "../support/services.ts"

const brokerReady = await rabbitAvailable()

const socketOf = (model: ChannelModel) => (model as unknown as { connection: { stream: Socket } }).connection.stream

/** How many times the socket goes to the kernel while `publishes` 10 KB messages are published in one turn. */
const socketWritesFor = async (batched: boolean, publishes: number) => {
  const model = await connect(BROKER_URL, { noDelay: true })
  const queue = uniqueQueue("batched-writes")
  try {
    if (batched) batchFrameWrites(model)
    const channel = await model.createConfirmChannel()
    await channel.assertQueue(queue, { durable: true })
    const socket = socketOf(model)
    let writes = 0
    const write = socket._write.bind(socket)
    const writev = socket._writev?.bind(socket)
    socket._write = (...args) => (writes++, write(...args))
    if (writev !== undefined) socket._writev = (...args) => (writes++, writev(...args))
    const body = Buffer.alloc(10_240, "x")
    for (let i = 0; i < publishes; i++) channel.sendToQueue(queue, body, { persistent: true })
    await channel.waitForConfirms()
    return { writes, depth: await queueDepth(queue) }
  } finally {
    await model.close()
    await deleteQueues(queue)
  }
}

describe.runIf(brokerReady)("amqplib's frame writes, batched", () => {
  let before: { writes: number; depth: number }
  let after: { writes: number; depth: number }
  beforeAll(async () => {
    before = await socketWritesFor(false, 5)
    after = await socketWritesFor(true, 5)
  })

  it("five publishes of one turn leave in one socket write instead of one per frame, and all arrive", () => {
    assert.isAtLeast(before.writes, 5, "amqplib as it comes writes each publish's frames apart")
    assert.strictEqual(after.writes, 1)
    assert.strictEqual(after.depth, 5)
    assert.strictEqual(before.depth, 5)
  })
})
