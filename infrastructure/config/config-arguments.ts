import { existsSync } from "node:fs"
import { splitCommandLineSettings } from "../../domain/config/command-line-settings.ts"
import { configLayers, DEFAULT_CONFIG_FILE } from "../../domain/config/config-layers.ts"
import { DEFAULT_CONFIG_VARIABLE } from "../../domain/config/parse-config.ts"
import type { ConfigSources } from "./load-config.ts"

/** The CLI's own options, and whether each takes a value; any other `--name=value` is a config key. */
export const OWN_OPTIONS: ReadonlyMap<string, { readonly takesValue: boolean }> = new Map([
  ["--help", { takesValue: false }],
  ["-h", { takesValue: false }],
  ["--version", { takesValue: false }],
  ["--config", { takesValue: true }],
  ["--config-file", { takesValue: true }],
  ["--check-config", { takesValue: true }],
  ["--extract-recipients", { takesValue: false }],
  ["--ignore-dot", { takesValue: false }],
  ["--envelope", { takesValue: true }]
])

export type ConfigArguments =
  | {
    readonly ok: true
    readonly sources: ConfigSources
    /** the file named on the command line (or the default one), for messages */
    readonly label: string
    /** the arguments that are not config: the program's options and plain arguments */
    readonly rest: ReadonlyArray<string>
  }
  /** `usage`: nothing names a config and the default file is absent, so the usage text helps most */
  | { readonly ok: false; readonly error: string; readonly usage: boolean }

const valueAfter = (args: ReadonlyArray<string>, option: string): string | undefined => {
  const at = args.indexOf(option)
  const value = at === -1 ? undefined : args[at + 1]
  return value === undefined || value.startsWith("--") ? undefined : value
}

/**
 * The config a command line asks for: `--config FILE` (or `--check-config FILE`) alone,
 * `--config-file FILE` over the default file, or the default file; `--key=value` on top.
 */
export const configArguments = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>> = process.env,
  exists: (path: string) => boolean = existsSync
): ConfigArguments => {
  const { settings, rest } = splitCommandLineSettings(args, OWN_OPTIONS)
  for (const option of ["--config", "--config-file"]) {
    if (rest.includes(option) && valueAfter(rest, option) === undefined) return { ok: false, error: `${option} needs a FILE`, usage: true }
  }
  const defaultFile = env[DEFAULT_CONFIG_VARIABLE] ?? DEFAULT_CONFIG_FILE
  const options = { config: valueAfter(rest, "--check-config") ?? valueAfter(rest, "--config"), configFile: valueAfter(rest, "--config-file") }
  if (options.config === undefined && options.configFile === undefined && !exists(defaultFile)) {
    return { ok: false, error: `no config file given, and the default ${defaultFile} does not exist`, usage: true }
  }
  const layers = configLayers(options, defaultFile)
  if (!layers.ok) return { ok: false, error: layers.error, usage: false }
  const label = layers.files.at(-1)?.path ?? defaultFile
  return { ok: true, sources: { files: layers.files, commandLine: settings }, label, rest }
}
