import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import type { HttpServerRequest } from "effect/http"
import { ManagedListsStore } from "../../application/ports/managed-lists-store.ts"
import { accepted, answer, deleteField, jsonObjectBody, jsonReply, methodNotAllowed, notFound } from "./api-replies.ts"
import { auditChange } from "./audit-log.ts"
import { rangeInput, stringField } from "../../domain/lists/list-inputs.ts"

const PATH = "/api/blocked"

const list = answer(Effect.gen(function*() {
  const snapshot = yield* (yield* ManagedListsStore).snapshot
  return jsonReply(200, { items: snapshot.blocked.map((range) => ({ range })) })
}))

const add = (request: HttpServerRequest.HttpServerRequest) =>
  answer(Effect.gen(function*() {
    const field = yield* accepted(stringField(yield* jsonObjectBody(request), "range"))
    const range = yield* accepted(rangeInput(field))
    yield* (yield* ManagedListsStore).addBlocked(range)
    yield* auditChange(request, "address blocked", { range })
    return jsonReply(201, { range })
  }))

const remove = (request: HttpServerRequest.HttpServerRequest) =>
  answer(Effect.gen(function*() {
    const range = yield* accepted(rangeInput(yield* deleteField(request, "range")))
    const removed = yield* (yield* ManagedListsStore).removeBlocked(range)
    if (!removed) return yield* notFound(`"${range}" is not on the blocked list`)
    yield* auditChange(request, "address unblocked", { range })
    return jsonReply(200, { removed: { range } })
  }))

/** SPEC §6 blocked IPs and ranges (used with smtp-protection): `GET`, `POST { range }`, `DELETE ?range=`. */
export const BlockedRoutes = Layer.mergeAll(
  HttpRouter.add("GET", PATH, list),
  HttpRouter.add("POST", PATH, add),
  HttpRouter.add("DELETE", PATH, remove),
  methodNotAllowed(PATH, ["GET", "POST", "DELETE"])
)
