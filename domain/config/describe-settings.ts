import { configKeys, maskSecret } from "./keys.ts"
import type { KeySpec } from "./keys.ts"
import type { Settings } from "./settings.ts"

const width = Math.max(...configKeys.map((spec) => spec.name.length)) + 2

const describeKey = <P extends keyof Settings>(spec: KeySpec<P>, settings: Settings): string => {
  const value = settings[spec.property]
  const label = `${spec.name}:`
  if (value === undefined && spec.emptyIsAValue === true) return `${label.padEnd(width)}# ${spec.whenUnset ?? "(empty)"}`
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    const meaning = spec.whenUnset === undefined ? "" : ` - ${spec.whenUnset}`
    return `# ${label.padEnd(Math.max(width - 2, label.length + 1))}(not set)${meaning}`
  }
  return `${label.padEnd(width)}${maskSecret(spec.secret, spec.format(value))}`.trimEnd()
}

/**
 * The resolved settings as a config file: every key, defaults included, in SPEC order.
 * Unset keys are comments (`# smtp-auth: (not set) - no authentication`); secrets read `****`.
 * Without secrets, parsing the text again gives the same settings.
 */
export const describeSettings = (settings: Settings): string =>
  configKeys.map((spec) => describeKey(spec, settings)).join("\n") + "\n"
