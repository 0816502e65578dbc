import { Effect, Option } from "effect"
import type { HttpServerRequest } from "effect/http"

/** Every change to a managed list is logged with who made it: the client's address, never its token. */
export const auditChange = (
  request: HttpServerRequest.HttpServerRequest,
  message: string,
  fields: Readonly<Record<string, string>>
): Effect.Effect<void> =>
  Effect.logInfo(message).pipe(
    Effect.annotateLogs({ ...fields, client: Option.getOrElse(request.remoteAddress, () => "unknown") })
  )
