import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import type { HttpServerRequest } from "effect/http"
import { ManagedListsStore } from "../../application/ports/managed-lists-store.ts"
import { accepted, answer, deleteField, jsonObjectBody, jsonReply, methodNotAllowed, notFound } from "./api-replies.ts"
import { auditChange } from "./audit-log.ts"
import { localAddressInput, patternInput } from "../../domain/lists/list-inputs.ts"

const PATH = "/api/local-addresses"

const list = answer(Effect.gen(function*() {
  const snapshot = yield* (yield* ManagedListsStore).snapshot
  return jsonReply(200, { items: snapshot.localAddresses })
}))

const add = (request: HttpServerRequest.HttpServerRequest) =>
  answer(Effect.gen(function*() {
    const rule = yield* accepted(localAddressInput(yield* jsonObjectBody(request)))
    yield* (yield* ManagedListsStore).addLocalAddress(rule)
    yield* auditChange(request, "local address added", { pattern: rule.pattern, type: rule.type })
    return jsonReply(201, rule)
  }))

const remove = (request: HttpServerRequest.HttpServerRequest) =>
  answer(Effect.gen(function*() {
    const pattern = yield* accepted(patternInput(yield* deleteField(request, "pattern")))
    const removed = yield* (yield* ManagedListsStore).removeLocalAddress(pattern)
    if (!removed) return yield* notFound(`no local address with pattern "${pattern}"`)
    yield* auditChange(request, "local address removed", { pattern })
    return jsonReply(200, { removed: { pattern } })
  }))

/** SPEC §6 local addresses: `GET`, `POST { pattern, type }`, `DELETE ?pattern=`. */
export const LocalAddressRoutes = Layer.mergeAll(
  HttpRouter.add("GET", PATH, list),
  HttpRouter.add("POST", PATH, add),
  HttpRouter.add("DELETE", PATH, remove),
  methodNotAllowed(PATH, ["GET", "POST", "DELETE"])
)
