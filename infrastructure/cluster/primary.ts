import cluster from "node:cluster"
import type { Worker } from "node:cluster"
import { Clock, Deferred, Effect, Exit, Option, Schema } from "effect"
import type { MessageLink } from "../../adapters/cluster/budget-messages.ts"
import { makeConnectionBudget } from "../../application/connection-budget-keeper.ts"
import type { Settings } from "../../domain/config/settings.ts"
import { reloadConfigOnSighup } from "../config-reload.ts"
import { admissionWaitMs, budgetLimits } from "../daemon.ts"
import { onSighup } from "../sighup.ts"
import { makeSharedStateServer } from "./shared-state-server.ts"
import type { SharedStateServer } from "./shared-state-server.ts"
import { isWorkerReady } from "./worker-ready.ts"

export class WorkerStartFailed extends Schema.TaggedError<WorkerStartFailed>()("WorkerStartFailed", {
  message: Schema.String
}) {}

/** A worker that exits is started again after 100 ms, doubling to 5 s; one that ran for a while starts the backoff over. */
const FIRST_RESTART_DELAY_MS = 100
const MAX_RESTART_DELAY_MS = 5_000
const STABLE_AFTER_MS = 10_000
/** How long a worker may take to finish its sessions after SIGTERM before it is killed. */
const STOP_GRACE_MS = 10_000

interface RunningWorker {
  readonly worker: Worker
  /** completed once the worker's listeners are up */
  readonly ready: Deferred.Deferred<void>
  readonly exited: Deferred.Deferred<{ readonly code: number | null; readonly signal: string | null }>
}

const workerLink = (worker: Worker): MessageLink => ({
  // The callback keeps a channel that closes meanwhile from becoming an uncaught 'error' event.
  send: (message) => worker.isConnected() && worker.send(message, () => {}),
  listen: (listener) => {
    worker.on("message", listener)
    return () => void worker.off("message", listener)
  }
})

const identity = ({ worker }: RunningWorker) => ({ worker: worker.id, pid: worker.process.pid ?? 0 })

const stopWorker = (running: RunningWorker) =>
  Effect.gen(function*() {
    if (Deferred.isDoneUnsafe(running.exited)) return
    running.worker.process.kill("SIGTERM")
    const inTime = yield* Deferred.await(running.exited).pipe(Effect.timeoutOption(STOP_GRACE_MS))
    if (Option.isNone(inTime)) {
      yield* Effect.logWarning(`worker still running ${STOP_GRACE_MS} ms after SIGTERM, killing it`).pipe(
        Effect.annotateLogs(identity(running))
      )
      running.worker.process.kill("SIGKILL")
    }
    const exit = yield* Deferred.await(running.exited)
    yield* Effect.logInfo("worker stopped").pipe(Effect.annotateLogs({ ...identity(running), ...exit }))
  })

/**
 * Forks a worker and answers its requests (budget, AUTH attempts, metrics) until it is gone. Releasing
 * stops it first (SIGTERM, SIGKILL after the grace), so that it can still ask while it finishes its sessions.
 */
const startWorker = (server: SharedStateServer, live: Set<RunningWorker>) =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const worker = cluster.fork()
      const running: RunningWorker = { worker, ready: Deferred.makeUnsafe(), exited: Deferred.makeUnsafe() }
      worker.on("message", (message) => {
        if (isWorkerReady(message)) Deferred.doneUnsafe(running.ready, Exit.void)
      })
      worker.once("exit", (code, signal) => Deferred.doneUnsafe(running.exited, Exit.succeed({ code, signal })))
      yield* server.serve(String(worker.id), workerLink(worker))
      live.add(running)
      yield* Effect.logInfo("worker started").pipe(Effect.annotateLogs(identity(running)))
      return running
    }),
    (running) => stopWorker(running).pipe(Effect.ensuring(Effect.sync(() => live.delete(running))))
  )

/** One worker's life: until it exits. `started` learns that the slot's first worker came up. */
const workerLife = (server: SharedStateServer, live: Set<RunningWorker>, started: Deferred.Deferred<void, WorkerStartFailed>) =>
  Effect.scoped(Effect.gen(function*() {
    const running = yield* startWorker(server, live)
    yield* Deferred.await(running.ready).pipe(Effect.andThen(Deferred.succeed(started, undefined)), Effect.forkScoped)
    const exit = yield* Deferred.await(running.exited)
    return { ...identity(running), ...exit, wasReady: Deferred.isDoneUnsafe(running.ready) }
  }))

/** Keeps one worker running: restarts it, with backoff, whenever it exits, unless the first one never came up. */
const superviseSlot = (server: SharedStateServer, live: Set<RunningWorker>, started: Deferred.Deferred<void, WorkerStartFailed>) =>
  Effect.gen(function*() {
    let delay = FIRST_RESTART_DELAY_MS
    for (;;) {
      const since = yield* Clock.currentTimeMillis
      const { wasReady, ...exit } = yield* workerLife(server, live, started)
      if (!wasReady && !Deferred.isDoneUnsafe(started)) {
        const how = exit.signal === null ? `with code ${exit.code}` : `on ${exit.signal}`
        return yield* Deferred.fail(started, new WorkerStartFailed({ message: `worker ${exit.worker} exited ${how} before it was listening` }))
      }
      if ((yield* Clock.currentTimeMillis) - since >= STABLE_AFTER_MS) delay = FIRST_RESTART_DELAY_MS
      yield* Effect.logWarning("worker exited").pipe(Effect.annotateLogs({ ...exit, restartInMs: delay }))
      yield* Effect.sleep(delay)
      delay = Math.min(2 * delay, MAX_RESTART_DELAY_MS)
    }
  })

/**
 * Keeps `count` workers running. The first starts alone, so that a start-up error (a port taken) is
 * reported once; the others follow once it listens. Fails when a slot's first worker exits before it listens.
 * All slots run in one fiber, so that closing the scope stops every worker at once.
 */
const superviseWorkers = (server: SharedStateServer, live: Set<RunningWorker>, count: number) =>
  Effect.gen(function*() {
    const first = yield* Deferred.make<void, WorkerStartFailed>()
    const others = yield* Effect.forEach(Array.from({ length: count - 1 }), () => Deferred.make<void, WorkerStartFailed>())
    yield* Effect.forkScoped(Effect.all([
      superviseSlot(server, live, first),
      ...others.map((started) => Deferred.await(first).pipe(Effect.andThen(superviseSlot(server, live, started))))
    ], { concurrency: "unbounded", discard: true }))
    yield* Effect.all([first, ...others].map((started) => Deferred.await(started)), { concurrency: "unbounded", discard: true })
    yield* Effect.logInfo("workers ready").pipe(Effect.annotateLogs({ workers: count }))
  })

/**
 * The primary process of smtp-threads > 1: it listens for nothing itself. It holds the one connection
 * budget and the AUTH attempts all workers share, gathers their metrics for a scrape, forks the workers,
 * restarts a worker that exits, forwards SIGHUP, and on SIGTERM/SIGINT stops them all.
 */
export const runPrimary = (settings: Settings) =>
  Effect.scoped(Effect.gen(function*() {
    // The listening sockets are the primary's (a second daemon on the port fails to start), and the
    // workers accept from them themselves. Node's default on Linux, round-robin, has the primary
    // accept every connection and pass it on over IPC: under one message per connection that cost
    // the primary more CPU than the work it spread (docs/PERFORMANCE.md). Set before the first fork.
    cluster.schedulingPolicy = cluster.SCHED_NONE
    const budget = yield* makeConnectionBudget(budgetLimits(settings), admissionWaitMs(settings))
    const server = yield* makeSharedStateServer(settings, budget)
    const live = new Set<RunningWorker>()
    yield* onSighup(() => {
      // A worker not yet listening may not have its own SIGHUP handler yet, and would die of it.
      for (const running of live) if (Deferred.isDoneUnsafe(running.ready)) running.worker.process.kill("SIGHUP")
    })
    // Each worker reloads itself; the primary reloads the same config for the budget limits it holds.
    yield* reloadConfigOnSighup({ initial: settings, apply: (next) => budget.setLimits(budgetLimits(next), admissionWaitMs(next)) })
    yield* superviseWorkers(server, live, settings.smtpThreads)
    return yield* Effect.never
  })).pipe(Effect.annotateLogs({ role: "primary" }))
