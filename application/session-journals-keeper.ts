import { Effect, Layer } from "effect"
import { refusalOf } from "../domain/console/refusal-reason.ts"
import { SessionJournals } from "./ports/session-journals.ts"
import type { JournalQuery, SessionJournal } from "./ports/session-journals.ts"

/** How many sessions' journals are kept when the config does not say. */
export const DEFAULT_JOURNALED_SESSIONS = 1_000

const refused = (journal: SessionJournal, refusal: string): boolean =>
  journal.entries.some(({ events }) =>
    events.some((event) => {
      const reason = refusalOf(event)
      return reason !== undefined && (refusal === "any" || reason === refusal)
    })
  )

const mentions = (journal: SessionJournal, query: JournalQuery): boolean => {
  if (query.client !== undefined && !journal.client.startsWith(`${query.client}:`) && journal.client !== query.client) return false
  if (query.refusal !== undefined && !refused(journal, query.refusal)) return false
  if (query.messageId === undefined && query.address === undefined) return true
  const address = query.address?.toLowerCase()
  return journal.entries.some(({ events }) =>
    events.some((event) => {
      if (query.messageId !== undefined && event._tag === "MessageQueued" && event.messageIds.includes(query.messageId)) return true
      if (address === undefined) return false
      return (event._tag === "SenderAccepted" || event._tag === "RecipientAccepted") && event.address.toLowerCase() === address
    })
  )
}

/**
 * The journals of the last `capacity` sessions, in a ring: memory is bounded by the number of
 * sessions and, per session, by what a journal keeps of a long session.
 */
export const makeJournalRing = (capacity: number) => {
  const ring: Array<(() => SessionJournal) | undefined> = new Array(Math.max(1, capacity))
  let next = 0
  return SessionJournals.of({
    keep: (journal) =>
      Effect.sync(() => {
        ring[next] = journal
        next = (next + 1) % ring.length
      }),
    find: (query) =>
      Effect.sync(() => {
        const found: Array<SessionJournal> = []
        const limit = query.limit ?? 100
        for (let i = 1; i <= ring.length && found.length < limit; i++) {
          const journal = ring[(next - i + ring.length) % ring.length]?.()
          if (journal !== undefined && mentions(journal, query)) found.push(journal)
        }
        return found
      })
  })
}

export const SessionJournalsLayer = (capacity = DEFAULT_JOURNALED_SESSIONS) => Layer.succeed(SessionJournals, makeJournalRing(capacity))
