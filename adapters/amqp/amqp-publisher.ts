import { Deferred, Effect, Layer, Schema } from "effect"
import { promisify } from "node:util"
import { gzip } from "node:zlib"
import { Publisher, PublishFailed, PublishRefused } from "../../application/ports/publisher.ts"
import type { Delivery, PublisherCondition } from "../../application/ports/publisher.ts"
import type { QueueType } from "../../domain/config/settings.ts"
import { openLink } from "./amqp-link.ts"
import type { Link, OpenedLink } from "./amqp-link.ts"
import { parseBrokerCluster } from "./broker-address.ts"
import { maxMessageSize } from "./broker-limits.ts"
import type { BrokerAddress, BrokerCluster } from "./broker-address.ts"
import { confirmBatch } from "./confirm-batch.ts"
import type { PublishProperties } from "./confirm-batch.ts"
import { QueueMismatch } from "./queue-declaration.ts"
import type { Declarations } from "./queue-declaration.ts"

export interface AmqpPublisherOptions {
  /** one node, or a cluster's (`amqp://…@h1/v,amqp://…@h2/v`, `amqp://…@h1;h2/v`): tried in order, the next on loss */
  readonly url: string
  readonly queues: ReadonlyArray<string>
  readonly queueType: QueueType
  /** rabbitmq-durable, default true */
  readonly durable?: boolean
  /** rabbitmq-lazy, default false */
  readonly lazy?: boolean
  /** rabbitmq-maxpriority, default none */
  readonly maxPriority?: number | undefined
  /** rabbitmq-exchange, default the default exchange */
  readonly exchange?: string | undefined
  /** rabbitmq-declare, default true */
  readonly declare?: boolean
  /** rabbitmq-verify (amqps://), default true */
  readonly verify?: boolean
  /** rabbitmq-persistent, default true */
  readonly persistent?: boolean
  /** rabbitmq-encoding, default plain JSON */
  readonly encoding?: "gzip" | undefined
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
  /** why the last attempt to connect failed, or the link was lost (redacted): what the console shows while not connected */
  notConnected: string | undefined
}

const gzipped = promisify(gzip)

const declarationsOf = (options: AmqpPublisherOptions): Declarations => ({
  queues: options.queues,
  shape: { type: options.queueType, durable: options.durable ?? true, lazy: options.lazy ?? false, maxPriority: options.maxPriority },
  exchange: options.exchange,
  declare: options.declare ?? true
})

const make = (options: AmqpPublisherOptions) =>
  Effect.gen(function*() {
    const cluster = parseBrokerCluster(options.url)
    const address = cluster.all
    const confirmTimeoutMs = options.confirmTimeoutMs ?? 10_000
    const how: PublishProperties = {
      exchange: options.exchange ?? "",
      persistent: options.persistent ?? true,
      contentEncoding: options.encoding
    }
    if (!how.persistent) {
      yield* Effect.logWarning(
        "rabbitmq-persistent is false: messages are published transient, so a broker restart can lose a message already answered 250"
      )
    }
    const declared = new Set(options.queues)
    const state: State = { link: undefined, closing: false, notConnected: undefined }
    const firstAttempt = yield* Deferred.make<void, QueueMismatchAtStart>()

    // added before the supervisor is forked, so it runs after the supervisor is interrupted
    yield* Effect.addFinalizer(() => shutdown(state, address))
    yield* Effect.forkScoped(supervise(options, cluster, state, firstAttempt))
    // start-up is decided by the first attempt, or by the wait running out (a mismatch found after that is retried)
    yield* Effect.forkScoped(Effect.sleep(STARTUP_WAIT_MS).pipe(Effect.andThen(Deferred.succeed(firstAttempt, undefined))))
    yield* Deferred.await(firstAttempt)

    const failed = (message: string) => Effect.fail(new PublishFailed({ message: address.redact(message) }))

    /** rabbitmq-encoding: gzip: each document gzipped (off the event loop) before the size check and the publish */
    const publish = (deliveries: ReadonlyArray<Delivery>): Effect.Effect<void, PublishFailed | PublishRefused> =>
      how.contentEncoding === "gzip"
        ? Effect.promise(() => Promise.all(deliveries.map(async (d) => ({ ...d, body: await gzipped(d.body) })))).pipe(
          Effect.flatMap(publishEncoded)
        )
        : publishEncoded(deliveries)

    const publishEncoded = (deliveries: ReadonlyArray<Delivery>): Effect.Effect<void, PublishFailed | PublishRefused> =>
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
        return confirmBatch(link, deliveries, confirmTimeoutMs, how).pipe(
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
      const connected = link !== undefined && link.isOpen()
      return {
        kind: "rabbitmq",
        connected,
        notConnected: connected ? undefined : state.notConnected,
        blocked: link?.blockedReason(),
        missingQueues: link === undefined ? [] : [...link.missingQueues]
      }
    })

    return Publisher.of({ publish, isReady, condition })
  })

/**
 * Connects, and reconnects with exponential backoff for as long as the layer lives. The nodes of a
 * cluster are tried in order, from the first at start and from the one after the lost one on a
 * loss; when a whole round fails, the next waits the backoff.
 */
const supervise = (
  options: AmqpPublisherOptions,
  cluster: BrokerCluster,
  state: State,
  firstAttempt: Deferred.Deferred<void, QueueMismatchAtStart>
) =>
  Effect.gen(function*() {
    const context = yield* Effect.context<never>()
    const logFromCallback = (effect: Effect.Effect<void>) => void Effect.runForkWith(context)(effect)
    const { nodes } = cluster
    let delay = BACKOFF_START_MS
    let everConnected = false
    let first = 0
    for (;;) {
      let connected: { readonly link: Link; readonly index: number } | undefined
      for (let i = 0; i < nodes.length && connected === undefined; i++) {
        const index = (first + i) % nodes.length
        const address = nodes[index]!
        const attempt = yield* Effect.result(connectOnce(options, address, state))
        if (attempt._tag === "Success") {
          connected = { link: attempt.success.link, index }
          for (const note of attempt.success.notes) yield* Effect.logWarning(`RabbitMQ at ${address.display}: ${address.redact(note)}`)
          continue
        }
        const mismatch = attempt.failure instanceof QueueMismatch && options.failOnQueueMismatchAtStart === true
        if (mismatch && (yield* Deferred.fail(firstAttempt, mismatchAtStart(options, address, attempt.failure)))) return
        const last = i === nodes.length - 1
        state.notConnected = `${address.display}: ${address.redact(attempt.failure instanceof Error ? attempt.failure.message : String(attempt.failure))}`
        yield* logConnectFailure(address, attempt.failure, everConnected, last ? delay : undefined)
      }
      if (connected === undefined) {
        yield* Deferred.succeed(firstAttempt, undefined)
        yield* Effect.sleep(delay)
        delay = Math.min(delay * 2, BACKOFF_CAP_MS)
        continue
      }
      const { link, index } = connected
      const address = nodes[index]!
      everConnected = true
      state.notConnected = undefined
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
      state.notConnected = `${address.display}: connection lost: ${address.redact(reason)}`
      const then = nodes.length > 1 ? `trying ${nodes[(index + 1) % nodes.length]!.display} next` : "reconnecting"
      yield* Effect.logWarning(`lost connection to RabbitMQ at ${address.display}: ${address.redact(reason)}; ${then}`)
      yield* Effect.promise(() => link.dispose(DISPOSE_TIMEOUT_MS))
      first = (index + 1) % nodes.length
      yield* Effect.sleep(delay)
    }
  })

/** One connection attempt; the link is handed to `state` before anything can interrupt in between. */
const connectOnce = (options: AmqpPublisherOptions, address: BrokerAddress, state: State) =>
  Effect.callback<OpenedLink, unknown>((resume, signal) => {
    openLink({
      url: address.connectUrl,
      declarations: declarationsOf(options),
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      verify: options.verify ?? true
    }).then(
      (opened) => {
        if (signal.aborted || state.closing) return void opened.link.dispose(DISPOSE_TIMEOUT_MS)
        state.link = opened.link
        resume(Effect.succeed(opened))
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

/** `retryInMs`: undefined while other nodes of the cluster are still to be tried */
const logConnectFailure = (address: BrokerAddress, error: unknown, everConnected: boolean, retryInMs: number | undefined) => {
  const then = retryInMs === undefined ? "trying the next node" : `Retrying in ${retryInMs} ms`
  if (error instanceof QueueMismatch) {
    return Effect.logError(
      `RabbitMQ at ${address.display}: ${address.redact(error.message)}. ` +
        `Delete or fix the queue, or change the queue type; publishes fail with 451 until then. ${then}`
    )
  }
  const reason = address.redact(error instanceof Error ? error.message : String(error))
  const what = everConnected ? "cannot reconnect to" : "cannot reach"
  return Effect.logWarning(
    `${what} RabbitMQ at ${address.display}: ${reason}; publishes fail with 451 until it is back. ${then}`
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
