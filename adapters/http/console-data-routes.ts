import { Clock, Effect, Layer, Option } from "effect"
import { HttpRouter } from "effect/http"
import type { HttpServerRequest } from "effect/http"
import { TrafficHistory } from "../../application/console/traffic-history.ts"
import { DaemonFacts } from "../../application/ports/daemon-facts.ts"
import { Publisher } from "../../application/ports/publisher.ts"
import type { PublisherCondition } from "../../application/ports/publisher.ts"
import { RefusalTally } from "../../application/ports/refusal-tally.ts"
import { jsonReply } from "./api-replies.ts"

const LIVE_TIMEOUT = "2 seconds"

/** `?since=` as epoch ms; 0 (everything kept) when absent or not a number. */
const sinceOf = (request: HttpServerRequest.HttpServerRequest) => {
  const since = Number(new URL(request.url, "http://management.invalid").searchParams.get("since"))
  return Number.isFinite(since) ? since : 0
}

/** A publisher that tells no details is described by isReady alone. */
const publisherCondition = Effect.gen(function*() {
  const publisher = yield* Publisher
  const probe: Effect.Effect<PublisherCondition | { readonly kind: "other"; readonly ready: boolean }> = publisher.condition ??
    Effect.map(publisher.isReady, (ready) => ({ kind: "other", ready }) as const)
  return Option.getOrUndefined(yield* Effect.timeoutOption(probe, LIVE_TIMEOUT))
})

/**
 * `GET /api/console/traffic?since=MS`: the points of the traffic history after `since` (the page
 * asks for what it has not seen yet) and the publisher's condition. Memory reads only: the
 * history is sampled once a second whoever looks.
 */
const traffic = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.gen(function*() {
    const points = yield* (yield* TrafficHistory).since(sinceOf(request))
    return jsonReply(200, { points, publisher: yield* publisherCondition })
  })

/** The daemon's processes and refusals; a server without DaemonFacts (tests) shows its own tally and no process. */
const daemonFacts = Effect.gen(function*() {
  const facts = yield* Effect.serviceOption(DaemonFacts)
  if (Option.isSome(facts)) return yield* facts.value.read
  const tally = yield* RefusalTally
  return { processes: [], refusals: tally.summary(yield* Clock.currentTimeMillis) }
})

/** `GET /api/console/refusals`: the refusals of the last hour by reason, and the clients refused most (of every worker). */
const refusals = Effect.map(daemonFacts, (reading) => jsonReply(200, reading.refusals))

/** `GET /api/console/config`: each process's settings in force (secrets masked), last reload, version and uptime. */
const config = Effect.gen(function*() {
  const reading = yield* daemonFacts
  const now = yield* Clock.currentTimeMillis
  return jsonReply(200, {
    at: now,
    processes: reading.processes.map((process) => ({ ...process, uptimeSeconds: Math.max(0, Math.round((now - process.startedAt) / 1000)) }))
  })
})

/** What the console's Now, Refusals and Config sections show; behind the same access rule as the rest of /api/. */
export const ConsoleDataRoutes = Layer.mergeAll(
  HttpRouter.add("GET", "/api/console/traffic", traffic),
  HttpRouter.add("GET", "/api/console/refusals", refusals),
  HttpRouter.add("GET", "/api/console/config", config)
)
