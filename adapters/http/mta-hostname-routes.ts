import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import type { HttpServerRequest } from "effect/http"
import { ManagedListsStore } from "../../application/ports/managed-lists-store.ts"
import { accepted, answer, deleteField, jsonObjectBody, jsonReply, methodNotAllowed, notFound } from "./api-replies.ts"
import { auditChange } from "./audit-log.ts"
import { ipInput, mtaHostnameInput } from "../../domain/lists/list-inputs.ts"

const PATH = "/api/mta-hostnames"

const list = answer(Effect.gen(function*() {
  const snapshot = yield* (yield* ManagedListsStore).snapshot
  return jsonReply(200, { items: snapshot.mtaHostnames })
}))

/** PUT: one hostname per local IP, so setting it again replaces it. */
const set = (request: HttpServerRequest.HttpServerRequest) =>
  answer(Effect.gen(function*() {
    const entry = yield* accepted(mtaHostnameInput(yield* jsonObjectBody(request)))
    yield* (yield* ManagedListsStore).setMtaHostname(entry)
    yield* auditChange(request, "MTA hostname set", { ip: entry.ip, hostname: entry.hostname })
    return jsonReply(200, entry)
  }))

const unset = (request: HttpServerRequest.HttpServerRequest) =>
  answer(Effect.gen(function*() {
    const ip = yield* accepted(ipInput(yield* deleteField(request, "ip")))
    const removed = yield* (yield* ManagedListsStore).unsetMtaHostname(ip)
    if (!removed) return yield* notFound(`no MTA hostname for ${ip}`)
    yield* auditChange(request, "MTA hostname removed", { ip })
    return jsonReply(200, { removed: { ip } })
  }))

/** SPEC §6 MTA hostnames per local IP: `GET`, `PUT { ip, hostname }`, `DELETE ?ip=`. */
export const MtaHostnameRoutes = Layer.mergeAll(
  HttpRouter.add("GET", PATH, list),
  HttpRouter.add("PUT", PATH, set),
  HttpRouter.add("DELETE", PATH, unset),
  methodNotAllowed(PATH, ["GET", "PUT", "DELETE"])
)
