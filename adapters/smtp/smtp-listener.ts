import { Context, Effect, FiberSet, Layer } from "effect"
import { SMTPServer } from "smtp-server"
import type { SMTPServerOptions } from "smtp-server"
import type { SessionServices } from "../../application/session/smtp-session.ts"
import type { IpRange } from "../../domain/ip/ip-range.ts"
import type { ConnectionBudget } from "../../application/ports/connection-budget.ts"
import { Metrics } from "../../application/ports/metrics.ts"
import type { MtaHostnames } from "../../application/ports/mta-hostnames.ts"
import type { ReverseDns } from "../../application/ports/reverse-dns.ts"
import { budgetAdmission } from "./budget-admission.ts"
import { closeGracefully, shutdownGraceMs } from "./graceful-close.ts"
import { encodeReply, installEncodedReplies } from "./encoded-replies.ts"
import { installPathParsing } from "./path-parsing.ts"
import { greetingNameFor } from "../../application/greeting-name.ts"
import { normalizeIp } from "../../domain/ip/ip-range.ts"
import { installGreetingNames } from "./greeting-names.ts"
import { installPromptGreeting } from "./prompt-greeting.ts"
import { sessionHooks } from "./session-hooks.ts"
import { installSocketIntake } from "./socket-intake.ts"
import { securityOptions, tlsServerOptions } from "./tls-options.ts"
import type { TlsMaterial } from "./tls-options.ts"

/** What the listeners apply to each new connection; a reload replaces it (`SmtpListeners.reconfigure`). */
export interface ListenerSettings {
  /** for new TLS handshakes; whether there is TLS at all is fixed at start */
  readonly tls: TlsMaterial | undefined
  /** smtp-proxy: peers whose connections start with a PROXY header */
  readonly proxyRanges: ReadonlyArray<IpRange>
  /** the greeting name when the socket intake found none, and the 421 of a connection over budget */
  readonly hostname: string
  /** smtp-maxsize: the SIZE advertised in EHLO and checked at MAIL by smtp-server */
  readonly maxSize: number
  /** smtp-timeout, seconds: the idle timeout of new connections, and the grace on shutdown */
  readonly timeoutSeconds: number
  /** the longest a whole DATA phase may take; a session keeps the one in force when it opened */
  readonly dataDeadlineMs: number
}

export interface ListenerOptions extends ListenerSettings {
  /** smtp-ip; undefined = every address, IPv4 and IPv6 */
  readonly host: string | undefined
  /** smtp-port: plain SMTP, with STARTTLS when there is TLS material */
  readonly ports: ReadonlyArray<number>
  /** smtp-secure-port: TLS from the first byte */
  readonly securePorts: ReadonlyArray<number>
  /** smtp-auth is set: AUTH is offered on TLS connections */
  readonly auth: boolean
}

export class ListenFailed extends Error {
  readonly _tag = "ListenFailed"
}

/** The running listeners, for what changes while they run. */
export class SmtpListeners extends Context.Service<SmtpListeners, {
  /**
   * New settings for new connections (a reload): PROXY peers, name, SIZE, timeouts, and the
   * certificate and key of new TLS handshakes. Live sessions keep what they started with.
   */
  reconfigure(settings: ListenerSettings): Effect.Effect<void>
}>()("smtp-intake/SmtpListeners") {}

/** The smtp-server options a reload changes; smtp-server reads them as each connection starts. */
const liveServerOptions = (settings: ListenerSettings) => ({
  name: settings.hostname,
  size: settings.maxSize,
  socketTimeout: settings.timeoutSeconds * 1000,
  // On shutdown, sessions still open after this long get 421 and are closed.
  closeTimeout: shutdownGraceMs(settings.timeoutSeconds)
})

const serverOptions = (options: ListenerOptions, secure: boolean): SMTPServerOptions => ({
  ...liveServerOptions(options),
  // Reverse DNS of every client costs ~100 ms per connection and is only used for logging.
  disableReverseLookup: true,
  ...securityOptions(options.tls, options.auth),
  secure,
  authOptional: true,
  // DSN parameters and REQUIRETLS are not carried into the JSON yet, so they are not advertised.
  hideDSN: true,
  hideREQUIRETLS: true,
  hideENHANCEDSTATUSCODES: false,
  maxAllowedUnauthenticatedCommands: false,
  logger: false
})

const listen = (server: SMTPServer, port: number, host: string | undefined) =>
  Effect.callback<void, ListenFailed>((resume) => {
    const onError = (error: NodeJS.ErrnoException) => {
      resume(Effect.fail(new ListenFailed(`cannot listen on ${host ?? "*"}:${port}: ${error.code ?? error.message}`)))
    }
    server.server.once("error", onError)
    server.server.listen({ port, host: host ?? "::", ipv6Only: false }, () => {
      server.server.off("error", onError)
      resume(Effect.void)
    })
  })

/** Listens on every configured port and serves SMTP sessions until the layer is closed. */
export const SmtpListenerLayer = (options: ListenerOptions) =>
  Layer.effect(SmtpListeners, Effect.gen(function*() {
    installEncodedReplies()
    installPathParsing()
    // before installGreetingNames, which wraps the init this replaces
    installPromptGreeting()
    installGreetingNames()
    let live: ListenerSettings = options
    const run = yield* FiberSet.makeRuntimePromise<SessionServices | ConnectionBudget | MtaHostnames | ReverseDns>()
    const logFromCallback = (effect: Effect.Effect<void>) => void run(effect).catch(() => {})
    const admit = budgetAdmission(run, () => live.hostname, (peer) =>
      logFromCallback(Effect.logWarning("connection refused: no slot in the connection budget in time").pipe(
        Effect.annotateLogs({ peer })
      )))
    const servers: Array<SMTPServer> = []
    const hooks = sessionHooks(run, {
      authOffered: options.auth && options.tls !== undefined,
      dataDeadlineMs: () => live.dataDeadlineMs,
      closeSession: (sessionId, reply) => {
        for (const server of servers) {
          for (const connection of server.connections) {
            if (connection.session.id === sessionId) connection.send(reply.code, encodeReply(reply))
          }
        }
      }
    })
    const ports = [
      ...options.ports.map((port) => ({ port, secure: false })),
      ...options.securePorts.map((port) => ({ port, secure: true }))
    ]
    // registered before the first listen, so that a port that fails to listen closes the others
    yield* Effect.addFinalizer(() => Effect.suspend(() => closeGracefully(servers, shutdownGraceMs(live.timeoutSeconds))))
    for (const { port, secure } of ports) {
      const server = new SMTPServer({ ...serverOptions(options, secure), ...hooks })
      server.on("error", (error: Error & { meta?: { remoteAddress?: string; tlsProtocol?: string | null } }) => {
        // Socket errors of single clients end their session, which logs itself; a failed TLS
        // handshake never reaches a session, so it is logged here for the operator.
        if (error.meta === undefined) return
        run(Effect.logInfo("TLS handshake failed").pipe(Effect.annotateLogs({
          client: error.meta.remoteAddress ?? "?",
          reason: error.message
        }))).catch(() => {})
      })
      installSocketIntake(server, {
        proxyRanges: () => live.proxyRanges,
        admit,
        greetingName: (localIp) => run(greetingNameFor(normalizeIp(localIp) ?? localIp)),
        onProxyRefused: (peer, reason) =>
          logFromCallback(Effect.logWarning("PROXY header refused, connection closed").pipe(
            Effect.annotateLogs({ peer, reason }),
            Effect.andThen(Metrics.pipe(Effect.flatMap((metrics) => metrics.connectionRefused("proxy"))))
          ))
      })
      yield* listen(server, port, options.host)
      servers.push(server)
    }
    yield* Effect.logInfo("listening").pipe(Effect.annotateLogs({
      host: options.host ?? "*",
      ports: options.ports.join(","),
      securePorts: options.securePorts.join(","),
      starttls: options.tls !== undefined,
      auth: options.auth,
      proxy: options.proxyRanges.map((range) => range.text).join(";"),
      hostname: options.hostname
    }))
    return SmtpListeners.of({
      reconfigure: (settings) =>
        Effect.sync(() => {
          // TLS was off at start: STARTTLS stays off (turning it on takes a restart)
          const tls = options.tls === undefined ? undefined : settings.tls ?? live.tls
          live = { ...settings, tls }
          for (const server of servers) {
            Object.assign(server.options, liveServerOptions(live))
            if (tls !== undefined) server.updateSecureContext(tlsServerOptions(tls))
          }
        })
    })
  }))
