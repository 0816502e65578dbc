import type { ChannelModel } from "amqplib"
import type { QueueType } from "../../domain/config/settings.ts"

/** A queue exists on the broker with arguments other than the ones we declare. */
export class QueueMismatch extends Error {
  readonly queue: string
  readonly detail: string
  constructor(queue: string, detail: string) {
    super(`queue "${queue}" already exists with different arguments: ${detail}`)
    this.name = "QueueMismatch"
    this.queue = queue
    this.detail = detail
  }
}

const PRECONDITION_FAILED = 406

/**
 * Declares every queue durable (quorum when asked). Uses a throw-away channel, because a
 * failed declaration makes the broker close the channel it was made on.
 */
export const declareQueues = async (
  connection: ChannelModel,
  queues: ReadonlyArray<string>,
  queueType: QueueType
): Promise<void> => {
  const channel = await connection.createChannel()
  channel.on("error", () => {}) // the failure also rejects assertQueue, which is where it is handled
  const args = queueType === "quorum" ? { "x-queue-type": "quorum" } : {}
  for (const queue of new Set(queues)) {
    try {
      await channel.assertQueue(queue, { durable: true, arguments: args })
    } catch (error) {
      if (isPreconditionFailed(error)) throw new QueueMismatch(queue, serverText(error))
      throw error
    }
  }
  await channel.close()
}

const isPreconditionFailed = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error && error.code === PRECONDITION_FAILED

/** amqplib wraps the broker's reply text; keep only the broker's part */
const serverText = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error)
  const quoted = /with message "(.*)"$/s.exec(message)
  return quoted?.[1] ?? message
}
