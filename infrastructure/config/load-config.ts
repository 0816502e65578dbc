import { readFile } from "node:fs/promises"
import { Effect, Schema } from "effect"
import type { CommandLineSetting } from "../../domain/config/command-line-settings.ts"
import type { ConfigFileLayer } from "../../domain/config/config-layers.ts"
import { formatConfigError, parseConfig } from "../../domain/config/parse-config.ts"
import type { ConfigText } from "../../domain/config/parse-config.ts"
import type { Settings } from "../../domain/config/settings.ts"

/** Start-up must stop: `message` holds every problem, one per line, each naming file or variable, line and key. */
export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>()("ConfigInvalid", {
  message: Schema.String
}) {}

/** Where the config comes from besides the environment: files (weakest first) and `--key=value` arguments. */
export interface ConfigSources {
  readonly files: ReadonlyArray<ConfigFileLayer>
  readonly commandLine: ReadonlyArray<CommandLineSetting>
}

export interface LoadedConfig {
  readonly settings: Settings
  /** keys of MailerQ's other parts that were given: accepted, not used */
  readonly otherParts: ReadonlyArray<string>
}

const isMissing = (cause: unknown): boolean => (cause as { code?: unknown } | undefined)?.code === "ENOENT"

/** `ENOENT: no such file or directory, open 'x.conf'` -> `ENOENT: no such file or directory` */
const osReason = (cause: unknown): string => {
  const message = cause instanceof Error ? cause.message : String(cause)
  return message.replace(/, \w+ '.*'$/s, "")
}

/** The file's text; undefined for an optional file that does not exist. */
const readText = ({ path, optional }: ConfigFileLayer): Effect.Effect<ConfigText | undefined, ConfigInvalid> =>
  Effect.tryPromise({
    try: async () => {
      try {
        return { file: path, text: await readFile(path, "utf8") }
      } catch (cause) {
        if (optional && isMissing(cause)) return undefined
        throw cause
      }
    },
    catch: (cause) => new ConfigInvalid({ message: `${path}: cannot read the config file: ${osReason(cause)}` })
  })

/** The settings from the files, the environment (process.env unless one is given) and the command line, or every reason they are not valid. */
export const loadConfigSources = (
  sources: ConfigSources,
  env: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<LoadedConfig, ConfigInvalid> =>
  Effect.gen(function*() {
    const texts: Array<ConfigText> = []
    for (const layer of sources.files) {
      const text = yield* readText(layer)
      if (text !== undefined) texts.push(text)
    }
    const [first = { file: "(no config file)", text: "" }, ...moreFiles] = texts
    const result = parseConfig({ ...first, moreFiles, env, commandLine: sources.commandLine })
    if (result._tag === "Valid") return { settings: result.settings, otherParts: result.otherParts }
    return yield* new ConfigInvalid({ message: result.errors.map(formatConfigError).join("\n") })
  })

/** The settings from one file (or the given sources) and the environment. */
export const loadConfig = (
  file: string | ConfigSources,
  env: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<Settings, ConfigInvalid> =>
  loadConfigSources(typeof file === "string" ? { files: [{ path: file, optional: false }], commandLine: [] } : file, env).pipe(
    Effect.map((loaded) => loaded.settings)
  )
