import type { Server } from "node:net"
import { Effect } from "effect"
import type { SmtpConnection } from "./smtp-connection.ts"

/**
 * The longest open sessions may take to finish once the daemon is told to stop. A cluster primary
 * kills a worker 10 s after its SIGTERM; this leaves it 2 s to flush the broker's last confirms.
 */
const MAX_GRACE_MS = 8_000

/** The grace, or smtp-timeout if that is shorter. */
export const shutdownGraceMs = (timeoutSeconds: number): number => Math.min(MAX_GRACE_MS, timeoutSeconds * 1000)

/** Stops listening at once; resolves when the server has no connection left either. */
const closeServer = (server: Server) => {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  return Effect.promise(() => closed)
}

const allClosed = (connections: ReadonlySet<SmtpConnection>) =>
  Effect.promise(() => Promise.all([...connections].map((connection) => connection.closed)))

/**
 * SIGTERM: every port stops taking connections at once (new ones are refused by the kernel); a
 * session inside DATA may finish and gets its 250 once the broker confirmed; a session between
 * commands gets `421 Server shutting down` at once, or after the command it is in; whatever is still
 * open after the grace gets that 421 too. Resolves when all are gone.
 */
export const closeGracefully = (servers: ReadonlyArray<Server>, connections: ReadonlySet<SmtpConnection>, graceMs: number) =>
  Effect.gen(function*() {
    if (servers.length === 0) return
    yield* Effect.logInfo("stopping: no new connections, open sessions may finish").pipe(
      Effect.annotateLogs({ sessions: connections.size, graceMs })
    )
    // the ports close now; the servers' callbacks wait for their last connection
    const closing = servers.map(closeServer)
    for (const connection of connections) connection.stop()
    const finished = yield* allClosed(connections).pipe(Effect.timeoutOption(graceMs))
    if (finished._tag === "None") {
      for (const connection of connections) connection.forceStop()
      yield* allClosed(connections).pipe(Effect.timeoutOption(2_000))
    }
    yield* Effect.all(closing, { concurrency: "unbounded", discard: true }).pipe(Effect.timeoutOption(1_000))
  })
