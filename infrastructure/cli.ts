import cluster from "node:cluster"
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Layer, Logger } from "effect"
import { jsonLinesLogger } from "../adapters/logging/stdout-lines.ts"
import { describeSettings } from "../domain/config/describe-settings.ts"
import type { Settings } from "../domain/config/settings.ts"
import { runPrimary } from "./cluster/primary.ts"
import { runWorker, workerLogAnnotations } from "./cluster/worker.ts"
import { ConfigFile } from "./config/config-file.ts"
import { loadConfig } from "./config/load-config.ts"
import { daemonLayer, localSharedState } from "./daemon.ts"
import { LIST_COMMANDS, LIST_USAGE, runListCommand } from "./list-commands.ts"
import { installSighupHandler } from "./sighup.ts"
import { version } from "./version.ts"

const USAGE = `usage: smtp-intake --config FILE         run the SMTP server in the foreground
       smtp-intake --check-config FILE   print the resolved settings (secrets masked), or the errors
${LIST_USAGE}
       smtp-intake --version | --help

Every setting may also come from the environment as SMTP_INTAKE_<KEY> (e.g. SMTP_INTAKE_SMTP_PORT=2525).`

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

const changeLists = (file: string, args: ReadonlyArray<string>) =>
  loadConfig(file).pipe(
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
  )

/** A start-up error (bad config, port taken, spool unwritable) is one clear line on stderr and exit 1. */
const JsonLogs = Logger.layer([jsonLinesLogger])

/**
 * smtp-threads: 1 is one process. With more, this process is either the primary (it forks the
 * workers and holds their shared connection budget) or one of the workers (node:cluster re-runs
 * this same command line in each), which reads the same config.
 */
const serve = (settings: Settings): Effect.Effect<void, { readonly message: string }, ConfigFile> =>
  settings.smtpThreads === 1
    ? Layer.launch(daemonLayer(settings, localSharedState(settings)))
    : cluster.isPrimary
    ? runPrimary(settings)
    : runWorker(settings)

/** SIGHUP reads the same file again, with the same environment overrides (see `config-reload.ts`). */
const runDaemon = (file: string) =>
  loadConfig(file).pipe(
    Effect.flatMap(serve),
    Effect.provideService(ConfigFile, ConfigFile.of({ path: file, load: loadConfig(file) })),
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
  const listCommand = args.findIndex((arg) => (LIST_COMMANDS as ReadonlyArray<string>).includes(arg))
  if (listCommand !== -1) return void Effect.runPromise(changeLists(config, args.slice(listCommand)))
  installSighupHandler(() =>
    void Effect.runFork(Effect.logInfo("SIGHUP: nothing to reload").pipe(
      Effect.annotateLogs({ service: "smtp-intake", ...(cluster.isWorker ? workerLogAnnotations() : {}) }),
      Effect.provide(JsonLogs)
    ))
  )
  NodeRuntime.runMain(runDaemon(config), {
    // SIGTERM/SIGINT interrupt the daemon: that is a clean stop, not a failure. A start-up error
    // was reported and set exitCode; the exit must be explicit, as a cluster worker's IPC channel
    // would keep it running.
    teardown: (exit, onExit) =>
      onExit(exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause) ? 1 : Number(process.exitCode ?? 0))
  })
}
