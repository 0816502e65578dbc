import { existsSync } from "node:fs"
import type { CommandLineSetting } from "../../domain/config/command-line-settings.ts"
import { configLayers, DEFAULT_CONFIG_FILE } from "../../domain/config/config-layers.ts"
import type { ConfigFileOptions } from "../../domain/config/config-layers.ts"
import { DEFAULT_CONFIG_VARIABLE } from "../../domain/config/parse-config.ts"
import type { ConfigSources } from "./load-config.ts"

/** The config a command runs with: where it comes from, and the file to name in messages. */
export interface ResolvedConfig {
  readonly ok: true
  readonly sources: ConfigSources
  /** the file named on the command line (or the default one), for messages */
  readonly label: string
}

export type ConfigArguments = ResolvedConfig | { readonly ok: false; readonly error: string }

/**
 * The config a command line asks for: `--config FILE` (or `--check-config FILE`) alone,
 * `--config-file FILE` over the default file, or the default file; `--key=value` on top.
 */
export const configSources = (
  options: ConfigFileOptions,
  commandLine: ReadonlyArray<CommandLineSetting>,
  env: Readonly<Record<string, string | undefined>> = process.env,
  exists: (path: string) => boolean = existsSync
): ConfigArguments => {
  const defaultFile = env[DEFAULT_CONFIG_VARIABLE] ?? DEFAULT_CONFIG_FILE
  if (options.config === undefined && options.configFile === undefined && !exists(defaultFile)) {
    return { ok: false, error: `no config file given (--config FILE), and the default ${defaultFile} does not exist` }
  }
  const layers = configLayers(options, defaultFile)
  if (!layers.ok) return { ok: false, error: layers.error }
  const label = layers.files.at(-1)?.path ?? defaultFile
  return { ok: true, sources: { files: layers.files, commandLine }, label }
}
