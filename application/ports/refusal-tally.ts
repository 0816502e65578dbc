import { Context } from "effect"
import type { RefusalReason } from "../../domain/console/refusal-reason.ts"

/** A client refused in the last hour, and how often. */
export interface RefusedClient {
  readonly client: string
  readonly count: number
  /** the reason of its latest refusal */
  readonly reason: RefusalReason
}

/** The refusals of the last hour: how many for each reason, and the clients refused most. */
export interface RefusalSummary {
  /** epoch ms: the summary covers [since, at] */
  readonly since: number
  readonly at: number
  readonly byReason: Readonly<Record<RefusalReason, number>>
  /** most refused first; counts of clients that were evicted from a full window are lower bounds */
  readonly topClients: ReadonlyArray<RefusedClient>
}

export interface RefusalTallyShape {
  /**
   * One refusal (or `count` of them) at `at` (epoch ms). Synchronous and allocation-free for a
   * client already counted: it runs in a session's step. `client` is undefined where it is not
   * known (the budget's and the PROXY refusals, counted from the metrics).
   */
  record(reason: RefusalReason, client: string | undefined, at: number, count?: number): void
  summary(at: number): RefusalSummary
}

const countsNothing: RefusalTallyShape = {
  record: () => {},
  summary: (at) => ({ since: at, at, byReason: {} as Record<RefusalReason, number>, topClients: [] })
}

/**
 * The refusals the console shows. A Reference, so that sessions run without wiring where nobody
 * reads them (unit tests, simulations): it then counts nothing.
 */
export const RefusalTally = Context.Reference<RefusalTallyShape>("smtp-intake/RefusalTally", {
  defaultValue: () => countsNothing
})
