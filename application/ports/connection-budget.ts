import { Context } from "effect"
import type { Effect } from "effect"

/** The outcome of asking for an incoming slot: in, or refused after waiting too long (421 4.7.0). */
export type Admission = "admitted" | "refused"

/** Slots in use: connections in, delivery connections out, and connections waiting for a slot. */
export interface BudgetUsage {
  readonly incoming: number
  readonly outgoing: number
  readonly waiting: number
}

/**
 * The connection budget shared by every SMTP worker (SPEC §5). In one process it is the domain's
 * accounting in memory; with smtp-threads > 1 the workers ask the primary process, which holds it.
 */
export interface ConnectionBudgetShape {
  /** waits, in arrival order, until the connection fits or its wait runs out */
  admitIncoming(id: string): Effect.Effect<Admission>
  /**
   * A budget held in this process: the slot at once when one is free and nobody waits (true), as
   * admitIncoming would give it; false leaves everything as it was, for admitIncoming to wait.
   */
  readonly admitAtOnce?: (id: string) => boolean
  releaseIncoming(id: string): Effect.Effect<void>
  /** for a delivery stage: an outgoing slot now, or false */
  acquireOutgoing: Effect.Effect<boolean>
  releaseOutgoing: Effect.Effect<void>
  /** slots in use, for metrics and tests */
  readonly usage: Effect.Effect<BudgetUsage>
}

export class ConnectionBudget extends Context.Service<ConnectionBudget, ConnectionBudgetShape>()(
  "smtp-intake/ConnectionBudget"
) {}
