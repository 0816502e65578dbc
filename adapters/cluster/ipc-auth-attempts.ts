import { Effect, Layer } from "effect"
import type { Duration } from "effect"
import { AttemptsUnavailable, AuthAttempts } from "../../application/ports/auth-attempts.ts"
import { AUTH_ATTEMPTS } from "./auth-attempts-messages.ts"
import type { AuthAttemptsOp, AuthAttemptsResults } from "./auth-attempts-messages.ts"
import { makeRequester } from "./ipc-requests.ts"
import { primaryLink } from "./message-link.ts"
import type { MessageLink } from "./message-link.ts"

/** The primary answers at once; this is for a primary that is gone or stuck. */
const ANSWER_TIMEOUT = "5 seconds"

/**
 * The AUTH attempts of a cluster worker (smtp-threads > 1): the primary keeps them for all workers, so
 * an IP's failures count together whichever worker its connections reach. Without an answer in
 * time every operation fails, and `authenticate` then refuses the attempt (fails closed).
 */
export const makeIpcAuthAttempts = (link: MessageLink, timeout: Duration.Input = ANSWER_TIMEOUT) =>
  Effect.gen(function*() {
    const { request } = yield* makeRequester(link, AUTH_ATTEMPTS)
    const ask = <Op extends AuthAttemptsOp>(op: Op, ip: string) =>
      request({ op, ip }, timeout).pipe(
        // the primary answers a request with the result of the op it names
        Effect.map((result) => result as AuthAttemptsResults[Op]),
        Effect.mapError((error) => new AttemptsUnavailable({ message: `the primary: ${error.message}` }))
      )
    return AuthAttempts.of({
      assess: (ip) => ask("assess", ip),
      recordFailure: (ip) => Effect.asVoid(ask("recordFailure", ip)),
      recordSuccess: (ip) => Effect.asVoid(ask("recordSuccess", ip))
    })
  })

export const IpcAuthAttempts = (link: MessageLink = primaryLink) => Layer.effect(AuthAttempts, makeIpcAuthAttempts(link))
