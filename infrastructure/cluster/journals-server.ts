import { Effect, Option } from "effect"
import { answerRequests, makeRequester } from "../../adapters/cluster/ipc-requests.ts"
import type { Requester } from "../../adapters/cluster/ipc-requests.ts"
import { JOURNALS_COLLECT, JOURNALS_FIND, journalQuery } from "../../adapters/cluster/journal-messages.ts"
import type { MessageLink } from "../../adapters/cluster/message-link.ts"
import type { JournalQuery, SessionJournal } from "../../application/ports/session-journals.ts"

/** How long a search waits for each worker's journals: a stuck worker must not hang it. */
const COLLECT_TIMEOUT = "1500 millis"

/**
 * The primary's side of the session journals (smtp-threads > 1). An API request reaches one worker,
 * which asks the primary; the primary asks every worker for its matching journals and merges them,
 * newest first. The journals of a worker that died are gone with it.
 */
export const makeJournalsServer = Effect.gen(function*() {
  const members = new Map<string, Requester>()

  const find = (query: JournalQuery): Effect.Effect<ReadonlyArray<SessionJournal>> =>
    Effect.gen(function*() {
      const answers = yield* Effect.forEach([...members.values()], (member) =>
        member.request({ ...query }, COLLECT_TIMEOUT).pipe(
          // a worker answers with its own journals
          Effect.map((result) => result as ReadonlyArray<SessionJournal>),
          Effect.option
        ), { concurrency: "unbounded" })
      const all = answers.flatMap(Option.toArray).flat().sort((a, b) => b.openedAt - a.openedAt)
      return all.slice(0, query.limit ?? 100)
    })

  /** Takes part one worker in the journals for as long as the calling scope lives. */
  const serve = (worker: string, link: MessageLink) =>
    Effect.gen(function*() {
      members.set(worker, yield* makeRequester(link, JOURNALS_COLLECT))
      yield* answerRequests(link, JOURNALS_FIND, (message) => find(journalQuery(message)))
      yield* Effect.addFinalizer(() => Effect.sync(() => void members.delete(worker)))
    })

  return { serve }
})
