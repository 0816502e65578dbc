import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { admissionWaitMs, budgetLimits } from "../domain/connections/budget-settings.ts"
import { describeSimulation, limitsAsJson } from "../domain/connections/simulation/describe-simulation.ts"
import { parseScenario } from "../domain/connections/simulation/scenario.ts"
import type { Scenario } from "../domain/connections/simulation/scenario.ts"
import { DOMAIN_RULES, simulateConnections } from "../domain/connections/simulation/simulate-connections.ts"
import type { BudgetRules, SimulationResult } from "../domain/connections/simulation/simulate-connections.ts"
import { loadConfig } from "./config/load-config.ts"

export interface SimulateOptions {
  readonly config: string
  readonly scenario: string | undefined
  readonly seed: string | undefined
  readonly json: boolean
}

const refuse = (message: string) => {
  process.stderr.write(`smtp-intake simulate: ${message}\n`)
  process.exitCode = 2
}

const readScenario = (file: string | undefined): Scenario | string => {
  if (file === undefined) return {} as Scenario
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch (error) {
    return `${file}: cannot read the scenario: ${(error as NodeJS.ErrnoException).code ?? String(error)}`
  }
  const parsed = parseScenario(text)
  return parsed.ok ? parsed.value : `${file}: ${parsed.error}`
}

const asJson = (result: SimulationResult, threads: number) =>
  JSON.stringify({
    seed: result.seed,
    limits: { ...limitsAsJson(result.limits), smtpThreads: threads },
    scenario: result.scenario,
    summary: result.summary,
    violation: result.violation ?? null,
    shrunk: result.shrunk ?? null,
    timeline: result.timeline
  }, null, 2)

/** On a violation: the shrunk plan as a scenario file, and the command that replays it. */
const replayHint = (options: SimulateOptions, result: SimulationResult) => {
  // a directory of its own: a fixed name in the shared /tmp could be another user's file or link
  const file = join(mkdtempSync(join(tmpdir(), "smtp-intake-simulate-")), `failure-seed-${result.seed}.json`)
  writeFileSync(file, `${JSON.stringify({ plan: result.shrunk }, null, 2)}\n`)
  return `replay it: smtp-intake simulate --config ${options.config} --scenario ${file}\n`
}

/** `smtp-intake simulate --config FILE [--scenario FILE] [--seed N] [--json]`; `rules` are the budget's own but in its tests. */
export const simulate = async (options: SimulateOptions, rules: BudgetRules = DOMAIN_RULES): Promise<void> => {
  const seed = options.seed === undefined ? 1 : Number(options.seed)
  if (!Number.isSafeInteger(seed) || seed < 0) return refuse(`--seed must be a whole number of 0 or more, not "${options.seed}"`)
  const scenario = readScenario(options.scenario)
  if (typeof scenario === "string") return refuse(scenario)
  const settings = await Effect.runPromise(Effect.result(loadConfig(options.config)))
  if (settings._tag === "Failure") {
    process.stderr.write(`${settings.failure.message}\n`)
    process.exitCode = 1
    return
  }
  const limits = { ...budgetLimits(settings.success), maxWaitMs: admissionWaitMs(settings.success) }
  const result = simulateConnections(limits, scenario, seed, rules)
  const threads = settings.success.smtpThreads
  process.stdout.write(`${options.json ? asJson(result, threads) : describeSimulation(result)}\n`)
  if (!options.json && threads > 1) process.stdout.write(`smtp-threads ${threads}: the workers share this one budget (the primary holds it)\n`)
  if (result.violation === undefined) return
  process.stderr.write(replayHint(options, result))
  process.exitCode = 1
}
