import { Effect, Layer, Option } from "effect"
import { SmtpListeners } from "../adapters/smtp/smtp-listener.ts"
import { ConnectionBudgetLimits } from "../application/connection-budget-keeper.ts"
import { ManagedListsRefresh } from "../application/managed-lists-cache.ts"
import type { Settings } from "../domain/config/settings.ts"
import { reloadConfigOnSighup } from "./config-reload.ts"
import type { ReloadTarget } from "./config-reload.ts"
import type { RunningSettings } from "./running-settings.ts"
import { admissionWaitMs, budgetLimits, listenerSettings } from "./settings-views.ts"
import { onSighup } from "./sighup.ts"

/**
 * What SIGHUP changes in a process that serves SMTP: new connections get the new listener settings
 * (PROXY peers, name, SIZE, timeouts, TLS certificate), new sessions the new session settings, and
 * the connection budget its new limits when this process holds it (a cluster worker's budget is
 * the primary's, which reloads its own). Live sessions keep what they started with.
 */
const ConfigReload = (initial: Settings, running: RunningSettings, record: ReloadTarget["record"]) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const listeners = yield* SmtpListeners
    const budget = yield* Effect.serviceOption(ConnectionBudgetLimits)
    yield* reloadConfigOnSighup({
      initial,
      record,
      apply: (next, tls) =>
        Effect.gen(function*() {
          yield* listeners.reconfigure(listenerSettings(next, tls))
          yield* running.replace(next)
          if (Option.isSome(budget)) yield* budget.value.setLimits(budgetLimits(next), admissionWaitMs(next))
          if (tls !== undefined) {
            yield* Effect.logInfo("TLS certificate and key reloaded").pipe(Effect.annotateLogs({ certificate: next.smtpCertificate }))
          }
        })
    })
  }))

/** SIGHUP also reads the managed lists again at once, whatever the config file says. */
const ListsRefresh = Layer.effectDiscard(Effect.gen(function*() {
  const lists = yield* ManagedListsRefresh
  const context = yield* Effect.context<never>()
  yield* onSighup(() => void Effect.runForkWith(context)(lists.refresh))
}))

/** `record` is told what each reload did (for the console's "config in force"). */
export const ReloadOnSighup = (initial: Settings, running: RunningSettings, record?: ReloadTarget["record"]) =>
  Layer.merge(ConfigReload(initial, running, record), ListsRefresh)
