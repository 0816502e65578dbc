import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { ManagedListsStore } from "../../application/ports/managed-lists-store.ts"
import { Publisher } from "../../application/ports/publisher.ts"
import { jsonReply } from "./api-replies.ts"

/** A probe must answer even when a dependency hangs: a check that takes longer counts as down. */
const CHECK_TIMEOUT = "2 seconds"

const check = (probe: Effect.Effect<boolean>): Effect.Effect<boolean> =>
  probe.pipe(Effect.timeoutOption(CHECK_TIMEOUT), Effect.map((result) => result._tag === "Some" && result.value))

const readiness = Effect.gen(function*() {
  const publisher = yield* Publisher
  const store = yield* ManagedListsStore
  const [publisherUp, storeUp] = yield* Effect.all([
    check(publisher.isReady),
    check(store.version.pipe(Effect.as(true), Effect.orElseSucceed(() => false)))
  ], { concurrency: 2 })
  const body = { publisher: publisherUp ? "ready" : "down", store: storeUp ? "ready" : "down" }
  return publisherUp && storeUp
    ? jsonReply(200, { status: "ready", ...body })
    : jsonReply(503, { status: "not ready", ...body })
})

/** Open to every client (load balancers, orchestrators): they reveal nothing but up or down. */
export const HealthRoutes = Layer.mergeAll(
  HttpRouter.add("GET", "/healthz", jsonReply(200, { status: "ok" })),
  HttpRouter.add("GET", "/readyz", readiness)
)
