import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { sqliteStore } from "../../adapters/database/sqlite-store.ts"
import { parseDatabaseAddress, storeFromUrl } from "../../adapters/database/store-from-url.ts"
import { storeContract } from "../support/store-contract.ts"
import type { TestDatabase } from "../support/store-contract.ts"

const root = mkdtempSync(join(tmpdir(), "sqlite-store-test-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let databases = 0
const freshPath = () => join(root, `db-${++databases}`, "lists.db")

const readPast = <A>(path: string, f: (db: DatabaseSync) => A): A => {
  const db = new DatabaseSync(path, { readOnly: true })
  try {
    return f(db)
  } finally {
    db.close()
  }
}

const freshDatabase = (): Promise<TestDatabase> => {
  const path = freshPath()
  return Promise.resolve({
    open: () => sqliteStore(path),
    appliedMigrations: async () =>
      readPast(path, (db) =>
        db.prepare("select version, applied_at from schema_migrations order by version").all().map((row) => ({
          version: Number(row.version),
          appliedAt: String(row.applied_at)
        })))
  })
}

describe("sqliteStore", () => {
  storeContract(freshDatabase)

  it.live("creates the directory and the file on first start, in WAL mode", () => {
    const path = join(root, "new", "nested", "dirs", "intake.db")
    return Effect.gen(function*() {
      assert.isFalse(existsSync(join(root, "new")))
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* sqliteStore(path)
        yield* store.addBlocked("192.0.2.1")
      }))
      assert.isTrue(existsSync(path))
      assert.strictEqual(readPast(path, (db) => db.prepare("pragma journal_mode").get()?.journal_mode), "wal")
    })
  })

  it.live("fails with StoreUnavailable naming the path when the directory cannot be made", () => {
    const blocker = join(root, "a-file")
    writeFileSync(blocker, "not a directory")
    const path = join(blocker, "lists.db")
    return Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(sqliteStore(path)))
      assert.strictEqual(error._tag, "StoreUnavailable")
      assert.include(error.message, path)
    })
  })

  it.live("fails with StoreUnavailable naming the path when the file is not a database", () => {
    const path = join(root, "garbage.db")
    writeFileSync(path, "this is not an SQLite file, but it is long enough to have a header page".repeat(20))
    return Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(sqliteStore(path)))
      assert.strictEqual(error._tag, "StoreUnavailable")
      assert.include(error.message, path)
    })
  })

  it.live("a closed store reports StoreUnavailable instead of throwing", () =>
    Effect.gen(function*() {
      const store = yield* Effect.scoped(sqliteStore(freshPath()))
      const error = yield* Effect.flip(store.snapshot)
      assert.strictEqual(error._tag, "StoreUnavailable")
    }))

  it.live("storeFromUrl opens sqlite:///absolute/path", () => {
    const path = freshPath()
    return Effect.gen(function*() {
      yield* Effect.scoped(Effect.gen(function*() {
        const store = yield* storeFromUrl(`sqlite://${path}`)
        yield* store.addLocalAddress({ pattern: "@example.com", type: "exact" })
      }))
      assert.isTrue(existsSync(path))
    })
  })

  it("parses the database-address forms", () => {
    assert.deepStrictEqual(parseDatabaseAddress("sqlite:///var/lib/x.db"), { kind: "sqlite", path: "/var/lib/x.db" })
    assert.deepStrictEqual(parseDatabaseAddress("sqlite://./relative.db"), { kind: "sqlite", path: "./relative.db" })
    assert.deepStrictEqual(parseDatabaseAddress("postgresql://u:p@db/intake"), {
      kind: "postgresql",
      url: "postgresql://u:p@db/intake"
    })
    assert.deepStrictEqual(parseDatabaseAddress("postgres://db/intake"), { kind: "postgresql", url: "postgres://db/intake" })
    assert.isUndefined(parseDatabaseAddress("sqlite://"))
    assert.deepStrictEqual(parseDatabaseAddress("mysql://u:p@db/intake"), { kind: "mysql", url: "mysql://u:p@db/intake" })
    assert.isUndefined(parseDatabaseAddress("mongodb://u:p@db/intake"))
    assert.isUndefined(parseDatabaseAddress("/var/lib/x.db"))
  })

  it.live("storeFromUrl refuses an unknown scheme without echoing the address", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Effect.scoped(storeFromUrl("mongodb://intake:hunter2@db/intake")))
      assert.strictEqual(error._tag, "StoreUnavailable")
      assert.include(error.message, "mongodb:")
      assert.notInclude(error.message, "hunter2")
    }))
})
