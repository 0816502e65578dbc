import { Effect } from "effect"
import type { Scope } from "effect"
import { Pool } from "pg"
import type { PoolClient } from "pg"
import { StoreUnavailable } from "../../application/ports/managed-lists-store.ts"
import type { ManagedListsSnapshot, ManagedListsStoreShape } from "../../application/ports/managed-lists-store.ts"
import { LOCAL_ADDRESS_TYPES } from "../../domain/lists/local-address-rule.ts"
import type { LocalAddressRule } from "../../domain/lists/local-address-rule.ts"
import { databaseTarget, reasonOf } from "./database-target.ts"
import type { DatabaseTarget } from "./database-target.ts"
import { MIGRATIONS, MIGRATIONS_TABLE } from "./migrations.ts"

const CONNECT_TIMEOUT_MS = 5000
const QUERY_TIMEOUT_MS = 10_000
/** pg_advisory_xact_lock key held while migrating, so nodes starting together take turns */
const MIGRATION_LOCK_KEY = "7243190504417001"

export type PostgresTarget = DatabaseTarget

export const postgresTarget = (url: string): PostgresTarget => databaseTarget(url, "PostgreSQL", "5432")

/** Applies what is missing, each migration in its own transaction under the advisory lock. */
const migrate = async (client: PoolClient): Promise<ReadonlyArray<number>> => {
  const applied: Array<number> = []
  for (const migration of MIGRATIONS) {
    await client.query("begin")
    try {
      await client.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY])
      await client.query(MIGRATIONS_TABLE.postgresql)
      const done = await client.query("select 1 from schema_migrations where version = $1", [migration.version])
      if (done.rowCount === 0) {
        for (const statement of migration.statements.postgresql) await client.query(statement)
        await client.query("insert into schema_migrations (version) values ($1)", [migration.version])
        applied.push(migration.version)
      }
      await client.query("commit")
    } catch (error) {
      await client.query("rollback").catch(() => undefined)
      throw error
    }
  }
  return applied
}

// One statement, so one snapshot of all three lists and the version. collate "C" sorts as SQLite does.
const SNAPSHOT_QUERY = `select
  (select version from list_version) as version,
  coalesce((select json_agg(json_build_object('pattern', pattern, 'type', type) order by pattern collate "C")
            from local_addresses), '[]'::json) as local_addresses,
  coalesce((select json_agg(json_build_object('ip', ip, 'hostname', hostname) order by ip collate "C")
            from mta_hostnames), '[]'::json) as mta_hostnames,
  coalesce((select json_agg(range order by range collate "C") from blocked_addresses), '[]'::json) as blocked`

const records = (value: unknown): ReadonlyArray<Record<string, unknown>> =>
  Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null) : []

const toSnapshot = (row: Record<string, unknown> | undefined): ManagedListsSnapshot => ({
  localAddresses: records(row?.local_addresses).flatMap((item): Array<LocalAddressRule> => {
    const type = LOCAL_ADDRESS_TYPES.find((known) => known === item.type)
    return type === undefined ? [] : [{ pattern: String(item.pattern), type }]
  }),
  mtaHostnames: records(row?.mta_hostnames).map((item) => ({ ip: String(item.ip), hostname: String(item.hostname) })),
  blocked: Array.isArray(row?.blocked) ? row.blocked.map(String) : [],
  version: Number(row?.version)
})

/**
 * The managed lists in PostgreSQL, for several nodes sharing one list. Every change bumps
 * list_version and notifies `smtp_intake_lists` (see change-feed.ts). The pool closes with the scope.
 */
export const postgresStore = (url: string): Effect.Effect<ManagedListsStoreShape, StoreUnavailable, Scope.Scope> =>
  Effect.gen(function*() {
    const target = postgresTarget(url)
    const unavailable = (what: string) => (error: unknown) =>
      new StoreUnavailable({ message: target.redact(`${target.description}: ${what}: ${reasonOf(error)}`) })
    const pool = yield* Effect.acquireRelease(
      Effect.try({
        try: () =>
          new Pool({
            connectionString: url,
            max: 4,
            connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
            query_timeout: QUERY_TIMEOUT_MS,
            idleTimeoutMillis: 30_000,
            keepAlive: true,
            application_name: "smtp-intake"
          }),
        catch: unavailable("bad address")
      }).pipe(
        // an idle client that loses its server emits on the pool; the next query reconnects
        Effect.tap((pool) => Effect.sync(() => pool.on("error", () => undefined)))
      ),
      (pool) => Effect.promise(() => pool.end()).pipe(Effect.timeout("5 seconds"), Effect.ignore)
    )

    const query = (what: string, text: string, values: ReadonlyArray<string> = []) =>
      Effect.tryPromise({ try: () => pool.query(text, [...values]), catch: unavailable(what) })

    const applied = yield* Effect.acquireUseRelease(
      Effect.tryPromise({ try: () => pool.connect(), catch: unavailable("cannot connect") }),
      (client) => Effect.tryPromise({ try: () => migrate(client), catch: unavailable("cannot migrate the schema") }),
      // a client that failed mid-migration is discarded, not reused
      (client, exit) => Effect.sync(() => client.release(exit._tag === "Failure"))
    )
    if (applied.length > 0) {
      yield* Effect.logInfo("database migrated").pipe(Effect.annotateLogs({ database: target.description, applied }))
    }

    const changed = (what: string, text: string, values: ReadonlyArray<string>) =>
      query(what, text, values).pipe(Effect.map((result) => (result.rowCount ?? 0) > 0))

    return {
      snapshot: query("cannot read the lists", SNAPSHOT_QUERY).pipe(Effect.map((result) => toSnapshot(result.rows[0]))),
      version: query("cannot read the list version", "select version from list_version").pipe(
        Effect.map((result) => Number(result.rows[0]?.version))
      ),
      // The WHERE makes re-adding what is there a no-op, so the row trigger (and the version) stays quiet.
      addLocalAddress: (rule) =>
        query(
          "cannot add a local address",
          `insert into local_addresses (pattern, type) values ($1, $2)
           on conflict (pattern) do update set type = excluded.type where local_addresses.type <> excluded.type`,
          [rule.pattern, rule.type]
        ).pipe(Effect.asVoid),
      removeLocalAddress: (pattern) =>
        changed("cannot remove a local address", "delete from local_addresses where pattern = $1", [pattern]),
      setMtaHostname: (entry) =>
        query(
          "cannot set an MTA hostname",
          `insert into mta_hostnames (ip, hostname) values ($1, $2)
           on conflict (ip) do update set hostname = excluded.hostname, updated_at = now()
           where mta_hostnames.hostname <> excluded.hostname`,
          [entry.ip, entry.hostname]
        ).pipe(Effect.asVoid),
      unsetMtaHostname: (ip) => changed("cannot remove an MTA hostname", "delete from mta_hostnames where ip = $1", [ip]),
      addBlocked: (range) =>
        query(
          "cannot add a blocked address",
          "insert into blocked_addresses (range) values ($1) on conflict (range) do nothing",
          [range]
        ).pipe(Effect.asVoid),
      removeBlocked: (range) =>
        changed("cannot remove a blocked address", "delete from blocked_addresses where range = $1", [range])
    }
  })
