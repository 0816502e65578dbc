/** One config file to read; an optional one that does not exist is skipped. */
export interface ConfigFileLayer {
  readonly path: string
  readonly optional: boolean
}

/** smtp-intake's default config file, as MailerQ has `/etc/mailerq/config.txt`; `SMTP_INTAKE_CONFIG` names another. */
export const DEFAULT_CONFIG_FILE = "/etc/smtp-intake/smtp-intake.conf"

export interface ConfigFileOptions {
  /** `--config FILE`: this file alone */
  readonly config?: string | undefined
  /** `--config-file FILE`: MailerQ's instance file, read over the default file */
  readonly configFile?: string | undefined
}

export type ConfigLayers =
  | { readonly ok: true; readonly files: ReadonlyArray<ConfigFileLayer> }
  | { readonly ok: false; readonly error: string }

/**
 * Which files make the config, weakest first (MailerQ's `multiple-instances.md`: the default file,
 * then the `--config-file` one over it; the command line and the environment come on top):
 * - `--config FILE`: FILE alone (smtp-intake's own, for a config that is whole in one file)
 * - `--config-file FILE`: the default file when it exists, then FILE
 * - neither: the default file, which must exist
 */
export const configLayers = (options: ConfigFileOptions, defaultFile: string): ConfigLayers => {
  if (options.config !== undefined && options.configFile !== undefined) {
    return { ok: false, error: "give --config FILE (one file) or --config-file FILE (over the default file), not both" }
  }
  if (options.config !== undefined) return { ok: true, files: [{ path: options.config, optional: false }] }
  if (options.configFile !== undefined) {
    return { ok: true, files: [{ path: defaultFile, optional: true }, { path: options.configFile, optional: false }] }
  }
  return { ok: true, files: [{ path: defaultFile, optional: false }] }
}
