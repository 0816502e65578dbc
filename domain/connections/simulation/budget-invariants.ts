import type { BudgetLimits } from "../connection-budget.ts"

/** The share SPEC §5 reserves for incoming: min(in, total − out). Below it nobody waits. */
export const reservedIncoming = ({ total, incoming, outgoing }: BudgetLimits): number =>
  Math.min(incoming ?? Infinity, total === undefined ? Infinity : total - (outgoing ?? total))

/** ... and for outgoing: min(out, total − in). Below it acquireOutgoing always grants. */
export const reservedOutgoing = ({ total, incoming, outgoing }: BudgetLimits): number =>
  Math.min(outgoing ?? Infinity, total === undefined ? Infinity : total - (incoming ?? total))

const below = (count: number, limit: number | undefined) => limit === undefined || count < limit
const over = (count: number, limit: number | undefined) => limit !== undefined && count > limit

/** Connections as a simulation counts them itself, independently of the budget under test. */
export interface OpenConnections {
  readonly incoming: number
  readonly outgoing: number
  readonly waiting: number
}

/** Room for one more incoming connection, by that count. */
export const incomingRoom = (limits: BudgetLimits, open: OpenConnections): boolean =>
  below(open.incoming, limits.incoming) && below(open.incoming + open.outgoing, limits.total)

export const outgoingRoom = (limits: BudgetLimits, open: OpenConnections): boolean =>
  below(open.outgoing, limits.outgoing) && below(open.incoming + open.outgoing, limits.total)

const show = (u: OpenConnections) => `{incoming ${u.incoming}, outgoing ${u.outgoing}, waiting ${u.waiting}}`

/**
 * The budget's invariants after any step (SPEC §5), or what broke: the budget's own usage agrees
 * with the connections really open; no limit is ever exceeded; below the share reserved for
 * incoming nobody waits, and no free slot stays idle while someone waits.
 */
export const budgetViolation = (limits: BudgetLimits, open: OpenConnections, usage: OpenConnections): string | undefined => {
  const { incoming, outgoing, waiting } = open
  if (usage.incoming !== incoming || usage.outgoing !== outgoing || usage.waiting !== waiting) {
    return `the budget's usage ${show(usage)} disagrees with the connections open ${show(open)}`
  }
  if (over(incoming, limits.incoming)) return `${incoming} incoming connections, over the incoming limit ${limits.incoming}`
  if (over(outgoing, limits.outgoing)) return `${outgoing} outgoing connections, over the outgoing limit ${limits.outgoing}`
  if (over(incoming + outgoing, limits.total)) return `${incoming} + ${outgoing} connections, over the total limit ${limits.total}`
  if (over(waiting, limits.maxWaiting)) return `${waiting} clients wait, over maxWaiting ${limits.maxWaiting}`
  if (waiting > 0 && incoming < reservedIncoming(limits)) {
    return `${waiting} client(s) wait with only ${incoming} incoming open, below the ${reservedIncoming(limits)} reserved for incoming`
  }
  if (waiting > 0 && incomingRoom(limits, open)) return `a free slot is left idle while ${waiting} client(s) wait (${incoming} in, ${outgoing} out)`
  return undefined
}
