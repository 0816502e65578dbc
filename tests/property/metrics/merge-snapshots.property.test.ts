import { Effect } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { makeInMemoryMetrics } from "../../../adapters/metrics/in-memory-metrics.ts"
import { mergeAll, mergeSnapshots } from "../../../adapters/metrics/merge-snapshots.ts"
import { AUTH_FAILURES, CONNECTION_REFUSALS, emptySnapshot, MESSAGE_OUTCOMES, PUBLISH_SECONDS_BUCKETS } from "../../../application/ports/metrics.ts"
import type { MetricsShape, MetricsSnapshot } from "../../../application/ports/metrics.ts"

const count = fc.nat(1_000_000)
/** Multiples of 1/1024 add up exactly in floating point, so sums compare with toEqual in any order. */
const seconds = fc.nat(1_000_000).map((n) => n / 1024)
const counts = <K extends string>(keys: ReadonlyArray<K>) =>
  fc.tuple(...keys.map(() => count)).map((values) => Object.fromEntries(keys.map((k, i) => [k, values[i] ?? 0])) as Record<K, number>)

const snapshot: fc.Arbitrary<MetricsSnapshot> = fc.record({
  connectionsOpen: fc.nat(1_000),
  connectionsAccepted: count,
  connectionsRefused: counts(CONNECTION_REFUSALS),
  messages: counts(MESSAGE_OUTCOMES),
  bytesReceived: count,
  publishSeconds: fc.record({
    buckets: fc.array(count, { minLength: PUBLISH_SECONDS_BUCKETS.length, maxLength: PUBLISH_SECONDS_BUCKETS.length }),
    count,
    sum: seconds
  }),
  authBackend: fc.constantFrom("none", "hardcoded", "ldap"),
  authFailures: counts(AUTH_FAILURES)
})

describe("merging metrics snapshots (the whole daemon from its workers)", () => {
  it("is commutative", () => {
    fc.assert(fc.property(snapshot, snapshot, (a, b) => {
      expect(mergeSnapshots(a, b)).toEqual(mergeSnapshots(b, a))
    }))
  })

  it("is associative", () => {
    fc.assert(fc.property(snapshot, snapshot, snapshot, (a, b, c) => {
      expect(mergeSnapshots(mergeSnapshots(a, b), c)).toEqual(mergeSnapshots(a, mergeSnapshots(b, c)))
    }))
  })

  it("has the empty snapshot as identity, on either side", () => {
    fc.assert(fc.property(snapshot, (a) => {
      expect(mergeSnapshots(emptySnapshot("none"), a)).toEqual(a)
      expect(mergeSnapshots(a, emptySnapshot("none"))).toEqual(a)
      expect(mergeSnapshots(emptySnapshot(a.authBackend), a)).toEqual(a)
    }))
  })

  it("totals every counter, bucket and gauge as the sum over the workers", () => {
    fc.assert(fc.property(fc.array(snapshot, { maxLength: 8 }), (workers) => {
      const total = mergeAll(emptySnapshot("none"), workers)
      const sum = (pick: (s: MetricsSnapshot) => number) => workers.reduce((acc, s) => acc + pick(s), 0)
      expect(total.connectionsOpen).toBe(sum((s) => s.connectionsOpen))
      expect(total.connectionsAccepted).toBe(sum((s) => s.connectionsAccepted))
      expect(total.bytesReceived).toBe(sum((s) => s.bytesReceived))
      for (const reason of CONNECTION_REFUSALS) expect(total.connectionsRefused[reason]).toBe(sum((s) => s.connectionsRefused[reason]))
      for (const outcome of MESSAGE_OUTCOMES) expect(total.messages[outcome]).toBe(sum((s) => s.messages[outcome]))
      for (const reason of AUTH_FAILURES) expect(total.authFailures[reason]).toBe(sum((s) => s.authFailures[reason]))
      expect(total.publishSeconds.count).toBe(sum((s) => s.publishSeconds.count))
      expect(total.publishSeconds.sum).toBe(sum((s) => s.publishSeconds.sum))
      PUBLISH_SECONDS_BUCKETS.forEach((_, i) => expect(total.publishSeconds.buckets[i]).toBe(sum((s) => s.publishSeconds.buckets[i] ?? 0)))
    }))
  })

  it("gives the same figures as one process that recorded everything the workers recorded", () => {
    type Event =
      | { readonly kind: "accepted" | "closed" }
      | { readonly kind: "refused"; readonly reason: (typeof CONNECTION_REFUSALS)[number] }
      | { readonly kind: "message"; readonly outcome: (typeof MESSAGE_OUTCOMES)[number]; readonly bytes: number }
      | { readonly kind: "publish"; readonly seconds: number }
      | { readonly kind: "auth"; readonly reason: (typeof AUTH_FAILURES)[number] }
    const event: fc.Arbitrary<Event> = fc.oneof(
      fc.constantFrom<Event>({ kind: "accepted" }, { kind: "closed" }),
      fc.constantFrom(...CONNECTION_REFUSALS).map((reason): Event => ({ kind: "refused", reason })),
      fc.record({ outcome: fc.constantFrom(...MESSAGE_OUTCOMES), bytes: fc.nat(100_000) }).map((m): Event => ({ kind: "message", ...m })),
      fc.nat(20_000).map((n): Event => ({ kind: "publish", seconds: n / 1024 })),
      fc.constantFrom(...AUTH_FAILURES).map((reason): Event => ({ kind: "auth", reason }))
    )
    const record = (metrics: MetricsShape, e: Event) => {
      switch (e.kind) {
        case "accepted": return metrics.connectionAccepted
        case "closed": return metrics.connectionClosed
        case "refused": return metrics.connectionRefused(e.reason)
        case "message": return metrics.messageReceived(e.outcome, e.bytes)
        case "publish": return metrics.publishDuration(e.seconds)
        case "auth": return metrics.authFailed(e.reason)
      }
    }
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(2), event), { maxLength: 60 }), (history) => {
      const workers = [0, 1, 2].map(() => makeInMemoryMetrics("ldap"))
      const single = makeInMemoryMetrics("ldap")
      const open = [0, 0, 0]
      for (const [n, e] of history) {
        const worker = workers[n] ?? single
        // a session closes only in the process that accepted it
        if (e.kind === "closed" && open[n] === 0) continue
        if (e.kind === "accepted") open[n] = (open[n] ?? 0) + 1
        if (e.kind === "closed") open[n] = (open[n] ?? 0) - 1
        for (const metrics of [worker, single]) {
          Effect.runSync(record(metrics, e))
        }
      }
      const merged = mergeAll(emptySnapshot("none"), workers.map((w) => Effect.runSync(w.snapshot)))
      expect(merged).toEqual(Effect.runSync(single.snapshot))
    }))
  })
})
