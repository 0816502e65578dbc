import { randomBytes } from "node:crypto"
import amqp from "amqplib"

export const BROKER_URL = process.env["BENCH_RABBITMQ"] ?? "amqp://guest:guest@127.0.0.1:5672/"

/** A durable queue of its own for one bench run; the daemon declares it, `remove` deletes it. */
export const benchQueue = () => {
  const name = `smtp-intake-bench-${process.pid}-${randomBytes(4).toString("hex")}`
  const withChannel = async <A>(f: (channel: amqp.Channel) => Promise<A>): Promise<A> => {
    const connection = await amqp.connect(BROKER_URL)
    // a queue that is not there closes the channel: the promise says so, the connection need not crash the bench
    connection.on("error", () => {})
    try {
      return await f(await connection.createChannel())
    } finally {
      await connection.close()
    }
  }
  return {
    name,
    /** how many messages the queue holds */
    depth: () => withChannel(async (channel) => (await channel.checkQueue(name)).messageCount),
    /** empties it, so that the broker does not carry every run's messages into the next */
    purge: () => withChannel((channel) => channel.purgeQueue(name).then(() => undefined)),
    remove: () => withChannel((channel) => channel.deleteQueue(name).then(() => undefined))
  }
}

export type BenchQueue = ReturnType<typeof benchQueue>

export const brokerReachable = async (): Promise<boolean> => {
  try {
    const connection = await amqp.connect(BROKER_URL)
    await connection.close()
    return true
  } catch {
    return false
  }
}
