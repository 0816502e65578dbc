import type { JournalQuery } from "../../application/ports/session-journals.ts"

/**
 * What a worker and the primary say about session journals (smtp-threads > 1), over `ipc-requests.ts`.
 *
 * - `journals-find`, worker → primary, for an API request the worker serves: answered with the
 *   matching journals of every worker, newest first.
 * - `journals-collect`, primary → worker, while gathering those: answered with the worker's own.
 */
export const JOURNALS_FIND = "journals-find"
export const JOURNALS_COLLECT = "journals-collect"

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined)

/** The query in a request, taking only the fields a query has. */
export const journalQuery = (message: Readonly<Record<string, unknown>>): JournalQuery => ({
  client: text(message["client"]),
  messageId: text(message["messageId"]),
  address: text(message["address"]),
  refusal: text(message["refusal"]),
  limit: typeof message["limit"] === "number" ? message["limit"] : undefined
})
