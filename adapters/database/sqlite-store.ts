import { Effect } from "effect"
import type { Scope } from "effect"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { StoreUnavailable } from "../../application/ports/managed-lists-store.ts"
import type { ManagedListsSnapshot, ManagedListsStoreShape } from "../../application/ports/managed-lists-store.ts"
import { LOCAL_ADDRESS_TYPES } from "../../domain/lists/local-address-rule.ts"
import type { LocalAddressRule } from "../../domain/lists/local-address-rule.ts"
import { MIGRATIONS, MIGRATIONS_TABLE } from "./migrations.ts"

/** How long a write waits for another process's write lock before it fails. */
const BUSY_TIMEOUT_MS = 5000

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error))

const unavailable = (path: string, what: string) => (error: unknown) =>
  new StoreUnavailable({ message: `SQLite database ${path}: ${what}: ${reasonOf(error)}` })

const open = (path: string): Effect.Effect<DatabaseSync, StoreUnavailable> =>
  Effect.gen(function*() {
    const directory = dirname(path)
    yield* Effect.try({
      try: () => mkdirSync(directory, { recursive: true }),
      catch: unavailable(path, `cannot create the directory ${directory}`)
    })
    return yield* Effect.try({
      try: () => {
        const db = new DatabaseSync(path, { timeout: BUSY_TIMEOUT_MS })
        try {
          db.exec("pragma journal_mode = wal")
          return db
        } catch (error) {
          db.close()
          throw error
        }
      },
      catch: unavailable(path, "cannot open or create the file")
    })
  })

/** Runs `f` in a transaction; BEGIN IMMEDIATE takes the write lock at once (our migration lock). */
const inTransaction = <A>(db: DatabaseSync, begin: "begin" | "begin immediate", f: () => A): A => {
  db.exec(begin)
  try {
    const result = f()
    db.exec("commit")
    return result
  } catch (error) {
    if (db.isTransaction) db.exec("rollback")
    throw error
  }
}

/** Applies what is missing, each migration in its own transaction; returns the versions applied. */
const migrate = (db: DatabaseSync): ReadonlyArray<number> => {
  const applied: Array<number> = []
  for (const migration of MIGRATIONS) {
    inTransaction(db, "begin immediate", () => {
      db.exec(MIGRATIONS_TABLE.sqlite)
      if (db.prepare("select 1 from schema_migrations where version = ?").get(migration.version) !== undefined) return
      for (const statement of migration.statements.sqlite) db.exec(statement)
      db.prepare("insert into schema_migrations (version) values (?)").run(migration.version)
      applied.push(migration.version)
    })
  }
  return applied
}

const asRuleType = (value: unknown) => LOCAL_ADDRESS_TYPES.find((type) => type === value)

const makeStore = (db: DatabaseSync, path: string): ManagedListsStoreShape => {
  const statements = {
    version: db.prepare("select version from list_version"),
    localAddresses: db.prepare("select pattern, type from local_addresses order by pattern"),
    mtaHostnames: db.prepare("select ip, hostname from mta_hostnames order by ip"),
    blocked: db.prepare("select range from blocked_addresses order by range"),
    // The WHERE makes re-adding what is there a no-op, so the version (bumped by trigger) stays.
    addLocalAddress: db.prepare(
      `insert into local_addresses (pattern, type) values (?, ?)
       on conflict (pattern) do update set type = excluded.type where type <> excluded.type`
    ),
    removeLocalAddress: db.prepare("delete from local_addresses where pattern = ?"),
    setMtaHostname: db.prepare(
      `insert into mta_hostnames (ip, hostname) values (?, ?)
       on conflict (ip) do update set hostname = excluded.hostname,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       where hostname <> excluded.hostname`
    ),
    unsetMtaHostname: db.prepare("delete from mta_hostnames where ip = ?"),
    addBlocked: db.prepare("insert into blocked_addresses (range) values (?) on conflict (range) do nothing"),
    removeBlocked: db.prepare("delete from blocked_addresses where range = ?")
  }

  const attempt = <A>(what: string, f: () => A) => Effect.try({ try: f, catch: unavailable(path, what) })
  const readVersion = () => Number(statements.version.get()?.version)

  const snapshot = (): ManagedListsSnapshot =>
    // a read transaction: one consistent view even while another process writes
    inTransaction(db, "begin", () => ({
      localAddresses: statements.localAddresses.all().flatMap((row): Array<LocalAddressRule> => {
        const type = asRuleType(row.type)
        return type === undefined ? [] : [{ pattern: String(row.pattern), type }]
      }),
      mtaHostnames: statements.mtaHostnames.all().map((row) => ({ ip: String(row.ip), hostname: String(row.hostname) })),
      blocked: statements.blocked.all().map((row) => String(row.range)),
      version: readVersion()
    }))

  return {
    snapshot: Effect.suspend(() => attempt("cannot read the lists", snapshot)),
    version: Effect.suspend(() => attempt("cannot read the list version", readVersion)),
    addLocalAddress: (rule) =>
      attempt("cannot add a local address", () => {
        statements.addLocalAddress.run(rule.pattern, rule.type)
      }),
    removeLocalAddress: (pattern) =>
      attempt("cannot remove a local address", () => statements.removeLocalAddress.run(pattern).changes > 0),
    setMtaHostname: (entry) =>
      attempt("cannot set an MTA hostname", () => {
        statements.setMtaHostname.run(entry.ip, entry.hostname)
      }),
    unsetMtaHostname: (ip) =>
      attempt("cannot remove an MTA hostname", () => statements.unsetMtaHostname.run(ip).changes > 0),
    addBlocked: (range) =>
      attempt("cannot add a blocked address", () => {
        statements.addBlocked.run(range)
      }),
    removeBlocked: (range) =>
      attempt("cannot remove a blocked address", () => statements.removeBlocked.run(range).changes > 0)
  }
}

/**
 * The managed lists in one SQLite file (the single-node default). The directory and the file are
 * created on first start; migrations run before the store is handed out; closed with the scope.
 */
export const sqliteStore = (path: string): Effect.Effect<ManagedListsStoreShape, StoreUnavailable, Scope.Scope> =>
  Effect.gen(function*() {
    const db = yield* Effect.acquireRelease(open(path), (db) =>
      Effect.sync(() => {
        if (db.isOpen) db.close()
      }))
    const applied = yield* Effect.try({ try: () => migrate(db), catch: unavailable(path, "cannot migrate the schema") })
    if (applied.length > 0) yield* Effect.logInfo("database migrated").pipe(Effect.annotateLogs({ path, applied }))
    return yield* Effect.try({ try: () => makeStore(db, path), catch: unavailable(path, "cannot prepare queries") })
  })
