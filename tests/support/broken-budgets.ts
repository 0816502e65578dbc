import * as budget from "../../domain/connections/connection-budget.ts"
import { DOMAIN_RULES } from "../../domain/connections/simulation/simulate-connections.ts"
import type { BudgetRules } from "../../domain/connections/simulation/simulate-connections.ts"

/** Budget rules broken on purpose, for the simulation to catch: whenever a slot frees, one more client than fits is let in. */
export const leakyBudget: BudgetRules = {
  ...DOMAIN_RULES,
  releaseIncoming: (limits, state) => {
    const step = budget.releaseIncoming(limits, state)
    const [extra, ...rest] = step.state.waiting
    return extra === undefined ? step : { state: { ...step.state, incoming: step.state.incoming + 1, waiting: rest }, admitted: [...step.admitted, extra] }
  }
}
