import { assert, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Scope } from "effect"
import type { ManagedListsStoreShape, StoreUnavailable } from "../../application/ports/managed-lists-store.ts"
import { MIGRATIONS } from "../../adapters/database/migrations.ts"

export interface AppliedMigration {
  readonly version: number
  readonly appliedAt: string
}

/** A new, empty database of the store under test. */
export interface TestDatabase {
  /** opens a store on this database; may be called several times, also concurrently */
  readonly open: () => Effect.Effect<ManagedListsStoreShape, StoreUnavailable, Scope.Scope>
  /** the rows of schema_migrations, read past the store */
  readonly appliedMigrations: () => Promise<ReadonlyArray<AppliedMigration>>
}

const withStore = <A, E>(
  database: () => Promise<TestDatabase>,
  use: (store: ManagedListsStoreShape, db: TestDatabase) => Effect.Effect<A, E, Scope.Scope>
) =>
  Effect.scoped(Effect.gen(function*() {
    const db = yield* Effect.promise(database)
    return yield* use(yield* db.open(), db)
  }))

/** The same cases for every ManagedListsStore adapter (SPEC §6). */
export const storeContract = (freshDatabase: () => Promise<TestDatabase>): void => {
  it.live("starts empty", () =>
    withStore(freshDatabase, (store) =>
      Effect.gen(function*() {
        const snapshot = yield* store.snapshot
        assert.deepStrictEqual(snapshot.localAddresses, [])
        assert.deepStrictEqual(snapshot.mtaHostnames, [])
        assert.deepStrictEqual(snapshot.blocked, [])
        assert.strictEqual(snapshot.version, yield* store.version)
      })))

  it.live("adds, lists and removes local addresses of every type", () =>
    withStore(freshDatabase, (store) =>
      Effect.gen(function*() {
        yield* store.addLocalAddress({ pattern: "postmaster@example.com", type: "exact" })
        yield* store.addLocalAddress({ pattern: "*@example.org", type: "fnmatch" })
        yield* store.addLocalAddress({ pattern: "bounce", type: "substr" })
        yield* store.addLocalAddress({ pattern: "^dmarc\\+.*@example\\.net$", type: "regex" })
        assert.deepStrictEqual((yield* store.snapshot).localAddresses, [
          { pattern: "*@example.org", type: "fnmatch" },
          { pattern: "^dmarc\\+.*@example\\.net$", type: "regex" },
          { pattern: "bounce", type: "substr" },
          { pattern: "postmaster@example.com", type: "exact" }
        ])
        assert.isTrue(yield* store.removeLocalAddress("bounce"))
        assert.isFalse(yield* store.removeLocalAddress("bounce"))
        assert.deepStrictEqual(
          (yield* store.snapshot).localAddresses.map((rule) => rule.pattern),
          ["*@example.org", "^dmarc\\+.*@example\\.net$", "postmaster@example.com"]
        )
      })))

  it.live("adding an existing pattern again changes its type, and nothing else", () =>
    withStore(freshDatabase, (store) =>
      Effect.gen(function*() {
        yield* store.addLocalAddress({ pattern: "@example.com", type: "exact" })
        yield* store.addLocalAddress({ pattern: "@example.com", type: "substr" })
        assert.deepStrictEqual((yield* store.snapshot).localAddresses, [{ pattern: "@example.com", type: "substr" }])
        const before = yield* store.version
        yield* store.addLocalAddress({ pattern: "@example.com", type: "substr" })
        assert.strictEqual(yield* store.version, before, "re-adding the same rule is not a change")
        assert.deepStrictEqual((yield* store.snapshot).localAddresses, [{ pattern: "@example.com", type: "substr" }])
      })))

  it.live("sets, replaces and unsets MTA hostnames per local IP", () =>
    withStore(freshDatabase, (store) =>
      Effect.gen(function*() {
        yield* store.setMtaHostname({ ip: "192.0.2.10", hostname: "mx1.example.com" })
        yield* store.setMtaHostname({ ip: "2001:db8::25", hostname: "mx6.example.com" })
        yield* store.setMtaHostname({ ip: "192.0.2.10", hostname: "mx-one.example.com" })
        assert.deepStrictEqual((yield* store.snapshot).mtaHostnames, [
          { ip: "192.0.2.10", hostname: "mx-one.example.com" },
          { ip: "2001:db8::25", hostname: "mx6.example.com" }
        ])
        const before = yield* store.version
        yield* store.setMtaHostname({ ip: "192.0.2.10", hostname: "mx-one.example.com" })
        assert.strictEqual(yield* store.version, before, "setting the same hostname is not a change")
        assert.isTrue(yield* store.unsetMtaHostname("192.0.2.10"))
        assert.isFalse(yield* store.unsetMtaHostname("192.0.2.10"))
        assert.deepStrictEqual((yield* store.snapshot).mtaHostnames, [{ ip: "2001:db8::25", hostname: "mx6.example.com" }])
      })))

  it.live("adds and removes blocked IPs and ranges, idempotently", () =>
    withStore(freshDatabase, (store) =>
      Effect.gen(function*() {
        yield* store.addBlocked("203.0.113.7")
        yield* store.addBlocked("198.51.100.0/24")
        yield* store.addBlocked("2001:db8:bad::/48")
        const before = yield* store.version
        yield* store.addBlocked("203.0.113.7")
        assert.strictEqual(yield* store.version, before, "adding a blocked address twice is not a change")
        assert.deepStrictEqual((yield* store.snapshot).blocked, ["198.51.100.0/24", "2001:db8:bad::/48", "203.0.113.7"])
        assert.isTrue(yield* store.removeBlocked("198.51.100.0/24"))
        assert.isFalse(yield* store.removeBlocked("198.51.100.0/24"))
        assert.deepStrictEqual((yield* store.snapshot).blocked, ["2001:db8:bad::/48", "203.0.113.7"])
      })))

  it.live("keeps values with quotes, backslashes and non-ASCII exactly as given", () =>
    withStore(freshDatabase, (store) =>
      Effect.gen(function*() {
        const awkward = "o'brien\\\"; drop table local_addresses; --@b\u00fccher.example"
        yield* store.addLocalAddress({ pattern: awkward, type: "substr" })
        yield* store.setMtaHostname({ ip: "192.0.2.1", hostname: "m\u00e4il'x.example" })
        assert.deepStrictEqual((yield* store.snapshot).localAddresses, [{ pattern: awkward, type: "substr" }])
        assert.deepStrictEqual((yield* store.snapshot).mtaHostnames, [{ ip: "192.0.2.1", hostname: "m\u00e4il'x.example" }])
        assert.isTrue(yield* store.removeLocalAddress(awkward))
      })))

  it.live("the version grows with every change and not with reads or non-changes", () =>
    withStore(freshDatabase, (store) =>
      Effect.gen(function*() {
        const versions = [yield* store.version]
        const changes = [
          store.addLocalAddress({ pattern: "a@example.com", type: "exact" }),
          store.addLocalAddress({ pattern: "a@example.com", type: "fnmatch" }),
          store.removeLocalAddress("a@example.com"),
          store.setMtaHostname({ ip: "192.0.2.1", hostname: "mx.example.com" }),
          store.setMtaHostname({ ip: "192.0.2.1", hostname: "mx2.example.com" }),
          store.unsetMtaHostname("192.0.2.1"),
          store.addBlocked("192.0.2.0/24"),
          store.removeBlocked("192.0.2.0/24")
        ]
        for (const change of changes) {
          yield* change
          const version = yield* store.version
          assert.isAbove(version, versions.at(-1) ?? -1)
          versions.push(version)
        }
        const last = versions.at(-1)
        yield* store.snapshot
        yield* store.version
        assert.isFalse(yield* store.removeLocalAddress("nobody@example.com"))
        assert.isFalse(yield* store.unsetMtaHostname("192.0.2.99"))
        assert.isFalse(yield* store.removeBlocked("192.0.2.99"))
        assert.strictEqual(yield* store.version, last)
        assert.strictEqual((yield* store.snapshot).version, last)
      })))

  it.live("runs each migration once: a second open keeps the data and applies nothing", () =>
    Effect.gen(function*() {
      const db = yield* Effect.promise(freshDatabase)
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* db.open()
        yield* store.addBlocked("192.0.2.1")
      }))
      const first = yield* Effect.promise(db.appliedMigrations)
      assert.deepStrictEqual(first.map((row) => row.version), MIGRATIONS.map((migration) => migration.version))
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* db.open()
        const snapshot = yield* store.snapshot
        assert.deepStrictEqual(snapshot.blocked, ["192.0.2.1"])
        assert.isAbove(snapshot.version, 0)
      }))
      assert.deepStrictEqual(yield* Effect.promise(db.appliedMigrations), first)
    }))

  it.live("two stores opening the same fresh database at once both migrate it and work", () =>
    Effect.gen(function*() {
      const db = yield* Effect.promise(freshDatabase)
      yield* Effect.scoped(Effect.gen(function*() {
        const [a, b] = yield* Effect.all([db.open(), db.open()], { concurrency: "unbounded" })
        yield* a.addBlocked("192.0.2.1")
        yield* b.addBlocked("192.0.2.2")
        assert.deepStrictEqual((yield* a.snapshot).blocked, ["192.0.2.1", "192.0.2.2"])
      }))
      const applied = yield* Effect.promise(db.appliedMigrations)
      assert.deepStrictEqual(applied.map((row) => row.version), MIGRATIONS.map((migration) => migration.version))
    }))

  it.live("two stores on the same database see each other's changes", () =>
    Effect.gen(function*() {
      const db = yield* Effect.promise(freshDatabase)
      yield* Effect.scoped(Effect.gen(function*() {
        const a = yield* db.open()
        const b = yield* db.open()
        const before = yield* b.version
        yield* a.addLocalAddress({ pattern: "*@shared.example", type: "fnmatch" })
        assert.isAbove(yield* b.version, before)
        assert.deepStrictEqual((yield* b.snapshot).localAddresses, [{ pattern: "*@shared.example", type: "fnmatch" }])
        assert.isTrue(yield* b.removeLocalAddress("*@shared.example"))
        assert.deepStrictEqual((yield* a.snapshot).localAddresses, [])
        assert.strictEqual(yield* a.version, yield* b.version)
      }))
    }))
}

/** A store on a database server (PostgreSQL, MySQL): how to reach one that is not there. */
export interface ServerStore {
  /** the product's name as the store's messages give it */
  readonly product: string
  readonly open: (url: string) => Effect.Effect<ManagedListsStoreShape, StoreUnavailable, Scope.Scope>
  /** `scheme://intake:s3cret-pw@127.0.0.1:<port>/lists` */
  readonly unreachable: (port: number) => string
  /** an address of this server naming a database that does not exist, whose name starts `intake_test_missing_` */
  readonly missingDatabase: () => string
}

/** What every server-backed store does when its server or database is not there. */
export const serverStoreContract = (server: ServerStore, freePort: () => Promise<number>): void => {
  it.live("an unreachable server gives StoreUnavailable quickly, without the password", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(freePort)
      const started = Date.now()
      const error = yield* Effect.flip(Effect.scoped(server.open(server.unreachable(port))))
      assert.isBelow(Date.now() - started, 6000)
      assert.strictEqual(error._tag, "StoreUnavailable")
      assert.include(error.message, `${server.product} intake@127.0.0.1:${port}/lists`)
      assert.notInclude(error.message, "s3cret-pw")
    }))

  it.live("a missing database gives StoreUnavailable naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(server.open(server.missingDatabase())))
      assert.strictEqual(error._tag, "StoreUnavailable")
      assert.include(error.message, "intake_test_missing_")
    }))
}
