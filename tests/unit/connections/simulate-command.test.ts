import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, afterEach, describe, expect, it, vi } from "vitest"
import { parseScenario } from "../../../domain/connections/simulation/scenario.ts"
import { runPlan } from "../../../domain/connections/simulation/simulate-connections.ts"
import { simulate } from "../../../infrastructure/simulate-command.ts"
import { leakyBudget } from "../../support/broken-budgets.ts"

const dir = mkdtempSync(join(tmpdir(), "smtp-intake-simulate-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
afterEach(() => {
  vi.restoreAllMocks()
  process.exitCode = undefined
})

/** Runs the command in this process, with what it writes to stdout and stderr. */
const capture = async (run: () => Promise<void>) => {
  let stdout = ""
  let stderr = ""
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true))
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true))
  await run()
  vi.restoreAllMocks()
  return { stdout, stderr, code: process.exitCode }
}

describe("smtp-intake simulate, when the budget breaks an invariant", () => {
  it("prints the violation and the shortest failing run, writes it as a scenario, and says how to replay it", async () => {
    const config = join(dir, "limits.conf")
    writeFileSync(config, "smtp-connections-in: 3\n")
    const { stdout, stderr, code } = await capture(() => simulate({ config, scenario: undefined, seed: "5", json: false }, leakyBudget))
    expect(code).toBe(1)
    expect(stdout).toMatch(/INVARIANT BROKEN at event \d+ \(t = \d+ ms, client c\d+ ends its session\): 4 incoming connections, over the incoming limit 3/)
    expect(stdout).toContain("shortest failing run: 5 clients and 0 outgoing connections")
    const replay = /^replay it: smtp-intake simulate --config (\S+) --scenario (\S+)$/m.exec(stderr)
    expect(replay?.[1]).toBe(config)
    // in a directory of its own, not at a name anyone could have put there first
    expect(dirname(replay![2]!)).not.toBe(tmpdir())
    const scenario = parseScenario(readFileSync(replay![2]!, "utf8"))
    if (!scenario.ok) throw new Error(scenario.error)
    // the run is short enough to print: one line per client, as in the file
    const printed = stdout.split("\n").filter((line) => line.startsWith("  client   arrives at "))
    expect(printed).toEqual(scenario.value.plan!.clients.map((c) => expect.stringContaining(`arrives at ${(c.atMs / 1000).toFixed(3)} s, stays ${(c.holdMs / 1000).toFixed(3)} s`)))
    const limits = { total: undefined, incoming: 3, outgoing: undefined, maxWaiting: 1000, maxWaitMs: 60_000 }
    expect(runPlan(limits, scenario.value.plan!, leakyBudget).violation?.message).toMatch(/over the incoming limit 3/)
    rmSync(dirname(replay![2]!), { recursive: true })
  })
})
