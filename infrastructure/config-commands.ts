import { Effect } from "effect"
import { describeSettings } from "../domain/config/describe-settings.ts"
import { loadConfig, loadConfigSources } from "./config/load-config.ts"
import type { ConfigSources } from "./config/load-config.ts"
import { printStartNotices } from "./config/start-notices-output.ts"
import { runListCommand } from "./list-commands.ts"

/** `smtp-intake --check-config FILE`: the start notices and the resolved settings (secrets masked), or the errors and exit 1. */
export const checkConfig = (sources: ConfigSources, file: string): Promise<void> =>
  Effect.runPromise(loadConfigSources(sources).pipe(
    Effect.match({
      onFailure: (error) => {
        process.stderr.write(`${error.message}\n`)
        process.exitCode = 1
      },
      onSuccess: ({ settings, otherParts }) => {
        process.stdout.write(`# ${file}: valid\n${printStartNotices(settings, otherParts)}${describeSettings(settings)}\n`)
      }
    })
  ))

/** `smtp-intake --config FILE local|hostname|block VERB …` */
export const changeLists = (sources: ConfigSources, args: ReadonlyArray<string>): Promise<void> =>
  Effect.runPromise(loadConfig(sources).pipe(
    Effect.flatMap((settings) => runListCommand(settings, args)),
    Effect.match({
      onFailure: (error) => {
        process.stderr.write(`${error.message}\n`)
        process.exitCode = 1
      },
      onSuccess: ({ code, out }) => {
        if (out !== "") (code === 0 ? process.stdout : process.stderr).write(`${out}\n`)
        process.exitCode = code
      }
    })
  ))
