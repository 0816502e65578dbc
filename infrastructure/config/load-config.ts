import { readFile } from "node:fs/promises"
import { Effect, Schema } from "effect"
import { formatConfigError, parseConfig } from "../../domain/config/parse-config.ts"
import type { Settings } from "../../domain/config/settings.ts"

/** Start-up must stop: `message` holds every problem, one per line, each naming file or variable, line and key. */
export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>()("ConfigInvalid", {
  message: Schema.String
}) {}

/** `ENOENT: no such file or directory, open 'x.conf'` -> `ENOENT: no such file or directory` */
const osReason = (cause: unknown): string => {
  const message = cause instanceof Error ? cause.message : String(cause)
  return message.replace(/, \w+ '.*'$/s, "")
}

const readText = (file: string): Effect.Effect<string, ConfigInvalid> =>
  Effect.tryPromise({
    try: () => readFile(file, "utf8"),
    catch: (cause) => new ConfigInvalid({ message: `${file}: cannot read the config file: ${osReason(cause)}` })
  })

/** The settings from `file` and the environment (process.env unless one is given), or every reason they are not valid. */
export const loadConfig = (
  file: string,
  env: Readonly<Record<string, string | undefined>> = process.env
): Effect.Effect<Settings, ConfigInvalid> =>
  Effect.gen(function*() {
    const text = yield* readText(file)
    const result = parseConfig({ text, file, env })
    if (result._tag === "Valid") return result.settings
    return yield* new ConfigInvalid({ message: result.errors.map(formatConfigError).join("\n") })
  })
