import { describe, expect, it } from "vitest"
import { DEFAULT_SCENARIO, parseScenario, planScenario } from "../../../domain/connections/simulation/scenario.ts"

describe("a simulation scenario file", () => {
  it("defaults every field left out", () => {
    expect(parseScenario("{}")).toEqual({ ok: true, value: { ...DEFAULT_SCENARIO, patienceSeconds: undefined, plan: undefined } })
    const parsed = parseScenario(JSON.stringify({ arrivals: [{ fromSecond: 0, toSecond: 60, clients: 500 }], patienceSeconds: 20 }))
    expect(parsed).toMatchObject({ ok: true, value: { arrivals: [{ clients: 500 }], bursts: DEFAULT_SCENARIO.bursts, patienceSeconds: 20 } })
  })

  it("names what is wrong", () => {
    expect(parseScenario("{ arrivals: 1 }")).toMatchObject({ ok: false, error: expect.stringMatching(/^not JSON/) })
    expect(parseScenario(JSON.stringify({ arivals: [] }))).toEqual({ ok: false, error: expect.stringContaining("unknown field \"arivals\"") })
    expect(parseScenario(JSON.stringify({ arrivals: [{ fromSecond: 10, toSecond: 5, clients: 1 }] })))
      .toEqual({ ok: false, error: "arrivals[0]: toSecond must come after fromSecond" })
    expect(parseScenario(JSON.stringify({ bursts: [{ atSecond: 1, clients: -3 }] })))
      .toEqual({ ok: false, error: "bursts[0].clients must be a whole number of 0 or more" })
    expect(parseScenario(JSON.stringify({ sessionSeconds: { min: 9, max: 1 } })))
      .toEqual({ ok: false, error: "sessionSeconds: max must not be below min" })
  })

  it("plans the same clients for the same seed, within their waves, and replays an explicit plan as it is", () => {
    const scenario = { ...DEFAULT_SCENARIO, arrivals: [{ fromSecond: 5, toSecond: 6, clients: 40 }], bursts: [{ atSecond: 9, clients: 3 }] }
    const plan = planScenario(scenario, 42)
    expect(planScenario(scenario, 42)).toEqual(plan)
    expect(plan.clients.filter((c) => c.atMs >= 5000 && c.atMs < 6000)).toHaveLength(40)
    expect(plan.clients.filter((c) => c.atMs === 9000)).toHaveLength(3)
    const explicit = { clients: [{ atMs: 0, holdMs: 5 }], outgoing: [] }
    expect(planScenario({ ...scenario, plan: explicit }, 1)).toBe(explicit)
  })
})
