import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { changeLimits, incomingFits } from "../../../domain/connections/connection-budget.ts"
import type { BudgetLimits, BudgetState } from "../../../domain/connections/connection-budget.ts"

const limit = fc.option(fc.integer({ min: 1, max: 25 }), { nil: undefined })
const limits: fc.Arbitrary<BudgetLimits> = fc.record({ total: limit, incoming: limit, outgoing: limit, maxWaiting: fc.integer({ min: 0, max: 20 }) })
const state: fc.Arbitrary<BudgetState> = fc.record({
  incoming: fc.integer({ min: 0, max: 30 }),
  outgoing: fc.integer({ min: 0, max: 30 }),
  waiting: fc.uniqueArray(fc.integer({ min: 1, max: 1000 }).map((n) => `c${n}`), { maxLength: 12 })
})

/** Every limit of `tighter` is at most the same limit of `looser` (unset is no limit). */
const noLooser = (tighter: BudgetLimits, looser: BudgetLimits) =>
  (["total", "incoming", "outgoing"] as const).every((k) => looser[k] === undefined || (tighter[k] !== undefined && tighter[k] <= looser[k]))

describe("changeLimits", () => {
  it("admits the longest-waiting connections that now fit, in arrival order, and drops nobody", () => {
    fc.assert(fc.property(limits, state, (next, before) => {
      const { state: after, admitted } = changeLimits(next, before)
      expect(admitted).toEqual(before.waiting.slice(0, admitted.length))
      expect(after.waiting).toEqual(before.waiting.slice(admitted.length))
      expect(after.incoming).toBe(before.incoming + admitted.length)
      expect(after.outgoing).toBe(before.outgoing)
      // each one admitted fitted under the new limits when it came in
      if (admitted.length > 0) expect(incomingFits(next, { ...after, incoming: after.incoming - 1 })).toBe(true)
      // and nobody is left waiting while there is room
      if (after.waiting.length > 0) expect(incomingFits(next, after)).toBe(false)
    }), { numRuns: 1000 })
  })

  it("tightened limits admit nobody who waited under the old ones (connections over them keep their slots)", () => {
    fc.assert(fc.property(limits, limits, state, (old, tighter, before) => {
      fc.pre(noLooser(tighter, old))
      // a state the old limits left waiting: no room for the first in line
      fc.pre(before.waiting.length > 0 && !incomingFits(old, before))
      expect(changeLimits(tighter, before)).toEqual({ state: before, admitted: [] })
    }), { numRuns: 1000 })
  })

  it("the same limits again change nothing", () => {
    fc.assert(fc.property(limits, state, (same, before) => {
      const once = changeLimits(same, before)
      expect(changeLimits(same, once.state)).toEqual({ state: once.state, admitted: [] })
    }))
  })
})
