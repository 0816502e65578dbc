import { Effect, Option } from "effect"
import { HttpRouter, HttpServerRequest, HttpServerResponse } from "effect/http"
import { errorReply } from "./api-replies.ts"
import { accessVerdict } from "./management-access.ts"
import type { Resource } from "./management-access.ts"

/** Route middleware: lets a request through to the routes it is provided to only when accessVerdict allows it. */
export const accessGuard = (resource: Resource, token: string | undefined) =>
  HttpRouter.middleware((route) =>
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const verdict = accessVerdict({
        resource,
        token,
        remoteAddress: Option.getOrUndefined(request.remoteAddress),
        authorization: request.headers["authorization"],
        host: request.headers["host"]
      })
      if (verdict.allowed) return yield* route
      const reply = errorReply(verdict.status, verdict.error)
      return verdict.status === 401
        ? HttpServerResponse.setHeader(reply, "www-authenticate", "Bearer realm=\"smtp-intake\"")
        : reply
    })
  ).layer
