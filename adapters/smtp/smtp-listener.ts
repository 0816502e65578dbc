import { createServer } from "node:net"
import type { Server, Socket } from "node:net"
import { TLSSocket } from "node:tls"
import { Clock, Context, Effect, FiberSet, Layer } from "effect"
import { greetingNameFor } from "../../application/greeting-name.ts"
import { ConnectionBudget } from "../../application/ports/connection-budget.ts"
import { Metrics } from "../../application/ports/metrics.ts"
import type { MtaHostnames } from "../../application/ports/mta-hostnames.ts"
import { RefusalTally } from "../../application/ports/refusal-tally.ts"
import type { ReverseDns } from "../../application/ports/reverse-dns.ts"
import { openSession } from "../../application/session/smtp-session.ts"
import type { SessionServices } from "../../application/session/smtp-session.ts"
import type { IpRange } from "../../domain/ip/ip-range.ts"
import { normalizeIp } from "../../domain/ip/ip-range.ts"
import { budgetAdmission } from "./budget-admission.ts"
import { connectionInfo, tlsInfo } from "./connection-info.ts"
import { collectAfterBursts } from "./collect-after-burst.ts"
import { DataMemory } from "./data-memory.ts"
import { closeGracefully, shutdownGraceMs } from "./graceful-close.ts"
import { SmtpConnection } from "./smtp-connection.ts"
import { takeIn } from "./socket-intake.ts"
import type { Admitted } from "./socket-intake.ts"
import { secureContextOf, serverHandshake } from "./tls-options.ts"
import type { TlsMaterial } from "./tls-options.ts"

/** What the listeners apply to each new connection; a reload replaces it (`SmtpListeners.reconfigure`). */
export interface ListenerSettings {
  /** for new TLS handshakes; whether there is TLS at all is fixed at start */
  readonly tls: TlsMaterial | undefined
  /** smtp-proxy: peers whose connections start with a PROXY header */
  readonly proxyRanges: ReadonlyArray<IpRange>
  /** the name in the 421 of a connection over budget */
  readonly hostname: string
  /** smtp-timeout, seconds: the idle timeout of new connections, and the grace on shutdown */
  readonly timeoutSeconds: number
  /** the longest a whole DATA phase may take; a session keeps the one in force when it opened */
  readonly dataDeadlineMs: number
}

export interface ListenerOptions extends ListenerSettings {
  /** smtp-ip; undefined = every address, IPv4 and IPv6 */
  readonly host: string | undefined
  /** smtp-port: plain SMTP, with STARTTLS when there is TLS material; 0 picks a free port */
  readonly ports: ReadonlyArray<number>
  /** smtp-secure-port: TLS from the first byte */
  readonly securePorts: ReadonlyArray<number>
  /** smtp-auth is set: AUTH is offered on TLS connections */
  readonly auth: boolean
  /** smtp-data-memory (this process's share): the budget for message data in flight, bytes */
  readonly dataMemoryBytes: number
}

export class ListenFailed extends Error {
  readonly _tag = "ListenFailed"
}

/** The running listeners, for what changes while they run. */
export class SmtpListeners extends Context.Service<SmtpListeners, {
  /**
   * New settings for new connections (a reload): PROXY peers, name, timeouts, and the certificate
   * and key of new TLS handshakes. Live sessions keep what they started with.
   */
  reconfigure(settings: ListenerSettings): Effect.Effect<void>
  /** the ports listened on, plain then implicit TLS, as bound (a port 0 becomes the one picked) */
  readonly boundPorts: ReadonlyArray<{ readonly port: number; readonly secure: boolean }>
}>()("smtp-intake/SmtpListeners") {}

const listen = (server: Server, port: number, host: string | undefined) =>
  Effect.callback<number, ListenFailed>((resume) => {
    const onError = (error: NodeJS.ErrnoException) => {
      resume(Effect.fail(new ListenFailed(`cannot listen on ${host ?? "*"}:${port}: ${error.code ?? error.message}`)))
    }
    server.once("error", onError)
    server.listen({ port, host: host ?? "::", ipv6Only: false }, () => {
      server.off("error", onError)
      const address = server.address()
      resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : port))
    })
  })

/** Listens on every configured port and serves SMTP sessions until the layer is closed. */
export const SmtpListenerLayer = (options: ListenerOptions) =>
  Layer.effect(SmtpListeners, Effect.gen(function*() {
    let live: ListenerSettings = options
    let context = options.tls === undefined ? undefined : secureContextOf(options.tls)
    const run = yield* FiberSet.makeRuntimePromise<SessionServices | ConnectionBudget | MtaHostnames | ReverseDns>()
    const log = (effect: Effect.Effect<void>) => void run(effect).catch(() => {})
    /** A refusal before any session: logged, counted, and tallied for the console with its client. */
    const refusedBeforeSession = (socket: Socket, reason: "budget" | "proxy", message: string, annotations: Record<string, string> = {}) => {
      const client = normalizeIp(socket.remoteAddress ?? "") ?? socket.remoteAddress
      log(Effect.logWarning(message).pipe(
        Effect.annotateLogs({ peer: `${socket.remoteAddress}:${socket.remotePort}`, ...annotations }),
        Effect.andThen(Metrics.pipe(Effect.flatMap((metrics) => metrics.connectionRefused(reason)))),
        Effect.andThen(Effect.all([RefusalTally, Clock.currentTimeMillis])),
        Effect.map(([tally, at]) => tally.record(reason, client, at))
      ))
    }
    const admit = budgetAdmission(run, yield* ConnectionBudget, () => live.hostname, (socket) =>
      refusedBeforeSession(socket, "budget", "connection refused: no slot in the connection budget in time"))
    const onTlsFailed = (client: string) => (reason: string) =>
      log(Effect.logInfo("TLS handshake failed").pipe(Effect.annotateLogs({ client, reason })))
    const onDefect = (error: unknown) => log(Effect.logError("internal error in an SMTP session", error))
    const intake = {
      proxyRanges: () => live.proxyRanges,
      admit,
      timeoutMs: () => live.timeoutSeconds * 1000,
      greetingName: (localIp: string) => run(greetingNameFor(normalizeIp(localIp) ?? localIp)),
      onProxyRefused: (socket: Socket, reason: string) =>
        refusedBeforeSession(socket, "proxy", "PROXY header refused, connection closed", { reason })
    }
    const servers: Array<Server> = []
    const connections = new Set<SmtpConnection>()
    const collector = collectAfterBursts()
    const memory = new DataMemory(options.dataMemoryBytes, (bytes, inUse) => collector.released(bytes, inUse))
    const memorySpent = () => memory.spent()
    let stopping = false

    const startSession = async (socket: Socket, admitted: Admitted, secure: boolean) => {
      const settings = live
      const client = `${admitted.endpoints.remoteAddress}:${admitted.endpoints.remotePort}`
      let stream: Socket | TLSSocket = socket
      if (secure) {
        const secured = await serverHandshake(socket, context, settings.timeoutSeconds * 1000, onTlsFailed(client))
        if (secured === undefined) return
        stream = secured
      }
      if (stopping || stream.destroyed) return void stream.destroy()
      const tls = stream instanceof TLSSocket ? tlsInfo(stream) : undefined
      const session = await run(openSession(connectionInfo(admitted.endpoints, tls), { hostname: admitted.hostname, id: admitted.id, memorySpent }))
      const connection = new SmtpConnection(stream, session, run, {
        timeoutMs: settings.timeoutSeconds * 1000,
        dataDeadlineMs: settings.dataDeadlineMs,
        secureContext: () => context,
        onTlsFailed: onTlsFailed(client),
        onDefect,
        memory
      })
      connections.add(connection)
      void connection.closed.then(() => connections.delete(connection))
      connection.start()
    }

    const serve = (secure: boolean) => (socket: Socket) => {
      socket.setNoDelay(true)
      takeIn(socket, intake)
        .then((admitted) => admitted === undefined ? undefined : startSession(socket, admitted, secure))
        .catch((error: unknown) => {
          onDefect(error)
          socket.destroy()
        })
    }

    const ports = [
      ...options.ports.map((port) => ({ port, secure: false })),
      ...options.securePorts.map((port) => ({ port, secure: true }))
    ]
    // registered before the first listen, so that a port that fails to listen closes the others
    yield* Effect.addFinalizer(() =>
      Effect.suspend(() => {
        stopping = true
        return closeGracefully(servers, connections, shutdownGraceMs(live.timeoutSeconds))
      })
    )
    const boundPorts: Array<{ port: number; secure: boolean }> = []
    for (const { port, secure } of ports) {
      const server = createServer({ pauseOnConnect: true, noDelay: true }, serve(secure))
      boundPorts.push({ port: yield* listen(server, port, options.host), secure })
      servers.push(server)
    }
    yield* Effect.logInfo("listening").pipe(Effect.annotateLogs({
      host: options.host ?? "*",
      ports: boundPorts.filter((p) => !p.secure).map((p) => p.port).join(","),
      securePorts: boundPorts.filter((p) => p.secure).map((p) => p.port).join(","),
      starttls: options.tls !== undefined,
      auth: options.auth,
      proxy: options.proxyRanges.map((range) => range.text).join(";"),
      hostname: options.hostname
    }))
    return SmtpListeners.of({
      boundPorts,
      reconfigure: (settings) =>
        Effect.sync(() => {
          // TLS was off at start: STARTTLS stays off (turning it on takes a restart)
          const tls = options.tls === undefined ? undefined : settings.tls ?? live.tls
          live = { ...settings, tls }
          if (tls !== undefined) context = secureContextOf(tls)
        })
    })
  }))
