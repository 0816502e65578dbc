import { Effect, Option } from "effect"
import { answerRequests, makeRequester } from "../../adapters/cluster/ipc-requests.ts"
import type { Requester } from "../../adapters/cluster/ipc-requests.ts"
import type { MessageLink } from "../../adapters/cluster/message-link.ts"
import { METRICS_COLLECT, METRICS_READ } from "../../adapters/cluster/metrics-messages.ts"
import { mergeAll, mergeSnapshots } from "../../adapters/metrics/merge-snapshots.ts"
import type { ConnectionBudgetShape } from "../../application/ports/connection-budget.ts"
import { emptySnapshot } from "../../application/ports/metrics.ts"
import type { MetricsSnapshot } from "../../application/ports/metrics.ts"
import type { MetricsReading } from "../../application/ports/metrics-reading.ts"
import type { ProcessMetrics } from "../../application/read-metrics.ts"

/** How long a scrape waits for each worker's figures: a stuck worker must not hang it. */
const COLLECT_TIMEOUT = "1500 millis"

interface Member {
  readonly requester: Requester
  /** the worker's latest figures, for a scrape it does not answer in time, and for when it is gone */
  last: ProcessMetrics | undefined
}

/**
 * The primary's side of the metrics (smtp-threads > 1). A scrape reaches one worker, which asks the
 * primary; the primary asks every worker for its own figures (each within COLLECT_TIMEOUT), adds
 * them up, and adds the budget it holds itself.
 *
 * The daemon's counters never go backwards: a worker that does not answer in time counts with its
 * last figures, and a worker that is gone leaves its last figures behind (its open connections
 * count 0 then), to which its replacement's, counted from zero, are added. What a worker counted
 * after the last scrape before it died is lost.
 */
export const makeMetricsServer = (budget: ConnectionBudgetShape, authBackend: string) =>
  Effect.gen(function*() {
    const members = new Map<string, Member>()
    let departed: MetricsSnapshot = emptySnapshot(authBackend)

    const collect = (member: Member) =>
      member.requester.request({}, COLLECT_TIMEOUT).pipe(
        // a worker answers with its own figures
        Effect.map((result) => result as ProcessMetrics),
        Effect.tap((fresh) => Effect.sync(() => void (member.last = fresh))),
        Effect.option
      )

    const read: Effect.Effect<MetricsReading> = Effect.gen(function*() {
      const asked = [...members.values()]
      const answers = (yield* Effect.forEach(asked, collect, { concurrency: "unbounded" })).flatMap(Option.toArray)
      // Counted from the members now: one that left meanwhile is in `departed`, and counts once.
      const metrics = mergeAll(departed, [...members.values()].flatMap((m) => (m.last === undefined ? [] : [m.last.metrics])))
      return {
        metrics,
        publisherReady: answers.length > 0 && answers.every((a) => a.publisherReady),
        budget: yield* budget.usage,
        workers: { running: asked.length, reporting: answers.length }
      }
    })

    /** Takes part one worker in the metrics for as long as the calling scope lives; then keeps its last figures. */
    const serve = (worker: string, link: MessageLink) =>
      Effect.gen(function*() {
        const member: Member = { requester: yield* makeRequester(link, METRICS_COLLECT), last: undefined }
        members.set(worker, member)
        yield* answerRequests(link, METRICS_READ, () => read)
        yield* Effect.addFinalizer(() =>
          Effect.sync(() => {
            members.delete(worker)
            if (member.last !== undefined) departed = mergeSnapshots(departed, { ...member.last.metrics, connectionsOpen: 0 })
          })
        )
      })

    return { serve, read }
  })
