import { Context } from "effect"
import type { Effect } from "effect"
import type { SettingRow } from "../../domain/config/describe-settings.ts"
import type { RefusalSummary } from "./refusal-tally.ts"

/** What the last SIGHUP did to the config. */
export interface ReloadOutcome {
  /** epoch ms */
  readonly at: number
  readonly outcome: "applied" | "refused"
  /** the keys changed live */
  readonly applied: ReadonlyArray<string>
  /** the keys changed in the file that keep their running values until a restart */
  readonly restartNeeded: ReadonlyArray<string>
  /** why a refused config was refused */
  readonly error: string | undefined
}

/** A process's own account of itself, for the console's "Config in force". */
export interface ProcessFacts {
  readonly pid: number
  /** the cluster worker's id (smtp-threads > 1) */
  readonly worker: number | undefined
  readonly version: string
  /** epoch ms */
  readonly startedAt: number
  /** the resolved settings in force, secrets masked */
  readonly settings: ReadonlyArray<SettingRow>
  readonly lastReload: ReloadOutcome | undefined
}

/** One process's part of the console: its own account, and the refusals it counted. */
export interface ProcessConsole {
  readonly facts: ProcessFacts
  readonly refusals: RefusalSummary
}

/** This process's part, read now. */
export class ProcessConsoleReader extends Context.Service<ProcessConsoleReader, {
  readonly read: Effect.Effect<ProcessConsole>
}>()("smtp-intake/ProcessConsoleReader") {}

/** The console's view of the daemon: its processes (one, or with smtp-threads > 1 every worker), and their refusals added up. */
export interface DaemonFactsReading {
  readonly processes: ReadonlyArray<ProcessFacts>
  readonly refusals: RefusalSummary
}

/**
 * What the console's Refusals and Config sections show. In one process its own part; with
 * smtp-threads > 1 a worker asks the primary, which gathers every worker's part.
 */
export class DaemonFacts extends Context.Service<DaemonFacts, {
  readonly read: Effect.Effect<DaemonFactsReading>
}>()("smtp-intake/DaemonFacts") {}
