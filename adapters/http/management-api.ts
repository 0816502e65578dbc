import { createServer } from "node:http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Effect, Layer } from "effect"
import { HttpRouter } from "effect/http"
import { accessGuard } from "./access-guard.ts"
import { errorReply } from "./api-replies.ts"
import { BlockedRoutes } from "./blocked-routes.ts"
import { TrafficHistoryLayer } from "../../application/console/traffic-history.ts"
import { ConsoleDataRoutes } from "./console-data-routes.ts"
import { ConsoleRoute } from "./console-route.ts"
import { HealthRoutes } from "./health-routes.ts"
import { LocalAddressRoutes } from "./local-address-routes.ts"
import { MetricsRoutes } from "./metrics-routes.ts"
import { isLoopbackClient } from "./management-access.ts"
import { MtaHostnameRoutes } from "./mta-hostname-routes.ts"
import { SessionRoutes } from "./session-routes.ts"

export interface ManagementOptions {
  /** management-ip */
  readonly ip: string
  /** management-port */
  readonly port: number
  /** management-token; without one only loopback clients may use the API and the console */
  readonly token: string | undefined
}

export class ManagementListenFailed extends Error {
  readonly _tag = "ManagementListenFailed"
}

/** Any other path under /api/ is a JSON 404, not the router's empty one. */
const ApiFallback = HttpRouter.add("*", "/api/*", errorReply(404, "no such API endpoint"))

/**
 * The management app: health probes open to all; the JSON API, /metrics and the console behind
 * accessGuard. A new route group is one more file merged in here.
 */
export const managementRoutes = (token: string | undefined) =>
  Layer.mergeAll(
    HealthRoutes,
    Layer.mergeAll(LocalAddressRoutes, MtaHostnameRoutes, BlockedRoutes, SessionRoutes, ConsoleDataRoutes, ApiFallback).pipe(
      Layer.provide(accessGuard("api", token))
    ),
    // the numbers reveal traffic: the same rule as /api/
    MetricsRoutes.pipe(Layer.provide(accessGuard("api", token))),
    ConsoleRoute.pipe(Layer.provide(accessGuard("console", token)))
  )

/**
 * Serves the management app on management-ip:management-port for as long as the layer lives.
 * Needs ManagedListsStore and Publisher. The built-in request logger stays off: it would log query
 * strings, and the console may be opened with `?token=`.
 */
export const ManagementServerLayer = (options: ManagementOptions) =>
  HttpRouter.serve(managementRoutes(options.token), { disableLogger: true, disableListenLog: true }).pipe(
    // the console's traffic history lives as long as the server: sampled only where someone may look
    Layer.provide(TrafficHistoryLayer),
    Layer.provide(NodeHttpServer.layerServer(createServer, { host: options.ip, port: options.port })),
    Layer.catchTag("ServeError", (error) =>
      Layer.effectDiscard(Effect.fail(new ManagementListenFailed(
        `cannot listen on management-ip ${options.ip} port ${options.port}: ${describeCause(error.cause)}`
      )))),
    Layer.tap(() => announce(options))
  )

const describeCause = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : String(cause)

const announce = (options: ManagementOptions) =>
  Effect.gen(function*() {
    yield* Effect.logInfo("management API up").pipe(
      Effect.annotateLogs({ ip: options.ip, port: String(options.port), token: options.token === undefined ? "none" : "set" })
    )
    if (options.token === undefined && !isLoopbackClient(options.ip)) {
      yield* Effect.logWarning(
        "management-ip is not loopback and no management-token is set: only loopback clients may use the API and console"
      )
    }
  })
