import { configKeys } from "./keys.ts"
import type { KeySpec } from "./keys.ts"
import { sameValue } from "./same-value.ts"
import type { Settings } from "./settings.ts"

/** What a reloaded config changes, by canonical key name, in the key table's order. */
export interface SettingsChanges {
  /** changed keys a running daemon applies */
  readonly reloadable: ReadonlyArray<string>
  /** changed keys that take a restart: the running daemon keeps their old value */
  readonly restartOnly: ReadonlyArray<string>
}

type Change = "none" | "reloadable" | "restart-only"

const changeOf = <P extends keyof Settings>(spec: KeySpec<P>, running: Settings, loaded: Settings): Change => {
  const before = running[spec.property]
  const after = loaded[spec.property]
  if (sameValue(before, after)) return "none"
  switch (spec.reload) {
    case "live":
      return "reloadable"
    case "restart":
      return "restart-only"
    case "live-while-set":
      return (before === undefined) === (after === undefined) ? "reloadable" : "restart-only"
  }
}

/** Which keys differ between the running settings and a newly loaded config, and whether each can be applied live. */
export const settingsChanges = (running: Settings, loaded: Settings): SettingsChanges => {
  const reloadable: Array<string> = []
  const restartOnly: Array<string> = []
  for (const spec of configKeys) {
    const change = changeOf(spec, running, loaded)
    if (change === "reloadable") reloadable.push(spec.name)
    if (change === "restart-only") restartOnly.push(spec.name)
  }
  return { reloadable, restartOnly }
}

/** `settings` with the running value of one key. */
const keepRunning = <P extends keyof Settings>(spec: KeySpec<P>, running: Settings, settings: Settings): Settings => ({
  ...settings,
  [spec.property]: running[spec.property]
})

/**
 * The settings a reload puts in force: the loaded ones, except that every key whose change takes a
 * restart keeps its running value.
 */
export const settingsToApply = (running: Settings, loaded: Settings): Settings =>
  configKeys.reduce<Settings>(
    (applied, spec) => (changeOf(spec, running, loaded) === "restart-only" ? keepRunning(spec, running, applied) : applied),
    loaded
  )
