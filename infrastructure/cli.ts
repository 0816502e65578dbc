import { readFileSync } from "node:fs"
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Layer, Logger } from "effect"
import { describeSettings } from "../domain/config/describe-settings.ts"
import { loadConfig } from "./config/load-config.ts"
import { daemonLayer } from "./daemon.ts"
import { installSighupHandler } from "./sighup.ts"

const USAGE = `usage: smtp-intake --config FILE         run the SMTP server in the foreground
       smtp-intake --check-config FILE   print the resolved settings (secrets masked), or the errors
       smtp-intake --version | --help

Every setting may also come from the environment as SMTP_INTAKE_<KEY> (e.g. SMTP_INTAKE_SMTP_PORT=2525).`

const version = () =>
  (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

const fileAfter = (args: ReadonlyArray<string>, flag: string): string | undefined => {
  const at = args.indexOf(flag)
  if (at === -1) return undefined
  return args[at + 1] ?? fail(`${flag} needs a FILE\n\n${USAGE}`)
}

const checkConfig = (file: string) =>
  loadConfig(file).pipe(
    Effect.match({
      onFailure: (error) => {
        process.stderr.write(`${error.message}\n`)
        process.exitCode = 1
      },
      onSuccess: (settings) => {
        process.stdout.write(`# ${file}: valid\n${describeSettings(settings)}\n`)
      }
    })
  )

/** A start-up error (bad config, port taken, spool unwritable) is one clear line on stderr and exit 1. */
const JsonLogs = Logger.layer([Logger.consoleJson])

const runDaemon = (file: string) =>
  loadConfig(file).pipe(
    Effect.flatMap((settings) => Layer.launch(daemonLayer(settings))),
    Effect.catch((error) =>
      Effect.sync(() => {
        process.stderr.write(`smtp-intake: ${error.message}\n`)
        process.exitCode = 1
      })
    ),
    Effect.annotateLogs({ service: "smtp-intake" }),
    Effect.provide(JsonLogs)
  )

export const main = (args: ReadonlyArray<string>): void => {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (args.includes("--version")) {
    process.stdout.write(`smtp-intake ${version()}\n`)
    return
  }
  const check = fileAfter(args, "--check-config")
  if (check !== undefined) return void Effect.runPromise(checkConfig(check))
  const config = fileAfter(args, "--config") ?? fail(USAGE)
  installSighupHandler(() =>
    void Effect.runFork(Effect.logInfo("SIGHUP: nothing to reload").pipe(
      Effect.annotateLogs({ service: "smtp-intake" }),
      Effect.provide(JsonLogs)
    ))
  )
  NodeRuntime.runMain(runDaemon(config), {
    // SIGTERM/SIGINT interrupt the daemon: that is a clean stop, not a failure.
    teardown: (exit, onExit) =>
      onExit(exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause) ? 1 : 0)
  })
}
