import { Effect } from "effect"
import type { IntakeSettingsSnapshot } from "../application/ports/intake-settings.ts"
import type { Settings } from "../domain/config/settings.ts"
import { intakeSnapshot } from "./settings-views.ts"

/** The settings in force in this process: read by whatever serves a new connection or message, replaced whole by a reload. */
export interface RunningSettings {
  readonly settings: Effect.Effect<Settings>
  /** what the use cases read (IntakeSettings) */
  readonly intake: Effect.Effect<IntakeSettingsSnapshot>
  readonly replace: (next: Settings) => Effect.Effect<void>
}

export const makeRunningSettings = (initial: Settings) =>
  Effect.sync((): RunningSettings => {
    let current = { settings: initial, intake: intakeSnapshot(initial) }
    return {
      settings: Effect.sync(() => current.settings),
      intake: Effect.sync(() => current.intake),
      replace: (next) => Effect.sync(() => void (current = { settings: next, intake: intakeSnapshot(next) }))
    }
  })
