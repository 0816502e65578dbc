import { Clock, Effect, Layer, Ref } from "effect"
import { assessAttempt, emptyThrottle, recordFailure, recordSuccess } from "../domain/auth/auth-throttle.ts"
import { AuthAttempts } from "./ports/auth-attempts.ts"
import type { AuthAttemptsShape } from "./ports/auth-attempts.ts"

/** Keeps the AUTH attempts of this process in memory (one process, or the primary for all its workers); never fails. */
export const makeAuthAttempts = Effect.gen(function*() {
  const state = yield* Ref.make(emptyThrottle)
  return {
    assess: (ip) => Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.map(Ref.get(state), (s) => assessAttempt(s, ip, now))),
    recordFailure: (ip) => Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.update(state, (s) => recordFailure(s, ip, now))),
    recordSuccess: (ip) => Effect.flatMap(Clock.currentTimeMillis, (now) => Ref.update(state, (s) => recordSuccess(s, ip, now)))
  } satisfies AuthAttemptsShape
})

export const AuthAttemptsLayer = Layer.effect(AuthAttempts, Effect.map(makeAuthAttempts, AuthAttempts.of))
