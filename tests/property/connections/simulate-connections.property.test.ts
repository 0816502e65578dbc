import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { DOMAIN_RULES, runPlan, simulateConnections } from "../../../domain/connections/simulation/simulate-connections.ts"
import type { BudgetRules, SimulationLimits } from "../../../domain/connections/simulation/simulate-connections.ts"
import type { Scenario } from "../../../domain/connections/simulation/scenario.ts"
import { leakyBudget } from "../../support/broken-budgets.ts"

const limit = fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined })
const limits: fc.Arbitrary<SimulationLimits> = fc.record({
  total: limit,
  incoming: limit,
  outgoing: limit,
  maxWaiting: fc.integer({ min: 0, max: 40 }),
  maxWaitMs: fc.integer({ min: 1, max: 60 }).map((s) => s * 1000)
})
const span = fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })).map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }))
const scenario: fc.Arbitrary<Partial<Scenario>> = fc.record({
  arrivals: fc.array(fc.record({ fromSecond: fc.integer({ min: 0, max: 30 }), toSecond: fc.integer({ min: 31, max: 60 }), clients: fc.integer({ min: 0, max: 120 }) }), { maxLength: 3 }),
  bursts: fc.array(fc.record({ atSecond: fc.integer({ min: 0, max: 60 }), clients: fc.integer({ min: 0, max: 60 }) }), { maxLength: 2 }),
  sessionSeconds: span,
  patienceSeconds: fc.option(fc.integer({ min: 0, max: 90 }), { nil: undefined }),
  outgoing: fc.array(fc.record({ fromSecond: fc.integer({ min: 0, max: 30 }), toSecond: fc.integer({ min: 31, max: 60 }), connections: fc.integer({ min: 0, max: 80 }), holdSeconds: span }), { maxLength: 2 })
})

describe("simulateConnections over the domain's budget", () => {
  it("keeps every invariant for any limits and load, and accounts for every client once", () => {
    fc.assert(fc.property(limits, scenario, fc.nat(), (l, s, seed) => {
      const { violation, summary } = simulateConnections(l, s, seed)
      expect(violation).toBeUndefined()
      const ended = summary.admittedAtOnce + summary.admittedAfterWait + summary.refusedAfterWait + summary.refusedAtOnce + summary.leftWhileWaiting
      expect(ended).toBe(summary.clients)
      expect(summary.held).toBe(summary.admittedAfterWait + summary.refusedAfterWait + summary.leftWhileWaiting)
      expect(summary.waitMs.max).toBeLessThanOrEqual(l.maxWaitMs)
      if (l.incoming !== undefined) expect(summary.peak.incoming).toBeLessThanOrEqual(l.incoming)
      if (l.total !== undefined) expect(summary.peak.total).toBeLessThanOrEqual(l.total)
    }), { numRuns: 300 })
  })

  it("gives the same run for the same seed, and another for another seed", () => {
    fc.assert(fc.property(limits, scenario, fc.nat(), (l, s, seed) => {
      expect(simulateConnections(l, s, seed)).toEqual(simulateConnections(l, s, seed))
    }), { numRuns: 50 })
    const l: SimulationLimits = { total: undefined, incoming: 20, outgoing: undefined, maxWaiting: 100, maxWaitMs: 30_000 }
    expect(simulateConnections(l, {}, 1).timeline).not.toEqual(simulateConnections(l, {}, 2).timeline)
  })

  it("runs with no scenario at all", () => {
    const { summary } = simulateConnections({ total: 100, incoming: 50, outgoing: 75, maxWaiting: 1000, maxWaitMs: 60_000 })
    expect(summary.clients).toBeGreaterThan(0)
    expect(summary.outgoingAttempts).toBeGreaterThan(0)
  })

  it("finds a broken rule, and shrinks the run to the fewest clients that still break it", () => {
    const l: SimulationLimits = { total: undefined, incoming: 3, outgoing: undefined, maxWaiting: 100, maxWaitMs: 60_000 }
    const result = simulateConnections(l, { arrivals: [{ fromSecond: 0, toSecond: 10, clients: 50 }], bursts: [], outgoing: [] }, 7, leakyBudget)
    expect(result.violation?.message).toMatch(/over the incoming limit 3/)
    // 3 in, 2 waiting; one leaves and lets two in: 5 clients are the least that show it
    expect(result.shrunk?.clients).toHaveLength(5)
    expect(result.shrunk?.outgoing).toEqual([])
    const replayed = runPlan(l, result.shrunk!, leakyBudget)
    expect(replayed.violation?.message).toBe(result.violation?.message)
    expect(runPlan(l, result.shrunk!).violation).toBeUndefined()
  })

  it("finds a budget that leaves a freed slot idle while clients wait", () => {
    const idle: BudgetRules = {
      ...DOMAIN_RULES,
      releaseIncoming: (_, state) => ({ state: { ...state, incoming: state.incoming - 1 }, admitted: [] })
    }
    const l: SimulationLimits = { total: 4, incoming: undefined, outgoing: undefined, maxWaiting: 100, maxWaitMs: 60_000 }
    const result = simulateConnections(l, {}, 3, idle)
    expect(result.violation?.message).toMatch(/a free slot is left idle while \d+ client\(s\) wait/)
    // 4 in, 1 waiting, one leaves: the least that shows it
    expect(result.shrunk?.clients).toHaveLength(5)
    expect(runPlan(l, result.shrunk!, idle).violation?.message).toMatch(/a free slot is left idle while 1 client\(s\) wait/)
  })
})
