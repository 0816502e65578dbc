import cluster from "node:cluster"
import { readFileSync } from "node:fs"
import { NodeRuntime } from "@effect/platform-node"
import { Cause, Effect, Layer, Logger } from "effect"
import { jsonLinesLogger } from "../adapters/logging/stdout-lines.ts"
import { describeSettings } from "../domain/config/describe-settings.ts"
import type { Settings } from "../domain/config/settings.ts"
import { runPrimary } from "./cluster/primary.ts"
import { runWorker, workerLogAnnotations } from "./cluster/worker.ts"
import { ConfigFile } from "./config/config-file.ts"
import { configArguments } from "./config/config-arguments.ts"
import { loadConfig, loadConfigSources } from "./config/load-config.ts"
import type { ConfigSources } from "./config/load-config.ts"
import { logStartNotices, printStartNotices } from "./config/start-notices-output.ts"
import { daemonLayer, localSharedState } from "./daemon.ts"
import { LIST_COMMANDS, LIST_USAGE, runListCommand } from "./list-commands.ts"
import { installSighupHandler } from "./sighup.ts"
import { runSend, SEND_USAGE } from "./send/send-command.ts"

const USAGE = `usage: smtp-intake --config FILE         run the SMTP server in the foreground
       smtp-intake [--config-file FILE]  the same with MailerQ's layering: ${"$"}SMTP_INTAKE_CONFIG or
                                         /etc/smtp-intake/smtp-intake.conf, then FILE over it
       smtp-intake --check-config [FILE] print the resolved settings (secrets masked), or the errors
${LIST_USAGE}
${SEND_USAGE}
       smtp-intake --version | --help

Every setting may also come from the environment as SMTP_INTAKE_<KEY> or MAILERQ_<KEY>
(e.g. SMTP_INTAKE_SMTP_PORT=2525), which wins over the files, and from the command line as
--<key>=VALUE (e.g. --smtp-port=2525), which wins over both.`

const version = () =>
  (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

const checkConfig = (sources: ConfigSources, file: string) =>
  loadConfigSources(sources).pipe(
    Effect.match({
      onFailure: (error) => {
        process.stderr.write(`${error.message}\n`)
        process.exitCode = 1
      },
      onSuccess: ({ settings, otherParts }) => {
        process.stdout.write(`# ${file}: valid\n${printStartNotices(settings, otherParts)}${describeSettings(settings)}\n`)
      }
    })
  )

const changeLists = (sources: ConfigSources, args: ReadonlyArray<string>) =>
  loadConfig(sources).pipe(
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
const runDaemon = (sources: ConfigSources, file: string) =>
  loadConfigSources(sources).pipe(
    Effect.tap(({ settings, otherParts }) => cluster.isPrimary ? logStartNotices(settings, otherParts) : Effect.void),
    Effect.flatMap(({ settings }) => serve(settings)),
    Effect.provideService(ConfigFile, ConfigFile.of({ path: file, load: loadConfig(sources) })),
    Effect.catch((error) =>
      Effect.sync(() => {
        process.stderr.write(`smtp-intake: ${error.message}\n`)
        process.exitCode = 1
      })
    ),
    Effect.annotateLogs({ service: "smtp-intake" }),
    Effect.provide(JsonLogs)
  )

export const main = (commandLine: ReadonlyArray<string>): void => {
  const config = configArguments(commandLine)
  const args = config.ok ? config.rest : commandLine
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${USAGE}\n`)
    return
  }
  if (args.includes("--version")) {
    process.stdout.write(`smtp-intake ${version()}\n`)
    return
  }
  if (!config.ok) return fail(config.usage ? `${config.error}\n\n${USAGE}` : config.error)
  if (args.includes("--check-config")) return void Effect.runPromise(checkConfig(config.sources, config.label))
  const listCommand = args.findIndex((arg) => (LIST_COMMANDS as ReadonlyArray<string>).includes(arg))
  if (listCommand !== -1) return void Effect.runPromise(changeLists(config.sources, args.slice(listCommand)))
  if (args.includes("send") || args.includes("--extract-recipients")) return void runSend(args, config.sources).then((code) => void (process.exitCode = code))
  installSighupHandler(() =>
    void Effect.runFork(Effect.logInfo("SIGHUP: nothing to reload").pipe(
      Effect.annotateLogs({ service: "smtp-intake", ...(cluster.isWorker ? workerLogAnnotations() : {}) }),
      Effect.provide(JsonLogs)
    ))
  )
  NodeRuntime.runMain(runDaemon(config.sources, config.label), {
    // SIGTERM/SIGINT interrupt the daemon: that is a clean stop, not a failure. A start-up error
    // was reported and set exitCode; the exit must be explicit, as a cluster worker's IPC channel
    // would keep it running.
    teardown: (exit, onExit) =>
      onExit(exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause) ? 1 : Number(process.exitCode ?? 0))
  })
}
