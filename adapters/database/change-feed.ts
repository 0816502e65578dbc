import { Duration, Effect } from "effect"
import type { Scope } from "effect"
import { Client } from "pg"
import { LISTS_CHANNEL } from "./migrations.ts"
import { postgresTarget } from "./postgres-store.ts"

const CONNECT_TIMEOUT_MS = 5000
const MAX_RETRY_DELAY_MS = 30_000

/**
 * One LISTEN session: fails with the reason once the connection is lost (it never succeeds).
 * `onChange` also runs once the session is listening, since changes may have been missed meanwhile.
 */
const listenUntilLost = (url: string, onChange: () => void, onListening: () => void) =>
  Effect.callback<never, string>((resume) => {
    const client = new Client({
      connectionString: url,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      application_name: "smtp-intake-change-feed"
    })
    let over = false
    const lose = (reason: string) => {
      if (over) return
      over = true
      client.end().catch(() => undefined)
      resume(Effect.fail(reason))
    }
    client.on("error", (error: Error) => lose(error.message || error.name))
    client.on("end", () => lose("connection closed"))
    client.on("notification", (notification) => {
      if (notification.channel === LISTS_CHANNEL) onChange()
    })
    client
      .connect()
      .then(() => client.query(`listen ${LISTS_CHANNEL}`))
      .then(() => {
        if (over) return
        onListening()
        onChange()
      }, (error: unknown) => lose(error instanceof Error ? error.message || error.name : String(error)))
    return Effect.promise(() => {
      over = true
      return client.end().catch(() => undefined)
    }).pipe(Effect.timeout("2 seconds"), Effect.ignore)
  })

/**
 * Calls `onChange` as soon as another node (or this one) changes the managed lists in PostgreSQL,
 * through LISTEN on `smtp_intake_lists`. Reconnects after a lost connection, with a growing pause
 * up to 30 s, and calls `onChange` on every reconnect. `onChange` runs on the driver's callback:
 * keep it cheap (mark the cache stale, offer to a queue). A cache should still poll `version` every
 * few seconds: a notification can be lost with its connection. Stops with the scope.
 */
export const listenForChanges = (url: string, onChange: () => void): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function*() {
    const target = postgresTarget(url)
    let failures = 0
    while (true) {
      const reason = yield* Effect.flip(listenUntilLost(url, onChange, () => {
        failures = 0
      }))
      failures += 1
      const delay = Math.min(MAX_RETRY_DELAY_MS, 500 * 2 ** Math.min(failures, 6))
      yield* Effect.logWarning("managed-lists change feed lost; reconnecting").pipe(
        Effect.annotateLogs({ database: target.description, reason: target.redact(reason), retryInMs: delay })
      )
      yield* Effect.sleep(Duration.millis(delay))
    }
  }).pipe(Effect.forkScoped, Effect.asVoid)
