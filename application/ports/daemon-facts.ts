import { Context } from "effect"
import type { Effect } from "effect"
import type { SettingRow } from "../../domain/config/describe-settings.ts"

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
  readonly version: string
  /** epoch ms */
  readonly startedAt: number
  /** the resolved settings in force, secrets masked */
  readonly settings: ReadonlyArray<SettingRow>
  readonly lastReload: ReloadOutcome | undefined
}

/** The console's view of the daemon's processes: one, or (smtp-threads > 1) every worker. */
export interface DaemonFactsReading {
  readonly processes: ReadonlyArray<ProcessFacts>
}

export class DaemonFacts extends Context.Service<DaemonFacts, {
  readonly read: Effect.Effect<DaemonFactsReading>
}>()("smtp-intake/DaemonFacts") {}
