import { DOMAIN_RULES, runPlan } from "./run-plan.ts"
import type { BudgetRules, SimulationLimits, SimulationRun } from "./run-plan.ts"
import { DEFAULT_SCENARIO, planScenario } from "./scenario.ts"
import type { Plan, Scenario } from "./scenario.ts"
import { shrinkPlan } from "./shrink-plan.ts"

export { DOMAIN_RULES, runPlan } from "./run-plan.ts"
export type {
  BudgetRules,
  ClientOutcome,
  SecondOfRun,
  SimulationLimits,
  SimulationRun,
  SimulationSummary,
  Violation
} from "./run-plan.ts"
export { shrinkPlan } from "./shrink-plan.ts"

export interface SimulationResult extends SimulationRun {
  readonly seed: number
  readonly limits: SimulationLimits
  readonly scenario: Scenario
  /** on a violation: the fewest clients and connections that still break an invariant, to replay as a scenario's `plan` */
  readonly shrunk: Plan | undefined
}

/**
 * The simulation, as the library and `smtp-intake simulate` offer it: the scenario (each field
 * defaulted) planned from the seed, run, and on a violation the shrunk plan that replays it.
 */
export const simulateConnections = (
  limits: SimulationLimits,
  scenario: Partial<Scenario> = {},
  seed = 1,
  rules: BudgetRules = DOMAIN_RULES
): SimulationResult => {
  const resolved: Scenario = { ...DEFAULT_SCENARIO, ...scenario }
  const plan = planScenario(resolved, seed)
  const run = runPlan(limits, plan, rules)
  const shrunk = run.violation === undefined ? undefined : shrinkPlan(limits, plan, run.violation.atMs, rules)
  return { seed, limits, scenario: resolved, ...run, shrunk }
}
