import { Effect } from "effect"
import type { Scope } from "effect"
import { createPool } from "mysql2/promise"
import type { Pool, PoolConnection } from "mysql2/promise"
import { StoreUnavailable } from "../../application/ports/managed-lists-store.ts"
import type { ManagedListsStoreShape } from "../../application/ports/managed-lists-store.ts"
import { LOCAL_ADDRESS_TYPES } from "../../domain/lists/local-address-rule.ts"
import type { LocalAddressRule } from "../../domain/lists/local-address-rule.ts"
import { databaseTarget, reasonOf } from "./database-target.ts"
import { MIGRATIONS, MIGRATIONS_TABLE } from "./migrations.ts"

const CONNECT_TIMEOUT_MS = 5000
const QUERY_TIMEOUT_MS = 10_000
/** GET_LOCK name held while migrating, so nodes starting together take turns */
const MIGRATION_LOCK = "smtp-intake-migrations"
const MIGRATION_LOCK_WAIT_SECONDS = 30

export const mysqlTarget = (url: string) => databaseTarget(url, "MySQL", "3306")

type Row = Record<string, unknown>
/** a column and its value */
type Pair = readonly [string, string]

/** the keys are varbinary (compared byte for byte, as in SQLite): the driver gives them as Buffers */
const text = (value: unknown): string => (Buffer.isBuffer(value) ? value.toString("utf8") : String(value))

const rowsOf = (result: unknown): ReadonlyArray<Row> =>
  Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as ReadonlyArray<Row>) : []

const affected = (result: unknown): number =>
  Array.isArray(result) && typeof result[0] === "object" && result[0] !== null && "affectedRows" in result[0]
    ? Number(result[0].affectedRows)
    : 0

const run = (connection: Pool | PoolConnection, sql: string, values: ReadonlyArray<string | number> = []) =>
  connection.query({ sql, values: [...values], timeout: QUERY_TIMEOUT_MS })

/**
 * Applies what is missing under a server-wide named lock. MySQL commits each DDL statement on its
 * own, so the statements are written to be run again: a migration cut short is finished next time.
 */
const migrate = async (connection: PoolConnection): Promise<ReadonlyArray<number>> => {
  const locked = rowsOf(await run(connection, "select get_lock(?, ?) as locked", [MIGRATION_LOCK, MIGRATION_LOCK_WAIT_SECONDS]))
  if (Number(locked[0]?.locked) !== 1) throw new Error(`another node held the migration lock for ${MIGRATION_LOCK_WAIT_SECONDS} s`)
  try {
    const applied: Array<number> = []
    await run(connection, MIGRATIONS_TABLE.mysql)
    for (const migration of MIGRATIONS) {
      const done = rowsOf(await run(connection, "select 1 from schema_migrations where version = ?", [migration.version]))
      if (done.length > 0) continue
      for (const statement of migration.statements.mysql) await run(connection, statement)
      await run(connection, "insert into schema_migrations (version) values (?)", [migration.version])
      applied.push(migration.version)
    }
    return applied
  } finally {
    await run(connection, "select release_lock(?)", [MIGRATION_LOCK]).catch(() => undefined)
  }
}

/** The three lists and the version, read in one consistent snapshot. */
const readSnapshot = async (connection: PoolConnection) => {
  await run(connection, "start transaction with consistent snapshot, read only")
  try {
    const version = rowsOf(await run(connection, "select version from list_version"))
    const local = rowsOf(await run(connection, "select pattern, type from local_addresses order by pattern"))
    const hostnames = rowsOf(await run(connection, "select ip, hostname from mta_hostnames order by ip"))
    const blocked = rowsOf(await run(connection, "select `range` from blocked_addresses order by `range`"))
    return {
      localAddresses: local.flatMap((row): Array<LocalAddressRule> => {
        const type = LOCAL_ADDRESS_TYPES.find((known) => known === text(row.type))
        return type === undefined ? [] : [{ pattern: text(row.pattern), type }]
      }),
      mtaHostnames: hostnames.map((row) => ({ ip: text(row.ip), hostname: text(row.hostname) })),
      blocked: blocked.map((row) => text(row.range)),
      version: Number(version[0]?.version)
    }
  } finally {
    await run(connection, "commit").catch(() => undefined)
  }
}

/**
 * The managed lists in MySQL or MariaDB (`mysql://user:password@host:3306/database`), for several
 * nodes sharing one list. Every change bumps list_version (row triggers); there is no change feed,
 * so the cache polls the version. The pool closes with the scope.
 */
export const mysqlStore = (url: string): Effect.Effect<ManagedListsStoreShape, StoreUnavailable, Scope.Scope> =>
  Effect.gen(function*() {
    const target = mysqlTarget(url)
    const unavailable = (what: string) => (error: unknown) =>
      new StoreUnavailable({ message: target.redact(`${target.description}: ${what}: ${reasonOf(error)}`) })
    const pool = yield* Effect.acquireRelease(
      Effect.try({
        try: () =>
          createPool({
            uri: url,
            connectionLimit: 4,
            connectTimeout: CONNECT_TIMEOUT_MS,
            enableKeepAlive: true,
            charset: "utf8mb4",
            multipleStatements: false
          }),
        catch: unavailable("bad address")
      }),
      (pool) => Effect.promise(() => pool.end()).pipe(Effect.timeout("5 seconds"), Effect.ignore)
    )

    const withConnection = <A>(what: string, use: (connection: PoolConnection) => Promise<A>) =>
      Effect.acquireUseRelease(
        Effect.tryPromise({ try: () => pool.getConnection(), catch: unavailable("cannot connect") }),
        (connection) => Effect.tryPromise({ try: () => use(connection), catch: unavailable(what) }),
        // a connection that failed mid-way is discarded, not reused
        (connection, exit) => Effect.sync(() => (exit._tag === "Failure" ? connection.destroy() : connection.release()))
      )
    const query = (what: string, sql: string, values: ReadonlyArray<string> = []) =>
      Effect.tryPromise({ try: () => run(pool, sql, values), catch: unavailable(what) })
    const changed = (what: string, sql: string, values: ReadonlyArray<string>) =>
      query(what, sql, values).pipe(Effect.map((result) => affected(result) > 0))
    /**
     * Sets `column` of the row with `key`: an insert that leaves an existing row alone, then an
     * update only where the value differs, so that no trigger fires (no version bump) for what is there.
     * Table and column names are our own constants, never input.
     */
    const put = (what: string, table: string, [keyColumn, key]: Pair, [column, value]: Pair, alsoSet = "") =>
      query(what, `insert ignore into ${table} (${keyColumn}, ${column}) values (?, ?)`, [key, value]).pipe(
        Effect.andThen(query(what, `update ${table} set ${column} = ?${alsoSet} where ${keyColumn} = ? and ${column} <> ?`, [value, key, value])),
        Effect.asVoid
      )

    const applied = yield* withConnection("cannot migrate the schema", migrate)
    if (applied.length > 0) {
      yield* Effect.logInfo("database migrated").pipe(Effect.annotateLogs({ database: target.description, applied }))
    }

    return {
      snapshot: withConnection("cannot read the lists", readSnapshot),
      version: query("cannot read the list version", "select version from list_version").pipe(
        Effect.map((result) => Number(rowsOf(result)[0]?.version))
      ),
      addLocalAddress: (rule) => put("cannot add a local address", "local_addresses", ["pattern", rule.pattern], ["type", rule.type]),
      removeLocalAddress: (pattern) =>
        changed("cannot remove a local address", "delete from local_addresses where pattern = ?", [pattern]),
      setMtaHostname: (entry) =>
        put("cannot set an MTA hostname", "mta_hostnames", ["ip", entry.ip], ["hostname", entry.hostname], ", updated_at = current_timestamp(3)"),
      unsetMtaHostname: (ip) => changed("cannot remove an MTA hostname", "delete from mta_hostnames where ip = ?", [ip]),
      addBlocked: (range) =>
        query("cannot add a blocked address", "insert ignore into blocked_addresses (`range`) values (?)", [range]).pipe(Effect.asVoid),
      removeBlocked: (range) =>
        changed("cannot remove a blocked address", "delete from blocked_addresses where `range` = ?", [range])
    }
  })
