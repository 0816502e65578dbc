import { Effect } from "effect"
import type { AuthRefusal } from "../domain/session/commands.ts"
import { AuthAttempts } from "./ports/auth-attempts.ts"
import { Authenticator } from "./ports/authenticator.ts"
import { Metrics } from "./ports/metrics.ts"
import type { Credentials } from "./ports/authenticator.ts"

export type AuthOutcome =
  | { readonly _tag: "Accepted"; readonly user: string }
  /** the session's decider turns the reason into the reply (535 or 454) */
  | { readonly _tag: "Refused"; readonly reason: Extract<AuthRefusal, "rejected" | "throttled" | "unavailable"> }

/**
 * Checks credentials with the configured backend, slowing down and then refusing an IP that keeps
 * failing. A backend that cannot answer is a temporary failure and not counted against the client.
 * The throttle fails closed: when its store cannot answer (a cluster worker cut off from the
 * primary), the attempt gets 454 and the backend's verdict is not revealed, so no try goes uncounted.
 * The password is never logged.
 */
export const authenticate = Effect.fn("authenticate")(function*(clientIp: string, credentials: Credentials) {
  const attempts = yield* AuthAttempts
  const authenticator = yield* Authenticator
  const metrics = yield* Metrics
  const log = Effect.annotateLogs({ client: clientIp, user: credentials.username })
  const throttleDown = (reason: string) =>
    Effect.gen(function*() {
      yield* Effect.logWarning("authentication refused: the AUTH throttle cannot answer").pipe(log, Effect.annotateLogs({ reason }))
      yield* metrics.authFailed("unavailable")
      return { _tag: "Refused", reason: "unavailable" } satisfies AuthOutcome
    })

  const verdict = yield* attempts.assess(clientIp).pipe(Effect.result)
  if (verdict._tag === "Failure") return yield* throttleDown(verdict.failure.message)
  if (verdict.success._tag === "Blocked") {
    yield* Effect.logWarning("authentication refused: too many failures from this IP").pipe(log)
    yield* metrics.authFailed("throttled")
    return { _tag: "Refused", reason: "throttled" } satisfies AuthOutcome
  }
  if (verdict.success.delayMs > 0) yield* Effect.sleep(verdict.success.delayMs)
  const result = yield* authenticator.verify(credentials).pipe(Effect.result)
  if (result._tag === "Failure") {
    yield* Effect.logWarning("authentication backend unavailable").pipe(log, Effect.annotateLogs({ reason: result.failure.message }))
    yield* metrics.authFailed("unavailable")
    return { _tag: "Refused", reason: "unavailable" } satisfies AuthOutcome
  }
  if (result.success === "rejected") {
    const counted = yield* attempts.recordFailure(clientIp).pipe(Effect.result)
    if (counted._tag === "Failure") return yield* throttleDown(counted.failure.message)
    yield* Effect.logInfo("authentication failed").pipe(log)
    yield* metrics.authFailed("rejected")
    return { _tag: "Refused", reason: "rejected" } satisfies AuthOutcome
  }
  // The credentials are right: a success that cannot be recorded only leaves the IP's earlier failures standing.
  yield* attempts.recordSuccess(clientIp).pipe(
    Effect.catch((error) => Effect.logWarning("could not record a successful authentication").pipe(log, Effect.annotateLogs({ reason: error.message })))
  )
  return { _tag: "Accepted", user: credentials.username } satisfies AuthOutcome
})
