import { Context, Effect } from "effect"

/** Why a connection was turned away before its session started. */
export type ConnectionRefusal = "range" | "protection" | "budget" | "proxy" | "early-talker"

/**
 * What became of a message whose DATA arrived: accepted (250, published), refused (5xx at the end
 * of DATA, e.g. too big) or tempfailed (451: the publish failed, the client retries).
 */
export type MessageOutcome = "accepted" | "refused" | "tempfailed"

/** rejected: wrong credentials (535); unavailable: the backend, or the throttle's store, could not answer (454); throttled: too many failures (454). */
export type AuthFailure = "rejected" | "unavailable" | "throttled"

export const CONNECTION_REFUSALS: ReadonlyArray<ConnectionRefusal> = ["range", "protection", "budget", "proxy", "early-talker"]
export const MESSAGE_OUTCOMES: ReadonlyArray<MessageOutcome> = ["accepted", "refused", "tempfailed"]
export const AUTH_FAILURES: ReadonlyArray<AuthFailure> = ["rejected", "unavailable", "throttled"]

/** Upper bounds (seconds) of the publish-duration histogram's buckets; +Inf is implied. */
export const PUBLISH_SECONDS_BUCKETS: ReadonlyArray<number> = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

export interface HistogramSnapshot {
  /** cumulative counts, one per bound of PUBLISH_SECONDS_BUCKETS */
  readonly buckets: ReadonlyArray<number>
  readonly count: number
  readonly sum: number
}

/** Everything recorded since start, as plain numbers. */
export interface MetricsSnapshot {
  readonly connectionsOpen: number
  readonly connectionsAccepted: number
  readonly connectionsRefused: Readonly<Record<ConnectionRefusal, number>>
  readonly messages: Readonly<Record<MessageOutcome, number>>
  readonly bytesReceived: number
  readonly publishSeconds: HistogramSnapshot
  /** the smtp-auth backend the failures are from ("none" without smtp-auth) */
  readonly authBackend: string
  readonly authFailures: Readonly<Record<AuthFailure, number>>
}

export interface MetricsShape {
  /** a session started (its 220 is on the way); it counts as open until `connectionClosed` */
  readonly connectionAccepted: Effect.Effect<void>
  readonly connectionClosed: Effect.Effect<void>
  connectionRefused(reason: ConnectionRefusal): Effect.Effect<void>
  /** the end of a DATA phase: what became of the message, and how many bytes the client sent */
  messageReceived(outcome: MessageOutcome, bytes: number): Effect.Effect<void>
  /** how long a publish took, until confirmed (or failed) */
  publishDuration(seconds: number): Effect.Effect<void>
  authFailed(reason: AuthFailure): Effect.Effect<void>
  readonly snapshot: Effect.Effect<MetricsSnapshot>
}

const zeroes = <K extends string>(keys: ReadonlyArray<K>) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>

export const emptySnapshot = (authBackend: string): MetricsSnapshot => ({
  connectionsOpen: 0,
  connectionsAccepted: 0,
  connectionsRefused: zeroes(CONNECTION_REFUSALS),
  messages: zeroes(MESSAGE_OUTCOMES),
  bytesReceived: 0,
  publishSeconds: { buckets: PUBLISH_SECONDS_BUCKETS.map(() => 0), count: 0, sum: 0 },
  authBackend,
  authFailures: zeroes(AUTH_FAILURES)
})

/** Records nothing: what the use cases get where no metrics are wired in (unit tests, simulations). */
const discard: MetricsShape = {
  connectionAccepted: Effect.void,
  connectionClosed: Effect.void,
  connectionRefused: () => Effect.void,
  messageReceived: () => Effect.void,
  publishDuration: () => Effect.void,
  authFailed: () => Effect.void,
  snapshot: Effect.succeed(emptySnapshot("none"))
}

/**
 * Counters and a histogram the use cases record into, for GET /metrics. A Reference, so that
 * recording needs no wiring where nobody reads the numbers: it then discards them.
 */
export const Metrics = Context.Reference<MetricsShape>("smtp-intake/Metrics", { defaultValue: () => discard })
