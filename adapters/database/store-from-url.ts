import { Effect, Layer } from "effect"
import type { Scope } from "effect"
import { ManagedListsStore, StoreUnavailable } from "../../application/ports/managed-lists-store.ts"
import type { ManagedListsStoreShape } from "../../application/ports/managed-lists-store.ts"
import { sqliteStore } from "./sqlite-store.ts"

export type DatabaseAddress =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgresql"; readonly url: string }
  | { readonly kind: "mysql"; readonly url: string }

/**
 * `sqlite:///var/lib/x.db` is the absolute path /var/lib/x.db, `sqlite://./x.db` a path relative to
 * the working directory; `postgresql://…` and `postgres://…` are handed to pg as they are, and
 * `mysql://…` (MySQL or MariaDB) to mysql2.
 */
export const parseDatabaseAddress = (address: string): DatabaseAddress | undefined => {
  const value = address.trim()
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase()
  if (scheme === "sqlite") {
    const path = value.slice("sqlite://".length)
    return path === "" || path === "/" ? undefined : { kind: "sqlite", path }
  }
  if (scheme === "postgresql" || scheme === "postgres") return { kind: "postgresql", url: value }
  if (scheme === "mysql") return { kind: "mysql", url: value }
  return undefined
}

export const storeFromUrl = (
  databaseAddress: string
): Effect.Effect<ManagedListsStoreShape, StoreUnavailable, Scope.Scope> => {
  const address = parseDatabaseAddress(databaseAddress)
  if (address === undefined) {
    // only the scheme: the rest may hold a password
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(databaseAddress.trim())?.[0] ?? "(none)"
    return Effect.fail(
      new StoreUnavailable({
        message: `database-address must be sqlite:///path/file.db, postgresql://user@host/database or mysql://user@host/database (scheme: ${scheme})`
      })
    )
  }
  switch (address.kind) {
    case "sqlite":
      return sqliteStore(address.path)
    case "postgresql":
      return Effect.flatMap(Effect.promise(() => import("./postgres-store.ts")), ({ postgresStore }) => postgresStore(address.url))
    case "mysql":
      return Effect.flatMap(Effect.promise(() => import("./mysql-store.ts")), ({ mysqlStore }) => mysqlStore(address.url))
  }
}

/** PostgreSQL announces every change (LISTEN/NOTIFY); SQLite and MySQL have no such thing and are polled. pg and mysql2 are loaded only for their addresses. */
export const changeFeedFor = (databaseAddress: string) => {
  const address = parseDatabaseAddress(databaseAddress)
  return address?.kind === "postgresql"
    ? (onChange: () => void) =>
      Effect.flatMap(Effect.promise(() => import("./change-feed.ts")), ({ listenForChanges }) => listenForChanges(address.url, onChange))
    : undefined
}

export const managedListsStoreLayer = (databaseAddress: string): Layer.Layer<ManagedListsStore, StoreUnavailable> =>
  Layer.effect(ManagedListsStore, Effect.map(storeFromUrl(databaseAddress), (store) => ManagedListsStore.of(store)))
