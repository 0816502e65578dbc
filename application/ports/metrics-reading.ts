import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { BudgetUsage } from "./connection-budget.ts"
import type { MetricsSnapshot } from "./metrics.ts"

/** smtp-threads > 1: the workers the primary asked for their figures, and how many answered in time. */
export interface WorkersReporting {
  readonly running: number
  readonly reporting: number
}

/** What GET /metrics shows: the whole daemon's figures, read now. */
export interface MetricsReading {
  readonly metrics: MetricsSnapshot
  /** the publisher takes messages (with smtp-threads > 1: at every worker that answered) */
  readonly publisherReady: boolean
  /** the connection budget's slots in use, when there is a budget */
  readonly budget: BudgetUsage | undefined
  /** only with smtp-threads > 1 */
  readonly workers: WorkersReporting | undefined
}

/** The figures could not be gathered (a cluster worker whose primary does not answer). */
export class MetricsUnavailable extends Schema.TaggedError<MetricsUnavailable>()("MetricsUnavailable", {
  message: Schema.String
}) {}

/**
 * The daemon's metrics as a scrape sees them. In one process they are the process's own; with
 * smtp-threads > 1 a worker asks the primary, which gathers every worker's figures and adds them up.
 */
export class DaemonMetrics extends Context.Service<DaemonMetrics, {
  readonly read: Effect.Effect<MetricsReading, MetricsUnavailable>
}>()("smtp-intake/DaemonMetrics") {}
