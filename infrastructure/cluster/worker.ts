import cluster from "node:cluster"
import { Effect, Layer } from "effect"
import { IpcConnectionBudget } from "../../adapters/cluster/ipc-connection-budget.ts"
import { primaryLink } from "../../adapters/cluster/message-link.ts"
import type { Settings } from "../../domain/config/settings.ts"
import { daemonLayer } from "../daemon.ts"
import { WORKER_READY } from "./worker-ready.ts"

/** What tells one worker's log lines from another's. */
export const workerLogAnnotations = () => ({ worker: cluster.worker?.id ?? 0, pid: process.pid })

/**
 * One of the smtp-threads worker processes: the same daemon as a single process, except that its
 * connection budget is the primary's, asked over IPC. It tells the primary once it is listening.
 * Node's cluster module ends a worker whose channel to the primary is gone, so no worker outlives
 * its primary.
 */
export const runWorker = (settings: Settings) =>
  Effect.scoped(Effect.gen(function*() {
    yield* Layer.build(daemonLayer(settings, IpcConnectionBudget(primaryLink)))
    process.send?.(WORKER_READY, undefined, {}, () => {})
    return yield* Effect.never
  })).pipe(Effect.annotateLogs(workerLogAnnotations()))
