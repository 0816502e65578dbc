import type { Plan } from "./scenario.ts"
import type { SimulationLimits, SimulationResult } from "./simulate-connections.ts"

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
/** to the millisecond, as a replay file holds the times */
const exactSeconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`
const limit = (value: number | undefined) => (value === undefined ? "unlimited" : String(value))
const of = (value: number, max: number | undefined) => (max === undefined ? String(value) : `${value} of ${max}`)

/** The limits with "unlimited" as null, for JSON (where undefined would vanish). */
export const limitsAsJson = (limits: SimulationLimits) => ({
  total: limits.total ?? null,
  incoming: limits.incoming ?? null,
  outgoing: limits.outgoing ?? null,
  maxWaiting: limits.maxWaiting,
  maxWaitMs: limits.maxWaitMs
})

/** The readable summary of a run: peak use per budget, who was held and for how long, who got 421, the invariants. */
export const describeSimulation = (result: SimulationResult): string => {
  const { summary: s, limits } = result
  const total = (limits.total ?? Infinity)
  const lines = [
    `seed ${result.seed}: ${s.clients} clients and ${s.outgoingAttempts} outgoing connections over ${seconds(s.simulatedMs)} (simulated)`,
    `budgets: smtp-connections ${limit(limits.total)}, smtp-connections-in ${limit(limits.incoming)}, smtp-connections-out ${limit(limits.outgoing)}; ` +
    `a held client waits at most ${seconds(limits.maxWaitMs)}, at most ${limits.maxWaiting} wait`,
    `peak use: incoming ${of(s.peak.incoming, limits.incoming)}, outgoing ${of(s.peak.outgoing, limits.outgoing)}, ` +
    `total ${of(s.peak.total, total === Infinity ? undefined : total)}, waiting ${of(s.peak.waiting, limits.maxWaiting)}`,
    `clients:`,
    `  admitted at once          ${s.admittedAtOnce}`,
    `  held, then admitted       ${s.admittedAfterWait}`,
    `  held, then refused (421)  ${s.refusedAfterWait}  (after waiting ${seconds(limits.maxWaitMs)})`,
    `  refused at once (421)     ${s.refusedAtOnce}  (${limits.maxWaiting} already waiting)`,
    `  hung up while held        ${s.leftWhileWaiting}`,
    s.held === 0
      ? "held: nobody"
      : `held: ${s.held} clients; wait p50 ${seconds(s.waitMs.p50)}, p99 ${seconds(s.waitMs.p99)}, longest ${seconds(s.waitMs.max)}`,
    `outgoing: ${s.outgoingAttempts} asked for a slot, ${s.outgoingGranted} got one, ${s.outgoingAttempts - s.outgoingGranted} refused`
  ]
  const v = result.violation
  if (v === undefined) return [...lines, `invariants: checked after each of ${s.steps} events, none broken`].join("\n")
  return [
    ...lines,
    `INVARIANT BROKEN at event ${v.step} (t = ${v.atMs} ms, ${v.event}): ${v.message}`,
    ...(result.shrunk === undefined ? [] : [
      `shortest failing run: ${result.shrunk.clients.length} clients and ${result.shrunk.outgoing.length} outgoing connections`,
      ...planLines(result.shrunk)
    ])
  ].join("\n")
}

/** A shrunk run short enough to read is printed whole, one client or connection a line. */
const PRINTED_PLAN_LINES = 20

const planLines = (plan: Plan): ReadonlyArray<string> => {
  if (plan.clients.length + plan.outgoing.length > PRINTED_PLAN_LINES) return []
  return [
    ...plan.clients.map((c) =>
      `  client   arrives at ${exactSeconds(c.atMs)}, stays ${exactSeconds(c.holdMs)}${c.patienceMs === undefined ? "" : `, waits at most ${exactSeconds(c.patienceMs)}`}`),
    ...plan.outgoing.map((o) => `  outgoing at ${exactSeconds(o.atMs)}, for ${exactSeconds(o.holdMs)}`)
  ]
}
