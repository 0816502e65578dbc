import { Context, Effect } from "effect"
import type { SessionCommand } from "../../domain/session/commands.ts"
import type { SessionEvent } from "../../domain/session/events.ts"

/** One step of a session: what it was told, when, and what the decider made of it. */
export interface JournalEntry {
  /** epoch milliseconds */
  readonly at: number
  readonly command: SessionCommand
  readonly events: ReadonlyArray<SessionEvent>
}

/**
 * A session's record, as the management API shows it: a transcript of commands, replies and
 * decisions. It holds the envelope (addresses) but never message content or credentials.
 */
export interface SessionJournal {
  readonly id: string
  /** the client's IP and port, as the JSON's connection reports them */
  readonly client: string
  readonly local: string
  readonly openedAt: number
  /** the steps kept: the first few and the latest, in order */
  readonly entries: ReadonlyArray<JournalEntry>
  /** steps left out in the middle of a very long session */
  readonly omitted: number
}

export interface JournalQuery {
  /** the client's IP */
  readonly client?: string | undefined
  /** a message id the session queued */
  readonly messageId?: string | undefined
  /** a sender or recipient address in the session (case-insensitive) */
  readonly address?: string | undefined
  /** a refusal in the session: of this reason (see `RefusalReason`), or of any with "any" */
  readonly refusal?: string | undefined
  /** at most this many, newest first */
  readonly limit?: number | undefined
}

export interface SessionJournalsShape {
  /** a session starts: its journal is kept (it goes on growing) among the most recent */
  keep(journal: () => SessionJournal): Effect.Effect<void>
  find(query: JournalQuery): Effect.Effect<ReadonlyArray<SessionJournal>>
}

const keepsNothing: SessionJournalsShape = {
  keep: () => Effect.void,
  find: () => Effect.succeed([])
}

/**
 * The journals of the most recent sessions, for an operator to read. A Reference, so that sessions
 * run where nobody reads them (unit tests, simulations) without wiring: it then keeps nothing.
 */
export const SessionJournals = Context.Reference<SessionJournalsShape>("smtp-intake/SessionJournals", {
  defaultValue: () => keepsNothing
})
