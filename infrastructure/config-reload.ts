import { Clock, Effect, Semaphore } from "effect"
import type { ReloadOutcome } from "../application/ports/daemon-facts.ts"
import type { TlsMaterial } from "../adapters/smtp/tls-options.ts"
import { settingsChanges, settingsToApply } from "../domain/config/settings-changes.ts"
import type { Settings } from "../domain/config/settings.ts"
import { ConfigFile } from "./config/config-file.ts"
import { onSighup } from "./sighup.ts"
import { loadTlsMaterial, tlsFilesOf } from "./tls/tls-material.ts"

export interface ReloadTarget {
  /** the settings in force at start */
  readonly initial: Settings
  /**
   * Puts new settings in force (their TLS material read and checked, when there is TLS). Runs only
   * once the whole new config proved valid, so it cannot fail: nothing is ever half-applied.
   */
  readonly apply: (settings: Settings, tls: TlsMaterial | undefined) => Effect.Effect<void>
  /** told what each reload did (for the console) */
  readonly record?: ((outcome: ReloadOutcome) => void) | undefined
}

/** `a\nb` -> `a; b`: one log line, however many problems the config has. */
const oneLine = (text: string) => text.split("\n").join("; ")

/**
 * On SIGHUP, reads the config file again (the same file and environment overrides, the same
 * checks as at start, the TLS files included). A config that is not valid is refused with one
 * error line and the running one kept entirely. Otherwise every changed key that can change live
 * is applied, and the keys bound at start (ports, queues, stores, workers) keep their running
 * values until a restart, with a warning naming them. Reloads run one at a time.
 */
export const reloadConfigOnSighup = (target: ReloadTarget) =>
  Effect.gen(function*() {
    const file = yield* ConfigFile
    const oneAtATime = yield* Semaphore.make(1)
    let running = target.initial
    const reload = Effect.gen(function*() {
      const loaded = yield* file.load
      const changes = settingsChanges(running, loaded)
      const next = settingsToApply(running, loaded)
      const files = tlsFilesOf(next)
      const tls = files === undefined ? undefined : yield* loadTlsMaterial(files)
      yield* target.apply(next, tls)
      running = next
      if (changes.restartOnly.length > 0) {
        const keys = changes.restartOnly.join(", ")
        const [need, values] = changes.restartOnly.length === 1 ? ["needs", "its running value"] : ["need", "their running values"]
        yield* Effect.logWarning(`config reload: ${keys} changed but ${need} a restart; keeping ${values} until then`).pipe(
          Effect.annotateLogs({ file: file.path, restartNeeded: keys })
        )
      }
      const at = yield* Clock.currentTimeMillis
      target.record?.({ at, outcome: "applied", applied: changes.reloadable, restartNeeded: changes.restartOnly, error: undefined })
      const applied = changes.reloadable.join(", ")
      yield* Effect.logInfo(applied === "" ? "config reloaded: nothing to apply" : `config reloaded: applied ${applied}`).pipe(
        Effect.annotateLogs({ file: file.path, applied })
      )
    }).pipe(
      Effect.catch((error) =>
        Effect.logError(`config reload refused, keeping the running config: ${oneLine(error.message)}`).pipe(
          Effect.andThen(Clock.currentTimeMillis),
          Effect.map((at) => target.record?.({ at, outcome: "refused", applied: [], restartNeeded: [], error: oneLine(error.message) }))
        )),
      (reloading) => oneAtATime.withPermit(reloading)
    )
    const context = yield* Effect.context<never>()
    yield* onSighup(() => void Effect.runForkWith(context)(reload))
  })
