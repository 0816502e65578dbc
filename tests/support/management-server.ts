import { Effect, Layer, Logger, ManagedRuntime } from "effect"
import { Publisher } from "../../application/ports/publisher.ts"
import { LocalDaemonMetrics } from "../../application/read-metrics.ts"
import { SessionJournals } from "../../application/ports/session-journals.ts"
import type { SessionJournal } from "../../application/ports/session-journals.ts"
import { makeJournalRing } from "../../application/session-journals-keeper.ts"
import { ManagementServerLayer } from "../../adapters/http/management-api.ts"
import { freePort } from "./free-port.ts"
import { makeInMemoryStore } from "./in-memory-store.ts"
import type { InMemoryStore } from "./in-memory-store.ts"

export interface RunningManagementServer {
  readonly base: string
  readonly store: InMemoryStore
  /** what the fake Publisher answers to isReady */
  publisherReady: boolean
  /** every log line the server wrote, as JSON */
  readonly logs: ReadonlyArray<string>
  readonly stop: () => Promise<void>
}

/** The management server on a free port (loopback unless told otherwise), with an in-memory store and a fake Publisher. */
export const startManagementServer = async (
  options: {
    readonly token?: string
    readonly ip?: string
    readonly port?: number
    /** the sessions GET /api/sessions knows, oldest first */
    readonly journals?: ReadonlyArray<SessionJournal>
  } = {}
): Promise<RunningManagementServer> => {
  const port = options.port ?? (await freePort())
  const ip = options.ip ?? "127.0.0.1"
  const store = makeInMemoryStore()
  const logs: Array<string> = []
  const server: RunningManagementServer = {
    base: `http://${ip.includes(":") ? `[${ip}]` : ip}:${port}`,
    store,
    publisherReady: true,
    logs,
    stop: () => runtime.dispose()
  }
  const publisher = Layer.succeed(Publisher, Publisher.of({
    publish: () => Effect.void,
    isReady: Effect.sync(() => server.publisherReady)
  }))
  const ring = makeJournalRing(100)
  for (const journal of options.journals ?? []) Effect.runSync(ring.keep(() => journal))
  const journals = Layer.succeed(SessionJournals, ring)
  const capture = Logger.layer([Logger.map(Logger.formatJson, (line) => void logs.push(line))])
  const runtime = ManagedRuntime.make(
    ManagementServerLayer({ ip, port, token: options.token }).pipe(
      Layer.provide(Layer.mergeAll(store.layer, publisher, LocalDaemonMetrics.pipe(Layer.provide(publisher)), journals)),
      Layer.provide(capture)
    )
  )
  try {
    await runtime.runPromise(Effect.void)
  } catch (error) {
    await runtime.dispose()
    throw error
  }
  return server
}
