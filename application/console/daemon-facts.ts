import { Clock, Effect, Layer } from "effect"
import { REFUSAL_REASONS } from "../../domain/console/refusal-reason.ts"
import type { RefusalReason } from "../../domain/console/refusal-reason.ts"
import { DaemonFacts, ProcessConsoleReader } from "../ports/daemon-facts.ts"
import type { DaemonFactsReading, ProcessConsole, ProcessFacts } from "../ports/daemon-facts.ts"
import { RefusalTally } from "../ports/refusal-tally.ts"
import type { RefusalSummary, RefusedClient } from "../ports/refusal-tally.ts"

const TOP = 10

/**
 * Several processes' refusals as one: counts by reason add up, a client's counts add up (its
 * latest reason is that of the summary read last), and the ten refused most are kept.
 */
export const mergeRefusals = (summaries: ReadonlyArray<RefusalSummary>, at: number): RefusalSummary => {
  const byReason = Object.fromEntries(REFUSAL_REASONS.map((reason) => [reason, 0])) as Record<RefusalReason, number>
  const clients = new Map<string, RefusedClient>()
  for (const summary of summaries) {
    for (const reason of REFUSAL_REASONS) byReason[reason] += summary.byReason[reason] ?? 0
    for (const client of summary.topClients) {
      const known = clients.get(client.client)
      clients.set(client.client, { ...client, count: client.count + (known?.count ?? 0) })
    }
  }
  const topClients = [...clients.values()].sort((a, b) => b.count - a.count || (a.client < b.client ? -1 : 1)).slice(0, TOP)
  return { since: at - 3_600_000, at, byReason, topClients }
}

/** The daemon as seen from its processes' parts: workers in the order of their ids. */
export const daemonFactsOf = (parts: ReadonlyArray<ProcessConsole>, at: number): DaemonFactsReading => ({
  processes: parts.map((part) => part.facts).sort((a, b) => (a.worker ?? 0) - (b.worker ?? 0) || a.pid - b.pid),
  refusals: mergeRefusals(parts.map((part) => part.refusals), at)
})

/** This process's part: its facts, and the refusals its tally counted. */
export const ProcessConsoleLayer = (facts: Effect.Effect<ProcessFacts>) =>
  Layer.effect(ProcessConsoleReader, Effect.gen(function*() {
    const tally = yield* RefusalTally
    return ProcessConsoleReader.of({
      read: Effect.gen(function*() {
        return { facts: yield* facts, refusals: tally.summary(yield* Clock.currentTimeMillis) }
      })
    })
  }))

/** smtp-threads: 1: the daemon is this process. */
export const LocalDaemonFacts = Layer.effect(DaemonFacts, Effect.gen(function*() {
  const reader = yield* ProcessConsoleReader
  return DaemonFacts.of({
    read: Effect.gen(function*() {
      return daemonFactsOf([yield* reader.read], yield* Clock.currentTimeMillis)
    })
  })
}))
