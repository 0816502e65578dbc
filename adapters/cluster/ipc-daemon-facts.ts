import { Effect, Layer } from "effect"
import { daemonFactsOf } from "../../application/console/daemon-facts.ts"
import { DaemonFacts, ProcessConsoleReader } from "../../application/ports/daemon-facts.ts"
import type { DaemonFactsReading } from "../../application/ports/daemon-facts.ts"
import { CONSOLE_COLLECT, CONSOLE_READ } from "./console-messages.ts"
import { answerRequests, makeRequester } from "./ipc-requests.ts"
import { primaryLink } from "./message-link.ts"
import type { MessageLink } from "./message-link.ts"

/** The primary waits a short while for each worker; this is for a primary that is gone or stuck. */
const READ_TIMEOUT = "5 seconds"

/**
 * A cluster worker's end of the console (smtp-threads > 1): the console this worker serves shows
 * what the primary gathered from every worker; the primary's requests for this worker's own part
 * are answered. Without an answer from the primary it shows its own part.
 */
export const makeIpcDaemonFacts = (link: MessageLink) =>
  Effect.gen(function*() {
    const own = yield* ProcessConsoleReader
    yield* answerRequests(link, CONSOLE_COLLECT, () => own.read)
    const { request } = yield* makeRequester(link, CONSOLE_READ)
    return DaemonFacts.of({
      read: request({}, READ_TIMEOUT).pipe(
        // the primary answers with the whole daemon's reading
        Effect.map((result) => result as DaemonFactsReading),
        Effect.catch((error) =>
          Effect.logWarning("console: no answer from the primary, showing this worker's own part").pipe(
            Effect.annotateLogs({ reason: error.message }),
            Effect.andThen(own.read),
            Effect.map((part) => daemonFactsOf([part], part.refusals.at))
          )
        )
      )
    })
  })

export const IpcDaemonFacts = (link: MessageLink = primaryLink) => Layer.effect(DaemonFacts, makeIpcDaemonFacts(link))
