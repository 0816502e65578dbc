import type { ConnectionInfo } from "../../domain/session/connection.ts"
import type { JournalEntry, SessionJournal } from "../ports/session-journals.ts"

/** The first steps of a session are kept whole (how it began), then the latest ones. */
const HEAD = 16
const TAIL = 240

/**
 * One session's journal, bounded: a session of a thousand recipients keeps its first steps and
 * its last `TAIL`, and counts what it left out between them.
 */
export class Journal {
  private readonly head: Array<JournalEntry> = []
  private tail: Array<JournalEntry> = []
  private omitted = 0
  private readonly id: string
  private readonly connection: ConnectionInfo
  private readonly openedAt: number

  constructor(id: string, connection: ConnectionInfo, openedAt: number) {
    this.id = id
    this.connection = connection
    this.openedAt = openedAt
  }

  record(entry: JournalEntry): void {
    if (this.head.length < HEAD) {
      this.head.push(entry)
      return
    }
    this.tail.push(entry)
    if (this.tail.length > 2 * TAIL) {
      this.omitted += this.tail.length - TAIL
      this.tail = this.tail.slice(-TAIL)
    }
  }

  /** every entry kept, in order */
  entries(): ReadonlyArray<JournalEntry> {
    const kept = this.tail.length > TAIL ? this.tail.slice(-TAIL) : this.tail
    return [...this.head, ...kept]
  }

  readonly snapshot = (): SessionJournal => {
    const dropped = this.tail.length > TAIL ? this.tail.length - TAIL : 0
    return {
      id: this.id,
      client: `${this.connection.remoteIp}:${this.connection.remotePort}`,
      local: `${this.connection.localIp}:${this.connection.localPort}`,
      openedAt: this.openedAt,
      entries: this.entries(),
      omitted: this.omitted + dropped
    }
  }
}
