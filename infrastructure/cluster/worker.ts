import cluster from "node:cluster"
import { Effect, Layer } from "effect"
import { IpcAuthAttempts } from "../../adapters/cluster/ipc-auth-attempts.ts"
import { IpcConnectionBudget } from "../../adapters/cluster/ipc-connection-budget.ts"
import { IpcDaemonFacts } from "../../adapters/cluster/ipc-daemon-facts.ts"
import { IpcDaemonMetrics } from "../../adapters/cluster/ipc-daemon-metrics.ts"
import { IpcSessionJournals } from "../../adapters/cluster/ipc-session-journals.ts"
import { primaryLink } from "../../adapters/cluster/message-link.ts"
import type { Settings } from "../../domain/config/settings.ts"
import { daemonLayer } from "../daemon.ts"
import type { SharedState } from "../daemon.ts"
import { WORKER_READY } from "./worker-ready.ts"

/** What tells one worker's log lines from another's. */
export const workerLogAnnotations = () => ({ worker: cluster.worker?.id ?? 0, pid: process.pid })

/** A worker's share of the daemon's state: the primary's, asked over IPC. */
const sharedWithPrimary: SharedState = Layer.mergeAll(
  IpcConnectionBudget(primaryLink),
  IpcAuthAttempts(primaryLink),
  IpcDaemonMetrics(primaryLink),
  IpcSessionJournals(primaryLink),
  IpcDaemonFacts(primaryLink)
)

/**
 * One of the smtp-threads worker processes: the same daemon as a single process, except that its
 * connection budget, AUTH attempts, the metrics a scrape shows and the session journals the API shows
 * are the primary's (or gathered by it), asked over IPC.
 * It tells the primary once it is listening. Node's cluster module ends a worker whose channel to
 * the primary is gone, so no worker outlives its primary.
 */
export const runWorker = (settings: Settings) =>
  Effect.scoped(Effect.gen(function*() {
    yield* Layer.build(daemonLayer(settings, sharedWithPrimary))
    process.send?.(WORKER_READY, undefined, {}, () => {})
    return yield* Effect.never
  })).pipe(Effect.annotateLogs(workerLogAnnotations()))
