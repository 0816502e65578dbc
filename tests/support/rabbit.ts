import amqp from "amqplib"
import { randomBytes } from "node:crypto"
import { gunzipSync } from "node:zlib"

export const BROKER_URL = "amqp://guest:guest@127.0.0.1:5672/"

export const uniqueQueue = (purpose: string) => `smtp-intake-test-${purpose}-${randomBytes(4).toString("hex")}`

export interface ConsumedMessage {
  readonly json: Record<string, unknown>
  readonly raw: Buffer
  readonly properties: amqp.MessageProperties
}

/** Reads up to `count` messages from a queue, waiting at most `timeoutMs` for them; acks what it takes. */
export const takeMessages = async (queue: string, count: number, timeoutMs = 10_000): Promise<Array<ConsumedMessage>> => {
  const connection = await amqp.connect(BROKER_URL)
  try {
    const channel = await connection.createChannel()
    const taken: Array<ConsumedMessage> = []
    const deadline = Date.now() + timeoutMs
    while (taken.length < count && Date.now() < deadline) {
      const message = await channel.get(queue, { noAck: true }).catch(() => false as const)
      if (message === false) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        continue
      }
      // rabbitmq-encoding: gzip publishes gzipped JSON, saying so in content-encoding
      const json = message.properties.contentEncoding === "gzip" ? gunzipSync(message.content) : message.content
      taken.push({ json: JSON.parse(json.toString("utf8")), raw: message.content, properties: message.properties })
    }
    return taken
  } finally {
    await connection.close()
  }
}

export const queueDepth = async (queue: string): Promise<number> => {
  const connection = await amqp.connect(BROKER_URL)
  try {
    const channel = await connection.createChannel()
    return (await channel.checkQueue(queue)).messageCount
  } finally {
    await connection.close()
  }
}

/** `f` with a channel of the machine's broker, closed after (a failed declaration closes it early: that is fine) */
export const withBrokerChannel = async <A>(f: (channel: amqp.Channel) => Promise<A>): Promise<A> => {
  const connection = await amqp.connect(BROKER_URL)
  try {
    const channel = await connection.createChannel()
    channel.on("error", () => {})
    return await f(channel)
  } finally {
    await connection.close().catch(() => {})
  }
}

export const deleteQueues = async (...queues: ReadonlyArray<string>): Promise<void> => {
  const connection = await amqp.connect(BROKER_URL)
  try {
    const channel = await connection.createChannel()
    for (const queue of queues) await channel.deleteQueue(queue)
  } finally {
    await connection.close()
  }
}
