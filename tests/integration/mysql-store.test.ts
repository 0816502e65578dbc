import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { createConnection } from "mysql2/promise"
import type { Connection } from "mysql2/promise"
import { mysqlStore } from "../../adapters/database/mysql-store.ts"
import { storeFromUrl } from "../../adapters/database/store-from-url.ts"
import { freePort } from "../support/free-port.ts"
import { portOpen, serviceAvailable } from "../support/services.ts"
import { serverStoreContract, storeContract } from "../support/store-contract.ts"
import type { TestDatabase } from "../support/store-contract.ts"

const SERVER = "mysql://root@127.0.0.1:3306"

const available = serviceAvailable(
  "MariaDB (or MySQL) on 127.0.0.1:3306",
  await portOpen(3306),
  "apt-get install -y mariadb-server && service mariadb start (root logs in without a password over TCP)"
)

const withAdmin = async <A>(f: (connection: Connection) => Promise<A>): Promise<A> => {
  const connection = await createConnection({ uri: SERVER, connectTimeout: 5000 })
  try {
    return await f(connection)
  } finally {
    await connection.end()
  }
}

const created: Array<string> = []
afterAll(async () => {
  if (created.length === 0) return
  // names are our own random hex: identifiers cannot be bound as parameters
  await withAdmin(async (connection) => {
    for (const name of created) await connection.query(`drop database if exists ${name}`)
  })
})

const createDatabase = async (): Promise<{ readonly name: string; readonly url: string }> => {
  const name = `intake_test_${randomBytes(6).toString("hex")}`
  await withAdmin((connection) => connection.query(`create database ${name}`))
  created.push(name)
  return { name, url: `${SERVER}/${name}` }
}

const freshDatabase = async (): Promise<TestDatabase> => {
  const { url, name } = await createDatabase()
  return {
    open: () => mysqlStore(url),
    appliedMigrations: () =>
      withAdmin(async (connection) => {
        const [rows] = await connection.query(
          `select version, date_format(applied_at, '%Y-%m-%d %H:%i:%s.%f') as applied_at from ${name}.schema_migrations order by version`
        )
        return (rows as Array<{ version: number; applied_at: string }>).map((row) => ({
          version: Number(row.version),
          appliedAt: row.applied_at
        }))
      })
  }
}

describe.skipIf(!available)("mysqlStore (against the machine's MariaDB)", () => {
  storeContract(freshDatabase)

  it.live("keys are compared byte for byte, as in SQLite: case and trailing spaces make other entries", () =>
    Effect.scoped(Effect.gen(function*() {
      const { url } = yield* Effect.promise(createDatabase)
      const store = yield* mysqlStore(url)
      yield* store.addLocalAddress({ pattern: "Postmaster@example.com", type: "exact" })
      yield* store.addLocalAddress({ pattern: "postmaster@example.com", type: "exact" })
      yield* store.addLocalAddress({ pattern: "postmaster@example.com ", type: "substr" })
      yield* store.addLocalAddress({ pattern: "bücher@example.com", type: "exact" })
      assert.deepStrictEqual((yield* store.snapshot).localAddresses.map((rule) => rule.pattern), [
        "Postmaster@example.com", "bücher@example.com", "postmaster@example.com", "postmaster@example.com "
      ].toSorted((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))))
    })))

  serverStoreContract({
    product: "MySQL",
    open: mysqlStore,
    unreachable: (port) => `mysql://intake:s3cret-pw@127.0.0.1:${port}/lists`,
    missingDatabase: () => `${SERVER}/intake_test_missing_${randomBytes(4).toString("hex")}`
  }, freePort)

  it.live("storeFromUrl opens mysql:// addresses", () =>
    Effect.scoped(Effect.gen(function*() {
      const { name } = yield* Effect.promise(createDatabase)
      const a = yield* storeFromUrl(`${SERVER}/${name}`)
      const b = yield* storeFromUrl(`${SERVER}/${name}`)
      yield* a.setMtaHostname({ ip: "192.0.2.25", hostname: "mx.example.com" })
      assert.deepStrictEqual((yield* b.snapshot).mtaHostnames, [{ ip: "192.0.2.25", hostname: "mx.example.com" }])
    })))
})
