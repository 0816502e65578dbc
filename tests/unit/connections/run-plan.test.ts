import { describe, expect, it } from "vitest"
import { runPlan } from "../../../domain/connections/simulation/run-plan.ts"

describe("a simulated run's length and events", () => {
  it("ends with the last thing that happened: a held client's timers after it was admitted are no events", () => {
    const limits = { total: undefined, incoming: 1, outgoing: undefined, maxWaiting: 10, maxWaitMs: 60_000 }
    const plan = {
      clients: [
        { atMs: 0, holdMs: 1_000 },
        // held until the first leaves at 1 s, then stays 0.5 s; its 60 s wait bound and 30 s patience never come due
        { atMs: 100, holdMs: 500, patienceMs: 30_000 }
      ],
      outgoing: []
    }
    const run = runPlan(limits, plan)
    expect(run.violation).toBeUndefined()
    expect(run.summary.simulatedMs).toBe(1_500)
    // two arrivals and two session ends
    expect(run.summary.steps).toBe(4)
    expect(run.summary.admittedAfterWait).toBe(1)
    expect(run.timeline.at(-1)?.second).toBe(1)
  })
})
