import type { Channel, ChannelModel } from "amqplib"
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

/** How the queues are declared (rabbitmq-queue-type, -durable, -lazy, -maxpriority). */
export interface QueueShape {
  readonly type: QueueType
  readonly durable: boolean
  readonly lazy: boolean
  readonly maxPriority: number | undefined
}

export interface Declarations {
  readonly queues: ReadonlyArray<string>
  readonly shape: QueueShape
  /** rabbitmq-exchange: declared (direct) and each queue bound to it under its own name; undefined: the default exchange */
  readonly exchange: string | undefined
  /** rabbitmq-declare: false declares nothing, and only checks that the exchange and the queues exist */
  readonly declare: boolean
}

export const CLASSIC_DURABLE: QueueShape = { type: "classic", durable: true, lazy: false, maxPriority: undefined }

const PRECONDITION_FAILED = 406
const NOT_FOUND = 404

/**
 * Arguments in which a queue MailerQ (or an operator) declared may differ from ours and still be
 * used as it is: a priority queue, or a lazy one, takes our messages all the same.
 */
const TOLERATED_ARGUMENTS = ["x-max-priority", "x-queue-mode"]

export const queueArguments = (shape: QueueShape): Record<string, unknown> =>
  shape.type === "quorum"
    ? { "x-queue-type": "quorum" }
    : {
      ...(shape.lazy ? { "x-queue-mode": "lazy" } : {}),
      ...(shape.maxPriority === undefined ? {} : { "x-max-priority": shape.maxPriority })
    }

/**
 * Declares the exchange and every queue (or only checks them, without rabbitmq-declare), on
 * throw-away channels: a failed declaration makes the broker close the channel it was made on.
 * Resolves with a note for each queue that exists with other tolerated arguments and is used as it is.
 */
export const declareQueues = async (connection: ChannelModel, declarations: Declarations): Promise<ReadonlyArray<string>> => {
  const notes: Array<string> = []
  let channel = await openChannel(connection)
  const { exchange, shape, declare } = declarations
  try {
    if (exchange !== undefined) {
      if (declare) await channel.assertExchange(exchange, "direct", { durable: shape.durable })
      else await missingIsClear(() => channel.checkExchange(exchange), `exchange "${exchange}"`)
    }
    for (const queue of new Set(declarations.queues)) {
      if (!declare) {
        await missingIsClear(() => channel.checkQueue(queue), `queue "${queue}"`)
        continue
      }
      try {
        await channel.assertQueue(queue, { durable: shape.type === "quorum" || shape.durable, arguments: queueArguments(shape) })
      } catch (error) {
        if (!isPreconditionFailed(error)) throw error
        const detail = serverText(error)
        if (!TOLERATED_ARGUMENTS.includes(inequivalentArgument(detail) ?? "")) throw new QueueMismatch(queue, detail)
        channel = await openChannel(connection)
        await channel.checkQueue(queue)
        notes.push(`queue "${queue}" exists with other arguments (${detail}); used as it is`)
      }
      if (exchange !== undefined) await channel.bindQueue(queue, exchange, queue)
    }
  } finally {
    await channel.close().catch(() => {})
  }
  return notes
}

const openChannel = async (connection: ChannelModel): Promise<Channel> => {
  const channel = await connection.createChannel()
  channel.on("error", () => {}) // the failure also rejects the operation, which is where it is handled
  return channel
}

const missingIsClear = async (check: () => Promise<unknown>, what: string): Promise<void> => {
  try {
    await check()
  } catch (error) {
    if (errorCode(error) !== NOT_FOUND) throw error
    throw new Error(`${what} does not exist and rabbitmq-declare is false: declare it, or set rabbitmq-declare: true`)
  }
}

const errorCode = (error: unknown): unknown =>
  typeof error === "object" && error !== null && "code" in error ? error.code : undefined

const isPreconditionFailed = (error: unknown): boolean => errorCode(error) === PRECONDITION_FAILED

/** "inequivalent arg 'x-max-priority' for queue 'inbox' in vhost '/': ..." -> "x-max-priority" */
const inequivalentArgument = (detail: string): string | undefined => /inequivalent arg '([^']+)'/.exec(detail)?.[1]

/** amqplib wraps the broker's reply text; keep only the broker's part */
const serverText = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error)
  const quoted = /with message "(.*)"$/s.exec(message)
  return quoted?.[1] ?? message
}
