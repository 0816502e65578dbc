/**
 * `smtp-intake simulate` runs the domain's budget rules in simulated time; the daemon runs them
 * inside the keeper (`application/connection-budget-keeper.ts`), with fibers, deferreds and
 * timeouts. Here one plan goes through both, the keeper under Effect's TestClock, and every client
 * must end the same way at the same moment: what the simulator says of a config is what the
 * daemon does.
 */
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { makeConnectionBudget } from "../../application/connection-budget-keeper.ts"
import { planScenario, DEFAULT_SCENARIO } from "../../domain/connections/simulation/scenario.ts"
import type { Plan, Scenario } from "../../domain/connections/simulation/scenario.ts"
import { runPlan } from "../../domain/connections/simulation/simulate-connections.ts"
import type { SimulationLimits } from "../../domain/connections/simulation/simulate-connections.ts"

type Outcome = { readonly client: number; readonly ended: "admitted" | "refused" | "left"; readonly atMs: number }

/** The plan through the real keeper: each client a fiber, as the SMTP listener serves it. */
const throughKeeper = (limits: SimulationLimits, plan: Plan) =>
  Effect.gen(function*() {
    const budget = yield* makeConnectionBudget(limits, limits.maxWaitMs)
    const outcomes: Array<Outcome> = []
    let granted = 0
    const clients = plan.clients.map((client, i) =>
      Effect.gen(function*() {
        yield* Effect.sleep(client.atMs)
        const ask = budget.admitIncoming(String(i))
        const answer = client.patienceMs === undefined || client.patienceMs >= limits.maxWaitMs
          ? yield* ask
          : yield* ask.pipe(Effect.raceFirst(Effect.sleep(client.patienceMs).pipe(Effect.as("left" as const))))
        outcomes.push({ client: i, ended: answer, atMs: yield* Clock.currentTimeMillis })
        if (answer !== "admitted") return
        yield* Effect.sleep(client.holdMs)
        yield* budget.releaseIncoming(String(i))
      }))
    const links = plan.outgoing.map((link) =>
      Effect.gen(function*() {
        yield* Effect.sleep(link.atMs)
        if (!(yield* budget.acquireOutgoing)) return
        granted++
        yield* Effect.sleep(link.holdMs)
        yield* budget.releaseOutgoing
      }))
    const fibers = yield* Effect.forEach([...clients, ...links], (f) => Effect.forkChild(f, { startImmediately: true }))
    yield* TestClock.adjust(10 * 60_000)
    yield* Effect.forEach(fibers, Fiber.await)
    return { outcomes: outcomes.sort((a, b) => a.client - b.client), granted }
  }).pipe(Effect.provide(TestClock.layer()))

const LIMITS: ReadonlyArray<SimulationLimits> = [
  { total: 100, incoming: 50, outgoing: 75, maxWaiting: 25, maxWaitMs: 5_000 },
  { total: undefined, incoming: 20, outgoing: undefined, maxWaiting: 1000, maxWaitMs: 15_000 },
  { total: 10, incoming: undefined, outgoing: 6, maxWaiting: 5, maxWaitMs: 3_000 }
]

const SCENARIO: Scenario = {
  ...DEFAULT_SCENARIO,
  arrivals: [{ fromSecond: 0, toSecond: 30, clients: 200 }],
  bursts: [{ atSecond: 10, clients: 40 }],
  sessionSeconds: { min: 0.5, max: 12 },
  patienceSeconds: 4,
  outgoing: [{ fromSecond: 0, toSecond: 30, connections: 120, holdSeconds: { min: 0.2, max: 8 } }]
}

describe("the simulator and the daemon's keeper agree", () => {
  for (const limits of LIMITS) {
    it.effect(`limits ${JSON.stringify(limits)}: every client ends the same way at the same moment`, () =>
      Effect.gen(function*() {
        for (const seed of [1, 2, 3]) {
          const plan = planScenario(SCENARIO, seed)
          const simulated = runPlan(limits, plan)
          assert.isUndefined(simulated.violation)
          const kept = yield* throughKeeper(limits, plan)
          assert.deepStrictEqual(kept.outcomes.map(({ ended, atMs }) => ({ ended, atMs })), simulated.outcomes, `seed ${seed}`)
          assert.strictEqual(kept.granted, simulated.summary.outgoingGranted)
          assert.isAbove(simulated.summary.admittedAfterWait + simulated.summary.refusedAfterWait + simulated.summary.leftWhileWaiting, 0)
        }
      }))
  }
})
