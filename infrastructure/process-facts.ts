import cluster from "node:cluster"
import { Effect } from "effect"
import type { ProcessFacts, ReloadOutcome } from "../application/ports/daemon-facts.ts"
import { settingRows } from "../domain/config/describe-settings.ts"
import type { RunningSettings } from "./running-settings.ts"
import { packageVersion as version } from "./package-version.ts"

export interface ProcessFactsKeeper {
  readonly read: Effect.Effect<ProcessFacts>
  /** what a SIGHUP did; the latest is kept */
  readonly record: (outcome: ReloadOutcome) => void
}

/** This process's account of itself: the settings in force (secrets masked), the last reload, version and start. */
export const makeProcessFacts = (running: RunningSettings): ProcessFactsKeeper => {
  const startedAt = Math.round(Date.now() - process.uptime() * 1000)
  const known = version()
  let lastReload: ReloadOutcome | undefined
  return {
    read: Effect.map(running.settings, (settings) => ({
      pid: process.pid,
      worker: cluster.worker?.id,
      version: known,
      startedAt,
      settings: settingRows(settings),
      lastReload
    })),
    record: (outcome) => void (lastReload = outcome)
  }
}
