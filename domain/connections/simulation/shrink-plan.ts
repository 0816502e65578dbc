import type { Plan, PlannedClient } from "./scenario.ts"
import { DOMAIN_RULES, runPlan } from "./run-plan.ts"
import type { BudgetRules, SimulationLimits } from "./run-plan.ts"

type Item = { readonly client: PlannedClient } | { readonly link: Plan["outgoing"][number] }

const toPlan = (items: ReadonlyArray<Item>): Plan => ({
  clients: items.flatMap((item) => ("client" in item ? [item.client] : [])),
  outgoing: items.flatMap((item) => ("link" in item ? [item.link] : []))
})

/** At most this many re-runs are spent on shrinking. */
const SHRINK_RUNS = 2_000

/**
 * The fewest clients and connections that still break an invariant: what comes after the
 * violation is dropped, then ever smaller chunks are taken out while the run still fails.
 */
export const shrinkPlan = (limits: SimulationLimits, plan: Plan, atMs: number, rules: BudgetRules = DOMAIN_RULES): Plan => {
  let items: Array<Item> = [
    ...plan.clients.filter((c) => c.atMs <= atMs).map((client) => ({ client })),
    ...plan.outgoing.filter((o) => o.atMs <= atMs).map((link) => ({ link }))
  ]
  const fails = (candidate: ReadonlyArray<Item>) => runPlan(limits, toPlan(candidate), rules).violation !== undefined
  let runs = 0
  for (let chunk = Math.ceil(items.length / 2); chunk >= 1 && runs < SHRINK_RUNS; chunk = Math.floor(chunk / 2)) {
    for (let start = 0; start < items.length && runs < SHRINK_RUNS;) {
      const candidate = [...items.slice(0, start), ...items.slice(start + chunk)]
      runs++
      if (candidate.length < items.length && fails(candidate)) items = candidate
      else start += chunk
    }
  }
  return toPlan(items)
}
