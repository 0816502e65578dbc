import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import type { HttpServerRequest } from "effect/http"
import { SessionJournals } from "../../application/ports/session-journals.ts"
import type { SessionJournal } from "../../application/ports/session-journals.ts"
import { transcriptLine } from "../../domain/session/transcript.ts"
import { answer, badRequest, jsonReply, methodNotAllowed } from "./api-replies.ts"

const PATH = "/api/sessions"

const MAX_LIMIT = 1_000

const shown = (journal: SessionJournal) => ({
  id: journal.id,
  client: journal.client,
  local: journal.local,
  opened: new Date(journal.openedAt).toISOString(),
  omitted: journal.omitted,
  transcript: journal.entries.map(transcriptLine)
})

const list = (request: HttpServerRequest.HttpServerRequest) =>
  answer(Effect.gen(function*() {
    const query = new URL(request.url, "http://management.invalid").searchParams
    const limitText = query.get("limit")
    const limit = limitText === null ? 100 : Number(limitText)
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return yield* badRequest(`limit must be a whole number from 1 to ${MAX_LIMIT}`)
    const found = yield* (yield* SessionJournals).find({
      client: query.get("client") ?? undefined,
      messageId: query.get("message-id") ?? undefined,
      address: query.get("address") ?? undefined,
      refusal: query.get("refusal") ?? undefined,
      limit
    })
    return jsonReply(200, { sessions: found.map(shown) })
  }))

/**
 * The recent sessions' journals, newest first: `GET /api/sessions?client=IP&message-id=ID&address=A&refusal=R&limit=N`
 * (R: a refusal reason, or `any`).
 * Each is a transcript of commands, replies and decisions: why a client was refused, in its own
 * words and ours. No message content, no credentials.
 */
export const SessionRoutes = Layer.mergeAll(
  HttpRouter.add("GET", PATH, list),
  methodNotAllowed(PATH, ["GET"])
)
