import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import type { Fiber as FiberT } from "effect"
import { TestClock } from "effect/testing"
import { makeConnectionBudget } from "../../application/connection-budget-keeper.ts"
import type { Admission, ConnectionBudgetShape } from "../../application/ports/connection-budget.ts"
import type { BudgetLimits } from "../../domain/connections/connection-budget.ts"
import { reservedIncoming, reservedOutgoing, simulate } from "./budget-simulator.ts"
import type { Scenario, SimulationReport } from "./budget-simulator.ts"

const limits = (total: number | undefined, incoming: number | undefined, outgoing: number | undefined, maxWaiting: number): BudgetLimits =>
  ({ total, incoming, outgoing, maxWaiting })

const SCENARIOS: ReadonlyArray<Scenario> = [
  { name: "the seed's example: total 100, in 50, out 75", limits: limits(100, 50, 75, 25), maxWaitMs: 500 },
  { name: "only total 100", limits: limits(100, undefined, undefined, 40), maxWaitMs: 300 },
  { name: "only incoming 50", limits: limits(undefined, 50, undefined, 10), maxWaitMs: 400 },
  { name: "tiny: total 1, in 1, out 1", limits: limits(1, 1, 1, 2), maxWaitMs: 500 },
  { name: "total 3, in 2, out 2", limits: limits(3, 2, 2, 3), maxWaitMs: 800 },
  { name: "incoming cap under the reserve: total 20, in 5, out 10", limits: limits(20, 5, 10, 4), maxWaitMs: 1_200 },
  { name: "nobody may wait: total 10, in 6, out 6, maxWaiting 0", limits: limits(10, 6, 6, 0), maxWaitMs: 1_000 }
]

/** SIMULATION_SEED=n replays that one seed in every scenario; SIMULATION_SEEDS / _EVENTS make a longer soak */
const env = (name: string) => (process.env[name] === undefined ? undefined : Number(process.env[name]))
const replay = env("SIMULATION_SEED")
const SEEDS_PER_SCENARIO = env("SIMULATION_SEEDS") ?? 12
const EVENTS_PER_SEED = env("SIMULATION_EVENTS") ?? 1_000
const seeds = replay === undefined ? Array.from({ length: SEEDS_PER_SCENARIO }, (_, i) => i + 1) : [replay]

/** the reports of all seeds added up (peaks: the highest) */
type Totals = { -readonly [K in keyof SimulationReport]: number }

const add = (a: Totals, b: SimulationReport): Totals => {
  const sum = { ...a }
  for (const key of Object.keys(b) as Array<keyof SimulationReport>) {
    sum[key] = key.startsWith("peak") ? Math.max(a[key], b[key]) : a[key] + b[key]
  }
  return sum
}

const runSeeds = (scenario: Scenario) =>
  Effect.gen(function*() {
    let totals: Totals | undefined
    for (const seed of seeds) {
      const result = yield* Effect.result(simulate({ seed, scenario, events: EVENTS_PER_SEED }))
      if (result._tag === "Failure") return assert.fail(result.failure.message)
      totals = totals === undefined ? result.success : add(totals, result.success)
    }
    return totals!
  })

describe("connection budget: deterministic simulation of the real keeper", () => {
  for (const scenario of SCENARIOS) {
    it.effect(`${scenario.name}: ${seeds.length} seed(s) × ${EVENTS_PER_SEED} events keep every invariant`, () =>
      Effect.gen(function*() {
        const totals = yield* runSeeds(scenario)
        if (replay !== undefined || seeds.length < 12) return
        // the schedules really reach the interesting states: every cap full, waits, refusals, hang-ups
        const { limits: l } = scenario
        if (l.incoming !== undefined) assert.strictEqual(totals.peakIncoming, l.incoming, "peak incoming")
        if (l.outgoing !== undefined) assert.strictEqual(totals.peakOutgoing, l.outgoing, "peak outgoing")
        if (l.total !== undefined) {
          assert.strictEqual(totals.peakTotal, Math.min(l.total, (l.incoming ?? Infinity) + (l.outgoing ?? Infinity)), "peak total")
        }
        if (l.outgoing !== undefined || l.total !== undefined) assert.isAbove(totals.outgoingDenied, 0, "outgoingDenied")
        assert.isAbove(totals.refusedAtOnce, 0, "refusedAtOnce")
        if (l.maxWaiting > 0) {
          assert.strictEqual(totals.peakWaiting, l.maxWaiting)
          for (const key of ["admittedAfterWait", "refusedAfterWait", "leftWhileWaiting"] as const) assert.isAbove(totals[key], 0, key)
        }
      }))
  }

  it.effect("the same seed gives the same run", () =>
    Effect.gen(function*() {
      const scenario = SCENARIOS[0]!
      const once = yield* simulate({ seed: 7, scenario, events: 1_000 })
      assert.deepStrictEqual(yield* simulate({ seed: 7, scenario, events: 1_000 }), once)
      assert.notDeepEqual(yield* simulate({ seed: 8, scenario, events: 1_000 }), once)
    }))
})

// ---------------------------------------------------------------- directed scenarios, by hand

/** a client arrives: its fiber has asked for a slot and is now admitted, refused or waiting */
const arrive = (budget: ConnectionBudgetShape, id: string) => Effect.forkChild(budget.admitIncoming(id), { startImmediately: true })

const answer = (fiber: FiberT.Fiber<Admission>): Admission | "waiting" | "left" => {
  const exit = fiber.pollUnsafe()
  return exit === undefined ? "waiting" : Exit.isSuccess(exit) ? exit.value : "left"
}

const arriveMany = (budget: ConnectionBudgetShape, from: number, count: number) =>
  Effect.forEach(Array.from({ length: count }, (_, i) => `c${from + i}`), (id) => arrive(budget, id))

const repeat = <A>(n: number, effect: Effect.Effect<A>) => Effect.replicateEffect(effect, n)

describe("connection budget: directed scenarios", () => {
  it.effect("the seed's worked example: 75 outgoing leave 25 for incoming, which grows to 50 when sending slows", () =>
    Effect.gen(function*() {
      const seedLimits = limits(100, 50, 75, 100)
      assert.deepStrictEqual([reservedIncoming(seedLimits), reservedOutgoing(seedLimits)], [25, 50])
      const budget = yield* makeConnectionBudget(seedLimits, 60_000)
      assert.deepStrictEqual(yield* repeat(76, budget.acquireOutgoing), [...Array(75).fill(true), false])
      const first = yield* arriveMany(budget, 1, 26)
      assert.deepStrictEqual(first.map(answer), [...Array(25).fill("admitted"), "waiting"])
      assert.deepStrictEqual(yield* budget.usage, { incoming: 25, outgoing: 75, waiting: 1 })
      // sending slows down: 50 outgoing connections close, the 26th client gets in at once
      yield* repeat(50, budget.releaseOutgoing)
      assert.strictEqual(answer(first[25]!), "admitted")
      const more = yield* arriveMany(budget, 27, 25)
      assert.deepStrictEqual(more.map(answer), [...Array(24).fill("admitted"), "waiting"]) // c51 waits: 50 is the incoming limit
      assert.deepStrictEqual(yield* budget.usage, { incoming: 50, outgoing: 25, waiting: 1 })
      // the total still has room for 25 more outgoing, not more
      assert.deepStrictEqual(yield* repeat(26, budget.acquireOutgoing), [...Array(25).fill(true), false])
    }))

  it.effect("only the global limit: 100 outgoing make incoming wait; 100 incoming stop all sending", () =>
    Effect.gen(function*() {
      const sending = yield* makeConnectionBudget(limits(100, undefined, undefined, 10), 60_000)
      yield* repeat(100, sending.acquireOutgoing)
      assert.strictEqual(answer(yield* arrive(sending, "c1")), "waiting")
      const receiving = yield* makeConnectionBudget(limits(100, undefined, undefined, 10), 60_000)
      assert.deepStrictEqual((yield* arriveMany(receiving, 1, 100)).map(answer), Array(100).fill("admitted"))
      assert.isFalse(yield* receiving.acquireOutgoing)
    }))

  it.effect("waiting clients are admitted in arrival order", () =>
    Effect.gen(function*() {
      const budget = yield* makeConnectionBudget(limits(1, undefined, undefined, 10), 60_000)
      const [a, b, c, d] = yield* arriveMany(budget, 1, 4)
      assert.deepStrictEqual([a, b, c, d].map((f) => answer(f!)), ["admitted", "waiting", "waiting", "waiting"])
      yield* budget.releaseIncoming("c1")
      assert.deepStrictEqual([b, c, d].map((f) => answer(f!)), ["admitted", "waiting", "waiting"])
      yield* budget.releaseIncoming("c2")
      assert.deepStrictEqual([c, d].map((f) => answer(f!)), ["admitted", "waiting"])
      // a newcomer does not jump the queue even when a slot frees just as it arrives
      yield* budget.releaseIncoming("c3")
      const e = yield* arrive(budget, "c5")
      assert.deepStrictEqual([d, e].map((f) => answer(f!)), ["admitted", "waiting"])
    }))

  it.effect("a waiting client is refused after maxWaitMs; over maxWaiting, at once", () =>
    Effect.gen(function*() {
      const budget = yield* makeConnectionBudget(limits(1, undefined, undefined, 2), 1_000)
      yield* arrive(budget, "c1")
      const held = yield* arriveMany(budget, 2, 3)
      assert.deepStrictEqual(held.map(answer), ["waiting", "waiting", "refused"])
      yield* TestClock.adjust(999)
      assert.deepStrictEqual(held.map(answer), ["waiting", "waiting", "refused"])
      yield* TestClock.adjust(1)
      assert.deepStrictEqual(held.map(answer), ["refused", "refused", "refused"])
      assert.deepStrictEqual(yield* budget.usage, { incoming: 1, outgoing: 0, waiting: 0 })
    }))

  it.effect("a client leaving while held frees nothing and blocks nobody", () =>
    Effect.gen(function*() {
      const budget = yield* makeConnectionBudget(limits(1, undefined, undefined, 10), 60_000)
      yield* arrive(budget, "c1")
      const [b, c] = yield* arriveMany(budget, 2, 2)
      yield* Fiber.interrupt(b!)
      assert.strictEqual(answer(b!), "left")
      assert.deepStrictEqual(yield* budget.usage, { incoming: 1, outgoing: 0, waiting: 1 })
      yield* budget.releaseIncoming("c1")
      assert.strictEqual(answer(c!), "admitted")
      assert.deepStrictEqual(yield* budget.usage, { incoming: 1, outgoing: 0, waiting: 0 })
    }))

  it.effect("an admitted client leaving hands its slot to the oldest waiter", () =>
    Effect.gen(function*() {
      const budget = yield* makeConnectionBudget(limits(2, 2, undefined, 10), 60_000)
      const [, , c, d] = yield* arriveMany(budget, 1, 4)
      yield* budget.releaseIncoming("c2")
      assert.deepStrictEqual([c, d].map((f) => answer(f!)), ["admitted", "waiting"])
      assert.deepStrictEqual(yield* budget.usage, { incoming: 2, outgoing: 0, waiting: 1 })
      // an outgoing slot given back hands the freed total to the waiter just the same
      const shared = yield* makeConnectionBudget(limits(2, undefined, undefined, 10), 60_000)
      yield* repeat(2, shared.acquireOutgoing)
      const w = yield* arrive(shared, "w1")
      yield* shared.releaseOutgoing
      assert.strictEqual(answer(w), "admitted")
    }))
})
