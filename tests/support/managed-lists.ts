import { Effect } from "effect"
import { sqliteStore } from "../../adapters/database/sqlite-store.ts"
import type { ManagedListsStoreShape } from "../../application/ports/managed-lists-store.ts"

/** Runs `change` against the daemon's SQLite list database (as the CLI or console would). */
export const withListStore = (path: string, change: (store: ManagedListsStoreShape) => Effect.Effect<unknown, unknown>) =>
  Effect.runPromise(Effect.scoped(Effect.gen(function*() {
    const store = yield* sqliteStore(path)
    yield* change(store)
  })) as Effect.Effect<void, unknown>)
