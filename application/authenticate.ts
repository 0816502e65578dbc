import { Clock, Context, Effect, Layer, Ref } from "effect"
import { assessAttempt, emptyThrottle, recordFailure, recordSuccess } from "../domain/auth/auth-throttle.ts"
import type { ThrottleState } from "../domain/auth/auth-throttle.ts"
import { reply } from "../domain/session/reply.ts"
import type { Reply } from "../domain/session/reply.ts"
import { Authenticator } from "./ports/authenticator.ts"
import { Metrics } from "./ports/metrics.ts"
import type { Credentials } from "./ports/authenticator.ts"

/** Recent AUTH failures per client IP, shared by every session of the daemon. */
export class AuthAttempts extends Context.Service<AuthAttempts, Ref.Ref<ThrottleState>>()("smtp-intake/AuthAttempts") {
  static readonly layer = Layer.effect(AuthAttempts, Ref.make(emptyThrottle))
}

export type AuthOutcome =
  | { readonly _tag: "Accepted"; readonly user: string }
  | { readonly _tag: "Refused"; readonly reply: Reply }

const TOO_MANY = reply(454, "4.7.0", "Too many failed authentication attempts, try again later")
const UNAVAILABLE = reply(454, "4.7.0", "Temporary authentication failure, try again later")
const INVALID = reply(535, "5.7.8", "Authentication credentials invalid")

/**
 * Checks credentials with the configured backend, slowing down and then refusing an IP that keeps
 * failing. A backend that cannot answer is a temporary failure and not counted against the client.
 * The password is never logged.
 */
export const authenticate = Effect.fn("authenticate")(function*(clientIp: string, credentials: Credentials) {
  const attempts = yield* AuthAttempts
  const authenticator = yield* Authenticator
  const metrics = yield* Metrics
  const log = Effect.annotateLogs({ client: clientIp, user: credentials.username })
  const verdict = assessAttempt(yield* Ref.get(attempts), clientIp, yield* Clock.currentTimeMillis)
  if (verdict._tag === "Blocked") {
    yield* Effect.logWarning("authentication refused: too many failures from this IP").pipe(log)
    yield* metrics.authFailed("throttled")
    return { _tag: "Refused", reply: TOO_MANY } satisfies AuthOutcome
  }
  if (verdict.delayMs > 0) yield* Effect.sleep(verdict.delayMs)
  const result = yield* authenticator.verify(credentials).pipe(Effect.result)
  const now = yield* Clock.currentTimeMillis
  if (result._tag === "Failure") {
    yield* Effect.logWarning("authentication backend unavailable").pipe(log, Effect.annotateLogs({ reason: result.failure.message }))
    yield* metrics.authFailed("unavailable")
    return { _tag: "Refused", reply: UNAVAILABLE } satisfies AuthOutcome
  }
  if (result.success === "rejected") {
    yield* Ref.update(attempts, (state) => recordFailure(state, clientIp, now))
    yield* Effect.logInfo("authentication failed").pipe(log)
    yield* metrics.authFailed("rejected")
    return { _tag: "Refused", reply: INVALID } satisfies AuthOutcome
  }
  yield* Ref.update(attempts, (state) => recordSuccess(state, clientIp, now))
  return { _tag: "Accepted", user: credentials.username } satisfies AuthOutcome
})
