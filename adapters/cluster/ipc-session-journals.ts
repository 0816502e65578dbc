import { Effect, Layer } from "effect"
import { SessionJournals } from "../../application/ports/session-journals.ts"
import type { SessionJournal } from "../../application/ports/session-journals.ts"
import { DEFAULT_JOURNALED_SESSIONS, makeJournalRing } from "../../application/session-journals-keeper.ts"
import { answerRequests, makeRequester } from "./ipc-requests.ts"
import { JOURNALS_COLLECT, JOURNALS_FIND, journalQuery } from "./journal-messages.ts"
import { primaryLink } from "./message-link.ts"
import type { MessageLink } from "./message-link.ts"

/** The primary waits a short while for each worker; this is for a primary that is gone or stuck. */
const FIND_TIMEOUT = "5 seconds"

/**
 * A cluster worker's session journals (smtp-threads > 1): it keeps its own sessions' journals, gives
 * them to the primary when asked, and answers an API request with every worker's, gathered by the
 * primary. Without an answer from the primary it answers with its own.
 */
export const makeIpcSessionJournals = (link: MessageLink, capacity = DEFAULT_JOURNALED_SESSIONS) =>
  Effect.gen(function*() {
    const own = makeJournalRing(capacity)
    yield* answerRequests(link, JOURNALS_COLLECT, (message) => own.find(journalQuery(message)))
    const { request } = yield* makeRequester(link, JOURNALS_FIND)
    return SessionJournals.of({
      keep: own.keep,
      find: (query) =>
        request({ ...query }, FIND_TIMEOUT).pipe(
          // the primary answers with every worker's journals, newest first
          Effect.map((result) => result as ReadonlyArray<SessionJournal>),
          Effect.catch((error) =>
            Effect.logWarning("session journals: no answer from the primary, showing this worker's own").pipe(
              Effect.annotateLogs({ reason: error.message }),
              Effect.andThen(own.find(query))
            )
          )
        )
    })
  })

export const IpcSessionJournals = (link: MessageLink = primaryLink) => Layer.effect(SessionJournals, makeIpcSessionJournals(link))
