import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { CLIENTS_PER_WINDOW, makeRefusalTally } from "../../../application/console/refusal-tally.ts"
import { REFUSAL_REASONS } from "../../../domain/console/refusal-reason.ts"
import type { RefusalReason } from "../../../domain/console/refusal-reason.ts"

const MINUTE = 60_000
const START = Date.UTC(2026, 11, 5, 12)

/** refusals at increasing times, a few hours' worth */
const refusals = fc.array(
  fc.record({
    reason: fc.constantFrom(...REFUSAL_REASONS),
    client: fc.option(fc.integer({ min: 1, max: 40 }).map((n) => `192.0.2.${n}`), { nil: undefined }),
    gap: fc.nat(5 * MINUTE)
  }),
  { maxLength: 300 }
).map((steps) => {
  let at = START
  return steps.map((step) => ({ ...step, at: (at += step.gap) }))
})

const byReason = (list: ReadonlyArray<{ reason: RefusalReason }>) =>
  Object.fromEntries(REFUSAL_REASONS.map((reason) => [reason, list.filter((r) => r.reason === reason).length]))

describe("the refusal tally", () => {
  it("counts, for each reason, every refusal of the last hour (to the minute) and none older", () => {
    fc.assert(fc.property(refusals, (list) => {
      const tally = makeRefusalTally()
      for (const r of list) tally.record(r.reason, r.client, r.at)
      const now = (list[list.length - 1]?.at ?? START) + 1
      const lastMinute = Math.floor(now / MINUTE)
      const inHour = list.filter((r) => Math.floor(r.at / MINUTE) > lastMinute - 60)
      expect(tally.summary(now).byReason).toEqual(byReason(inHour))
    }))
  })

  it("names the clients refused most, never more than ten, each counted at least as often as it was refused in the window it is counted over", () => {
    fc.assert(fc.property(refusals, (list) => {
      const tally = makeRefusalTally()
      for (const r of list) tally.record(r.reason, r.client, r.at)
      const now = (list[list.length - 1]?.at ?? START) + 1
      const { topClients } = tally.summary(now)
      expect(topClients.length).toBeLessThanOrEqual(10)
      const counts = topClients.map((c) => c.count)
      expect(counts).toEqual([...counts].sort((a, b) => b - a))
      // with fewer clients than a window holds, counts are exact over the windows of the last hour
      const window = 10 * MINUTE
      const kept = list.filter((r) => r.client !== undefined && Math.floor(r.at / window) > Math.floor(now / window) - 6)
      for (const { client, count, reason } of topClients) {
        const own = kept.filter((r) => r.client === client)
        expect(count).toBe(own.length)
        expect(reason).toBe(own[own.length - 1]!.reason)
      }
    }))
  })

  it("holds a bounded number of clients however many distinct ones are refused, and keeps the heavy hitter", () => {
    const tally = makeRefusalTally()
    for (let i = 0; i < 50; i++) tally.record("auth", "203.0.113.1", START + i)
    for (let i = 0; i < 10 * CLIENTS_PER_WINDOW; i++) tally.record("range", `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, START + 100 + i)
    const { topClients, byReason } = tally.summary(START + 100_000)
    expect(topClients[0]).toEqual({ client: "203.0.113.1", count: 50, reason: "auth" })
    expect(byReason.range).toBe(10 * CLIENTS_PER_WINDOW)
  })
})
