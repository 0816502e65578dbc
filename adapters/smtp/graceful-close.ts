import { Effect } from "effect"
import type { SMTPServer } from "smtp-server"

/**
 * The longest open sessions may take to finish once the daemon is told to stop. A cluster primary
 * kills a worker 10 s after its SIGTERM; this leaves it 2 s to flush the broker's last confirms.
 */
const MAX_GRACE_MS = 8_000

/** smtp-server's closeTimeout: the grace, or smtp-timeout if that is shorter. */
export const shutdownGraceMs = (timeoutSeconds: number): number => Math.min(MAX_GRACE_MS, timeoutSeconds * 1000)

const close = (server: SMTPServer) => Effect.callback<void>((resume) => server.close(() => resume(Effect.void)))

/**
 * SIGTERM: every port stops taking connections at once (new ones are refused by the kernel); a
 * session inside DATA may finish and gets its 250 once the broker confirmed; any command that
 * arrives meanwhile is answered `421 Server shutting down` and closed (smtp-server does that while
 * it closes); whatever is still open after the grace gets that 421 too. Resolves when all are gone.
 */
export const closeGracefully = (servers: ReadonlyArray<SMTPServer>, graceMs: number) =>
  Effect.gen(function*() {
    if (servers.length === 0) return
    const sessions = servers.reduce((open, server) => open + server.connections.size, 0)
    yield* Effect.logInfo("stopping: no new connections, open sessions may finish").pipe(
      Effect.annotateLogs({ sessions, graceMs })
    )
    yield* Effect.forEach(servers, close, { concurrency: "unbounded", discard: true })
  })
