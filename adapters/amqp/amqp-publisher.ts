import { Deferred, Effect, Layer, Schema } from "effect"
import { Publisher, PublishFailed, PublishRefused } from "../../application/ports/publisher.ts"
import type { Delivery, PublisherCondition } from "../../application/ports/publisher.ts"
import type { QueueType } from "../../domain/config/settings.ts"
import { openLink } from "./amqp-link.ts"
import type { Link } from "./amqp-link.ts"
import { parseBrokerAddress } from "./broker-address.ts"
import { maxMessageSize } from "./broker-limits.ts"
import type { BrokerAddress } from "./broker-address.ts"
import { confirmBatch } from "./confirm-batch.ts"
import { QueueMismatch } from "./queue-declaration.ts"

export interface AmqpPublisherOptions {
  readonly url: string
  readonly queues: ReadonlyArray<string>
  readonly queueType: QueueType
  /** rabbitmq-max-message-size; undefined: the default of the broker's version */
  readonly maxMessageSize?: number | undefined
  /** how long to wait for the broker's confirm of a publish; default 10 000 */
  readonly confirmTimeoutMs?: number
  /**
   * If the first connection attempt at start finds a queue declared with other arguments,
   * fail the layer with `QueueMismatchAtStart` (the daemon exits 1) instead of serving 451s
   * and retrying; a mismatch found later (a reconnect) is always retried. Default false.
   */
  readonly failOnQueueMismatchAtStart?: boolean
}

/** A queue exists with other arguments (e.g. classic vs quorum), found when the layer starts. */
export class QueueMismatchAtStart extends Schema.TaggedError<QueueMismatchAtStart>()("QueueMismatchAtStart", {
  message: Schema.String
}) {}

const BACKOFF_START_MS = 100
const BACKOFF_CAP_MS = 5_000
const CONNECT_TIMEOUT_MS = 5_000
/** at start, give the first connection attempt this long before serving (with 451s if it is not done) */
const STARTUP_WAIT_MS = 3_000
/** on close, how long outstanding confirms may take before the connection is closed under them */
const DRAIN_ON_CLOSE_MS = 2_000
const DISPOSE_TIMEOUT_MS = 2_000

interface State {
  link: Link | undefined
  closing: boolean
}

const make = (options: AmqpPublisherOptions) =>
  Effect.gen(function*() {
    const address = parseBrokerAddress(options.url)
    const confirmTimeoutMs = options.confirmTimeoutMs ?? 10_000
    const declared = new Set(options.queues)
    const state: State = { link: undefined, closing: false }
    const firstAttempt = yield* Deferred.make<void, QueueMismatchAtStart>()

    // added before the supervisor is forked, so it runs after the supervisor is interrupted
    yield* Effect.addFinalizer(() => shutdown(state, address))
    yield* Effect.forkScoped(supervise(options, address, state, firstAttempt))
    // start-up is decided by the first attempt, or by the wait running out (a mismatch found after that is retried)
    yield* Effect.forkScoped(Effect.sleep(STARTUP_WAIT_MS).pipe(Effect.andThen(Deferred.succeed(firstAttempt, undefined))))
    yield* Deferred.await(firstAttempt)

    const failed = (message: string) => Effect.fail(new PublishFailed({ message: address.redact(message) }))

    const publish = (deliveries: ReadonlyArray<Delivery>): Effect.Effect<void, PublishFailed | PublishRefused> =>
      Effect.suspend((): Effect.Effect<void, PublishFailed | PublishRefused> => {
        const link = state.link
        if (link === undefined || !link.isOpen()) return failed("broker not connected")
        const blocked = link.blockedReason()
        if (blocked !== undefined) return failed(`broker is blocking publishers: ${blocked}`)
        const limit = maxMessageSize(options.maxMessageSize, link.serverVersion)
        const largest = deliveries.reduce((max, d) => Math.max(max, d.body.byteLength), 0)
        // checked here, so that the broker never closes the channel every session shares over one message
        if (largest > limit) {
          return Effect.fail(new PublishRefused({ message: `document of ${largest} bytes over the broker's limit of ${limit}`, size: largest, limit }))
        }
        const stray = deliveries.find((d) => !declared.has(d.queue))
        // only declared queues are known to be durable
        if (stray !== undefined) return failed(`queue "${stray.queue}" is not among the declared queues`)
        return confirmBatch(link, deliveries, confirmTimeoutMs).pipe(
          Effect.mapError((error) => new PublishFailed({ message: address.redact(error.message) })),
          Effect.tapError(() => link.missingQueues.size > 0 ? redeclare(link) : Effect.void)
        )
      })

    /**
     * A queue deleted under us (`rabbitmqctl delete_queue`) makes every publish to it come back
     * unroutable: the publish that finds it gets 451, and the queues are declared again, so the
     * next one goes through. One declaration at a time; until it succeeds the publisher is not ready.
     */
    let redeclaring = false
    const redeclare = (link: Link) =>
      Effect.suspend(() => {
        if (redeclaring) return Effect.void
        redeclaring = true
        const missing = [...link.missingQueues].join(", ")
        return Effect.tryPromise(() => link.redeclare()).pipe(
          Effect.tap(() => Effect.sync(() => link.missingQueues.clear())),
          Effect.tap(() => Effect.logWarning(`RabbitMQ at ${address.display}: queue ${missing} was gone; declared it again`)),
          Effect.catch((error) =>
            Effect.logError(`RabbitMQ at ${address.display}: queue ${missing} is gone and cannot be declared again: ${address.redact(String(error.cause ?? error))}`)
          ),
          Effect.ensuring(Effect.sync(() => void (redeclaring = false)))
        )
      })

    const isReady = Effect.sync(() => {
      const link = state.link
      return link !== undefined && link.isOpen() && link.blockedReason() === undefined && link.missingQueues.size === 0
    })

    const condition = Effect.sync((): PublisherCondition => {
      const link = state.link
      return {
        kind: "rabbitmq",
        connected: link !== undefined && link.isOpen(),
        blocked: link?.blockedReason(),
        missingQueues: link === undefined ? [] : [...link.missingQueues]
      }
    })

    return Publisher.of({ publish, isReady, condition })
  })

/** Connects, and reconnects with exponential backoff for as long as the layer lives. */
const supervise = (
  options: AmqpPublisherOptions,
  address: BrokerAddress,
  state: State,
  firstAttempt: Deferred.Deferred<void, QueueMismatchAtStart>
) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const logFromCallback = (effect: Effect.Effect<void>) => void Effect.runForkWith(context)(effect)
    let delay = BACKOFF_START_MS
    let everConnected = false
    for (;;) {
      const attempt = yield* Effect.result(connectOnce(options, address, state))
      if (attempt._tag === "Failure") {
        const mismatch = attempt.failure instanceof QueueMismatch && options.failOnQueueMismatchAtStart === true
        if (mismatch && (yield* Deferred.fail(firstAttempt, mismatchAtStart(options, address, attempt.failure)))) return
        yield* logConnectFailure(address, attempt.failure, everConnected, delay)
        yield* Deferred.succeed(firstAttempt, undefined)
        yield* Effect.sleep(delay)
        delay = Math.min(delay * 2, BACKOFF_CAP_MS)
        continue
      }
      const link = attempt.success
      everConnected = true
      delay = BACKOFF_START_MS
      yield* Effect.logInfo(`connected to RabbitMQ at ${address.display}`)
      yield* Deferred.succeed(firstAttempt, undefined)
      const stopWatchingBlocks = link.onBlockedChange((reason) =>
        logFromCallback(
          reason === undefined
            ? Effect.logInfo(`RabbitMQ at ${address.display} accepts publishes again`)
            : Effect.logWarning(`RabbitMQ at ${address.display} blocks publishers: ${reason}`)
        )
      )
      const stopWatchingChannels = link.onChannelReplaced((why) =>
        logFromCallback(Effect.logWarning(
          `RabbitMQ at ${address.display} closed a channel: ${address.redact(why)}; the publishes on it got 451, the others go on (a new channel is open)`
        ))
      )
      const reason = yield* untilClosed(link).pipe(Effect.ensuring(Effect.sync(() => {
        stopWatchingBlocks()
        stopWatchingChannels()
      })))
      if (state.link === link) state.link = undefined
      yield* Effect.logWarning(
        `lost connection to RabbitMQ at ${address.display}: ${address.redact(reason)}; reconnecting`
      )
      yield* Effect.promise(() => link.dispose(DISPOSE_TIMEOUT_MS))
      yield* Effect.sleep(delay)
    }
  })

/** One connection attempt; the link is handed to `state` before anything can interrupt in between. */
const connectOnce = (options: AmqpPublisherOptions, address: BrokerAddress, state: State) =>
  Effect.callback<Link, unknown>((resume, signal) => {
    openLink({
      url: address.connectUrl,
      queues: options.queues,
      queueType: options.queueType,
      connectTimeoutMs: CONNECT_TIMEOUT_MS
    }).then(
      (link) => {
        if (signal.aborted || state.closing) return void link.dispose(DISPOSE_TIMEOUT_MS)
        state.link = link
        resume(Effect.succeed(link))
      },
      (error: unknown) => resume(Effect.fail(error))
    )
  })

const untilClosed = (link: Link) =>
  Effect.callback<string>((resume) => {
    const cancel = link.onClose((reason) => resume(Effect.succeed(reason)))
    return Effect.sync(cancel)
  })

const mismatchAtStart = (options: AmqpPublisherOptions, address: BrokerAddress, error: QueueMismatch) =>
  new QueueMismatchAtStart({
    message: `RabbitMQ at ${address.display}: ${address.redact(error.message)}. smtp-intake declares it durable as a ` +
      `${options.queueType} queue (rabbitmq-queue-type: ${options.queueType}); either set rabbitmq-queue-type to the ` +
      `type the queue has, or move its messages elsewhere and delete it (rabbitmqctl delete_queue ${error.queue}) ` +
      `so that smtp-intake declares it anew`
  })

const logConnectFailure = (address: BrokerAddress, error: unknown, everConnected: boolean, retryInMs: number) => {
  if (error instanceof QueueMismatch) {
    return Effect.logError(
      `RabbitMQ at ${address.display}: ${address.redact(error.message)}. ` +
        `Delete or fix the queue, or change the queue type; publishes fail with 451 until then. Retrying in ${retryInMs} ms`
    )
  }
  const reason = address.redact(error instanceof Error ? error.message : String(error))
  const what = everConnected ? "cannot reconnect to" : "cannot reach"
  return Effect.logWarning(
    `${what} RabbitMQ at ${address.display}: ${reason}; publishes fail with 451 until it is back. Retrying in ${retryInMs} ms`
  )
}

const shutdown = (state: State, address: BrokerAddress) =>
  Effect.gen(function*() {
    state.closing = true
    const link = state.link
    state.link = undefined
    if (link === undefined) return
    yield* Effect.promise(async () => {
      await waitUntil(() => link.inFlight === 0 || !link.isOpen(), DRAIN_ON_CLOSE_MS)
      await link.dispose(DISPOSE_TIMEOUT_MS)
    })
    yield* Effect.logInfo(`closed connection to RabbitMQ at ${address.display}`)
  })

const waitUntil = async (done: () => boolean, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10))
}

export const AmqpPublisher = {
  layer: (options: AmqpPublisherOptions): Layer.Layer<Publisher, QueueMismatchAtStart> =>
    Layer.effect(Publisher, make(options))
} as const
