import { Effect } from "effect"
import { describeSettings } from "../domain/config/describe-settings.ts"
import { loadConfig } from "./config/load-config.ts"
import { runListCommand } from "./list-commands.ts"

/** `smtp-intake --check-config FILE`: the resolved settings (secrets masked), or the errors and exit 1. */
export const checkConfig = (file: string): Promise<void> =>
  Effect.runPromise(loadConfig(file).pipe(
    Effect.match({
      onFailure: (error) => {
        process.stderr.write(`${error.message}\n`)
        process.exitCode = 1
      },
      onSuccess: (settings) => {
        process.stdout.write(`# ${file}: valid\n${describeSettings(settings)}\n`)
      }
    })
  ))

/** `smtp-intake --config FILE local|hostname|block VERB …` */
export const changeLists = (file: string, args: ReadonlyArray<string>): Promise<void> =>
  Effect.runPromise(loadConfig(file).pipe(
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
