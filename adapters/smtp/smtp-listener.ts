import { Context, Effect, FiberSet, Layer } from "effect"
import { SMTPServer } from "smtp-server"
import type { SMTPServerOptions } from "smtp-server"
import type { SessionServices } from "../../application/session/smtp-session.ts"
import type { IpRange } from "../../domain/ip/ip-range.ts"
import type { SessionPolicy } from "../../domain/session/policy.ts"
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

export interface ListenerOptions {
  /** smtp-ip; undefined = every address, IPv4 and IPv6 */
  readonly host: string | undefined
  /** smtp-port: plain SMTP, with STARTTLS when there is TLS material */
  readonly ports: ReadonlyArray<number>
  /** smtp-secure-port: TLS from the first byte */
  readonly securePorts: ReadonlyArray<number>
  readonly tls: TlsMaterial | undefined
  /** smtp-auth is set: AUTH is offered on TLS connections */
  readonly auth: boolean
  /** smtp-proxy: peers whose connections start with a PROXY header */
  readonly proxyRanges: ReadonlyArray<IpRange>
  readonly policy: SessionPolicy
  /** smtp-timeout, seconds */
  readonly timeoutSeconds: number
  /** the longest a whole DATA phase may take */
  readonly dataDeadlineMs: number
}

export class ListenFailed extends Error {
  readonly _tag = "ListenFailed"
}

/** The running listeners, for what changes while they run. */
export class SmtpListeners extends Context.Service<SmtpListeners, {
  /** new certificate and key for new TLS handshakes; live sessions keep theirs */
  reloadTls(material: TlsMaterial): Effect.Effect<void>
}>()("smtp-intake/SmtpListeners") {}

const serverOptions = (options: ListenerOptions, secure: boolean): SMTPServerOptions => ({
  name: options.policy.hostname,
  size: options.policy.maxSize,
  socketTimeout: options.timeoutSeconds * 1000,
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
  // On shutdown, sessions still open after this long get 421 and are closed.
  closeTimeout: shutdownGraceMs(options.timeoutSeconds),
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
    const run = yield* FiberSet.makeRuntimePromise<SessionServices | ConnectionBudget | MtaHostnames | ReverseDns>()
    const logFromCallback = (effect: Effect.Effect<void>) => void run(effect).catch(() => {})
    const admit = budgetAdmission(run, options.policy.hostname, (peer) =>
      logFromCallback(Effect.logWarning("connection refused: no slot in the connection budget in time").pipe(
        Effect.annotateLogs({ peer })
      )))
    const servers: Array<SMTPServer> = []
    const hooks = sessionHooks(run, {
      maxSize: options.policy.maxSize,
      authOffered: options.auth && options.tls !== undefined,
      dataDeadlineMs: options.dataDeadlineMs,
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
    yield* Effect.addFinalizer(() => closeGracefully(servers, shutdownGraceMs(options.timeoutSeconds)))
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
        proxyRanges: options.proxyRanges,
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
      hostname: options.policy.hostname
    }))
    return SmtpListeners.of({
      reloadTls: (material) =>
        Effect.sync(() => {
          for (const server of servers) server.updateSecureContext(tlsServerOptions(material))
        })
    })
  }))
