import type { Settings } from "../config/settings.ts"
import type { BudgetLimits } from "./connection-budget.ts"

/** Beyond this many connections waiting for a slot, a new one gets its 421 at once. */
export const MAX_WAITING_CONNECTIONS = 1000

/** A held connection waits at most smtp-timeout (0: none, MailerQ's "no timeout"), and never more than a minute, before its 421. */
export const admissionWaitMs = (settings: Settings): number =>
  Math.min(settings.smtpTimeout === 0 ? 60 : settings.smtpTimeout, 60) * 1000

/** smtp-connections, -in and -out as the budget's limits. */
export const budgetLimits = (settings: Settings): BudgetLimits => ({
  total: settings.smtpConnections,
  incoming: settings.smtpConnectionsIn,
  outgoing: settings.smtpConnectionsOut,
  maxWaiting: MAX_WAITING_CONNECTIONS
})
