import type { HistogramSnapshot, MetricsSnapshot } from "../../application/ports/metrics.ts"

const addRecords = <K extends string>(a: Readonly<Record<K, number>>, b: Readonly<Record<K, number>>): Record<K, number> => {
  const out = { ...a } as Record<K, number>
  for (const key of Object.keys(b) as Array<K>) out[key] = (a[key] ?? 0) + b[key]
  return out
}

const addHistograms = (a: HistogramSnapshot, b: HistogramSnapshot): HistogramSnapshot => ({
  buckets: Array.from({ length: Math.max(a.buckets.length, b.buckets.length) }, (_, i) => (a.buckets[i] ?? 0) + (b.buckets[i] ?? 0)),
  count: a.count + b.count,
  sum: a.sum + b.sum
})

/**
 * The backend label of two snapshots. Every worker reads the same config, so the labels agree;
 * "none" (an empty snapshot's) gives way to a real one, and the smaller name wins otherwise, only so
 * that the merge stays commutative and associative for any input.
 */
const backendOf = (a: string, b: string) => (a === "none" ? b : b === "none" ? a : a < b ? a : b)

/**
 * Two processes' metrics as one (smtp-threads > 1: the whole daemon). Counters and histogram buckets
 * add up; so does the open-connections gauge, as every process counts only its own sessions.
 * Pure, commutative and associative, with `emptySnapshot("none")` as its identity.
 */
export const mergeSnapshots = (a: MetricsSnapshot, b: MetricsSnapshot): MetricsSnapshot => ({
  connectionsOpen: a.connectionsOpen + b.connectionsOpen,
  connectionsAccepted: a.connectionsAccepted + b.connectionsAccepted,
  connectionsRefused: addRecords(a.connectionsRefused, b.connectionsRefused),
  messages: addRecords(a.messages, b.messages),
  bytesReceived: a.bytesReceived + b.bytesReceived,
  publishSeconds: addHistograms(a.publishSeconds, b.publishSeconds),
  authBackend: backendOf(a.authBackend, b.authBackend),
  authFailures: addRecords(a.authFailures, b.authFailures)
})

/** Many snapshots as one, starting from `initial` (an empty snapshot, or what workers that are gone left). */
export const mergeAll = (initial: MetricsSnapshot, snapshots: Iterable<MetricsSnapshot>): MetricsSnapshot => {
  let total = initial
  for (const snapshot of snapshots) total = mergeSnapshots(total, snapshot)
  return total
}
