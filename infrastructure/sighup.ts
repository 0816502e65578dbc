import { Effect } from "effect"

/**
 * SIGHUP means "reload" to an operator (systemctl reload, logrotate), never "die": the handler is
 * installed before anything else starts, and runs whatever reloads the running daemon registered.
 */
const reloads = new Set<() => void>()

export const installSighupHandler = (nothingToReload: () => void): void => {
  process.on("SIGHUP", () => {
    if (reloads.size === 0) nothingToReload()
    for (const reload of reloads) reload()
  })
}

/** Registers a reload for as long as the calling scope lives. */
export const onSighup = (reload: () => void) =>
  Effect.acquireRelease(
    Effect.sync(() => reloads.add(reload)),
    () => Effect.sync(() => reloads.delete(reload))
  )
