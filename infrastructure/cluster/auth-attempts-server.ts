import { Effect } from "effect"
import { AUTH_ATTEMPTS, authAttemptsRequest } from "../../adapters/cluster/auth-attempts-messages.ts"
import { answerRequests } from "../../adapters/cluster/ipc-requests.ts"
import type { MessageLink } from "../../adapters/cluster/message-link.ts"
import { makeAuthAttempts } from "../../application/auth-attempts-keeper.ts"

/**
 * The primary's side of the AUTH attempts (smtp-threads > 1): one store, in the primary's memory and
 * dated by its clock, answers every worker, so the throttle counts an IP's failures across workers.
 * A worker that dies takes nothing with it: its clients' failures stay counted.
 */
export const makeAuthAttemptsServer = Effect.gen(function*() {
  const attempts = yield* makeAuthAttempts
  /** Answers one worker's requests for as long as the calling scope lives. */
  const serve = (link: MessageLink) =>
    answerRequests(link, AUTH_ATTEMPTS, (message) => {
      const request = authAttemptsRequest(message)
      if (request === undefined) return undefined
      switch (request.op) {
        case "assess":
          return attempts.assess(request.ip)
        case "recordFailure":
          return attempts.recordFailure(request.ip).pipe(Effect.as(null))
        case "recordSuccess":
          return attempts.recordSuccess(request.ip).pipe(Effect.as(null))
      }
    })
  return { serve }
})
