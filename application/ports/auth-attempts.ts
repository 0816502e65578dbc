import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { AttemptVerdict } from "../../domain/auth/auth-throttle.ts"

/** The store of attempts could not answer (a cluster worker whose primary is gone or stuck). */
export class AttemptsUnavailable extends Schema.TaggedError<AttemptsUnavailable>()("AttemptsUnavailable", {
  message: Schema.String
}) {}

/**
 * Recent AUTH failures per client IP, for the throttle (`domain/auth/auth-throttle.ts`), one store for
 * the whole daemon: in one process it is kept in memory; with smtp-threads > 1 the workers ask the
 * primary, which keeps it, so that an IP's failures count together whichever worker they reach. The
 * store dates each attempt by its own clock.
 */
export interface AuthAttemptsShape {
  /** what an attempt from `ip` gets now: an answer after a delay, or a refusal */
  assess(ip: string): Effect.Effect<AttemptVerdict, AttemptsUnavailable>
  recordFailure(ip: string): Effect.Effect<void, AttemptsUnavailable>
  /** a success forgives the IP */
  recordSuccess(ip: string): Effect.Effect<void, AttemptsUnavailable>
}

export class AuthAttempts extends Context.Service<AuthAttempts, AuthAttemptsShape>()("smtp-intake/AuthAttempts") {}
