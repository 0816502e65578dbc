import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { Client } from "pg"
import { listenForChanges } from "../../adapters/database/change-feed.ts"
import { postgresStore } from "../../adapters/database/postgres-store.ts"
import { storeFromUrl } from "../../adapters/database/store-from-url.ts"
import { freePort } from "../support/free-port.ts"
import { portOpen, serviceAvailable } from "../support/services.ts"
import { serverStoreContract, storeContract } from "../support/store-contract.ts"
import type { TestDatabase } from "../support/store-contract.ts"

const SERVER = "postgresql://postgres@127.0.0.1:5432"

const available = serviceAvailable(
  "PostgreSQL on 127.0.0.1:5432",
  await portOpen(5432),
  "start it, with trust auth for user postgres"
)

const withAdmin = async <A>(database: string, f: (client: Client) => Promise<A>): Promise<A> => {
  const client = new Client({ connectionString: `${SERVER}/${database}`, connectionTimeoutMillis: 5000 })
  await client.connect()
  try {
    return await f(client)
  } finally {
    await client.end()
  }
}

const created: Array<string> = []
afterAll(async () => {
  if (created.length === 0) return
  await withAdmin("postgres", async (client) => {
    // names are our own random hex: identifiers cannot be bound as parameters
    for (const name of created) await client.query(`drop database if exists ${name} with (force)`)
  })
})

const createDatabase = async (): Promise<{ readonly name: string; readonly url: string }> => {
  const name = `intake_test_${randomBytes(6).toString("hex")}`
  await withAdmin("postgres", (client) => client.query(`create database ${name}`))
  created.push(name)
  return { name, url: `${SERVER}/${name}` }
}

const freshDatabase = async (): Promise<TestDatabase> => {
  const { url, name } = await createDatabase()
  return {
    open: () => postgresStore(url),
    appliedMigrations: () =>
      withAdmin(name, async (client) => {
        const result = await client.query(
          "select version, applied_at::text as applied_at from schema_migrations order by version"
        )
        return result.rows.map((row: { version: number; applied_at: string }) => ({
          version: Number(row.version),
          appliedAt: row.applied_at
        }))
      })
  }
}

/** Resolves true as soon as `calls()` exceeds `count`, false after `timeoutMs`. */
const waitForCalls = (calls: () => number, count: number, timeoutMs: number) =>
  Effect.promise(async () => {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (calls() > count) return true
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return false
  })

describe.skipIf(!available)("postgresStore", () => {
  storeContract(freshDatabase)

  it.live("with the change feed, store B hears of store A's change in under a second", () =>
    Effect.scoped(Effect.gen(function*() {
      const { url } = yield* Effect.promise(createDatabase)
      const a = yield* postgresStore(url)
      const b = yield* postgresStore(url)
      let heard = 0
      yield* listenForChanges(url, () => {
        heard += 1
      })
      // the feed signals once when it starts listening (changes may have been missed before)
      assert.isTrue(yield* waitForCalls(() => heard, 0, 5000), "the feed never started")
      const before = heard
      const versionBefore = yield* b.version
      const started = Date.now()
      yield* a.addBlocked("203.0.113.0/24")
      assert.isTrue(yield* waitForCalls(() => heard, before, 1000), "no notification within 1 s")
      assert.isBelow(Date.now() - started, 1000)
      assert.isAbove(yield* b.version, versionBefore)
      assert.deepStrictEqual((yield* b.snapshot).blocked, ["203.0.113.0/24"])
    })))

  it.live("the change feed reconnects after its connection is killed", () =>
    Effect.scoped(Effect.gen(function*() {
      const { url, name } = yield* Effect.promise(createDatabase)
      const store = yield* postgresStore(url)
      let heard = 0
      yield* listenForChanges(url, () => {
        heard += 1
      })
      assert.isTrue(yield* waitForCalls(() => heard, 0, 5000), "the feed never started")
      const before = heard
      const killed = yield* Effect.promise(() =>
        withAdmin("postgres", (client) =>
          client.query(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = $2",
            [name, "smtp-intake-change-feed"]
          ))
      )
      assert.strictEqual(killed.rowCount, 1)
      // back: it signals on reconnect, then hears new changes again
      assert.isTrue(yield* waitForCalls(() => heard, before, 5000), "the feed did not come back")
      const reconnected = heard
      yield* store.addLocalAddress({ pattern: "@example.com", type: "exact" })
      assert.isTrue(yield* waitForCalls(() => heard, reconnected, 1000), "no notification after reconnecting")
    })))

  serverStoreContract({
    product: "PostgreSQL",
    open: postgresStore,
    unreachable: (port) => `postgresql://intake:s3cret-pw@127.0.0.1:${port}/lists`,
    missingDatabase: () => `${SERVER}/intake_test_missing_${randomBytes(4).toString("hex")}`
  }, freePort)

  it.live("storeFromUrl opens postgres:// and postgresql:// addresses", () =>
    Effect.scoped(Effect.gen(function*() {
      const { name } = yield* Effect.promise(createDatabase)
      const a = yield* storeFromUrl(`postgres://postgres@127.0.0.1:5432/${name}`)
      const b = yield* storeFromUrl(`postgresql://postgres@127.0.0.1:5432/${name}`)
      yield* a.setMtaHostname({ ip: "192.0.2.25", hostname: "mx.example.com" })
      assert.deepStrictEqual((yield* b.snapshot).mtaHostnames, [{ ip: "192.0.2.25", hostname: "mx.example.com" }])
    })))
})
