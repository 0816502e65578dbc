import { configKeys, maskSecret } from "./keys.ts"
import type { KeySpec } from "./keys.ts"
import type { Settings } from "./settings.ts"

/** One key of the resolved settings as an operator reads it: its value as the config file writes it, secrets masked. */
export interface SettingRow {
  readonly key: string
  /** undefined when unset (or an empty list) */
  readonly value: string | undefined
  /** what an unset value means */
  readonly whenUnset: string | undefined
  /** unset is a value of its own, written as the key with nothing after it (`rabbitmq-inbox:`) */
  readonly emptyIsAValue: boolean
}

const width = Math.max(...configKeys.map((spec) => spec.name.length)) + 2

const rowOf = <P extends keyof Settings>(spec: KeySpec<P>, settings: Settings): SettingRow => {
  const value = settings[spec.property]
  const unset = value === undefined || value === null || (Array.isArray(value) && value.length === 0)
  return {
    key: spec.name,
    value: unset ? undefined : maskSecret(spec.secret, spec.format(value)),
    whenUnset: spec.whenUnset,
    emptyIsAValue: value === undefined && spec.emptyIsAValue === true
  }
}

/** Every key, defaults included, in SPEC order; secrets read `****`. */
export const settingRows = (settings: Settings): ReadonlyArray<SettingRow> => configKeys.map((spec) => rowOf(spec, settings))

const describeRow = (row: SettingRow): string => {
  const label = `${row.key}:`
  if (row.emptyIsAValue) return `${label.padEnd(width)}# ${row.whenUnset ?? "(empty)"}`
  if (row.value === undefined) {
    const meaning = row.whenUnset === undefined ? "" : ` - ${row.whenUnset}`
    return `# ${label.padEnd(Math.max(width - 2, label.length + 1))}(not set)${meaning}`
  }
  return `${label.padEnd(width)}${row.value}`.trimEnd()
}

/**
 * The resolved settings as a config file: every key, defaults included, in SPEC order.
 * Unset keys are comments (`# smtp-auth: (not set) - no authentication`); secrets read `****`.
 * Without secrets, parsing the text again gives the same settings.
 */
export const describeSettings = (settings: Settings): string => settingRows(settings).map(describeRow).join("\n") + "\n"
