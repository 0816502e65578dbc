import cluster from "node:cluster"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Layer, Logger } from "effect"
import { jsonLinesLogger } from "../adapters/logging/stdout-lines.ts"
import type { Settings } from "../domain/config/settings.ts"
import { runPrimary } from "./cluster/primary.ts"
import { runWorker, workerLogAnnotations } from "./cluster/worker.ts"
import { ConfigFile } from "./config/config-file.ts"
import { loadConfig, loadConfigSources } from "./config/load-config.ts"
import type { ConfigSources } from "./config/load-config.ts"
import { logStartNotices } from "./config/start-notices-output.ts"
import { daemonLayer, localSharedState } from "./daemon.ts"
import { installSighupHandler } from "./sighup.ts"

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

/** SIGHUP reads the same files again, with the same environment and command-line overrides (see `config-reload.ts`). */
const daemon = (sources: ConfigSources, file: string) =>
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

/** `smtp-intake --config FILE`: the daemon in the foreground, until SIGTERM or SIGINT. */
export const runDaemon = async (sources: ConfigSources, file: string): Promise<void> => {
  installSighupHandler(() =>
    void Effect.runFork(Effect.logInfo("SIGHUP: nothing to reload").pipe(
      Effect.annotateLogs({ service: "smtp-intake", ...(cluster.isWorker ? workerLogAnnotations() : {}) }),
      Effect.provide(JsonLogs)
    ))
  )
  NodeRuntime.runMain(daemon(sources, file), {
    // SIGTERM/SIGINT interrupt the daemon: that is a clean stop, not a failure. A start-up error
    // was reported and set exitCode; the exit must be explicit, as a cluster worker's IPC channel
    // would keep it running.
    teardown: (exit, onExit) =>
      onExit(exit._tag === "Failure" && !Cause.hasInterruptsOnly(exit.cause) ? 1 : Number(process.exitCode ?? 0))
  })
}
