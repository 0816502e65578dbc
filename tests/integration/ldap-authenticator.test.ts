import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Client } from "ldapts"
import { createServer } from "node:net"
import type { Server, Socket } from "node:net"
import { ldapAuthenticator } from "../../adapters/auth/ldap/ldap-authenticator.ts"
import type { LdapBackend } from "../../adapters/auth/ldap/ldap-authenticator.ts"
import type { AuthUnavailable } from "../../application/ports/authenticator.ts"
import { parseAuthBackend } from "../../domain/auth/auth-backend.ts"
import { freePort } from "../support/free-port.ts"
import { SLAPD_PEOPLE, slapdAvailable, startSlapd } from "../support/slapd.ts"
import type { RunningSlapd } from "../support/slapd.ts"

const ldapBackend = (smtpAuth: string): LdapBackend => {
  const backend = parseAuthBackend(smtpAuth)
  if (backend?.kind !== "ldap") throw new Error(`not an ldap smtp-auth: ${smtpAuth}`)
  return backend
}

/** A loopback server that takes connections and never says a word, counting them. */
const silentServer = async (): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> => {
  const sockets = new Set<Socket>()
  let count = 0
  const server: Server = createServer((socket) => {
    count++
    sockets.add(socket)
    socket.on("error", () => undefined)
    socket.once("close", () => sockets.delete(socket))
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  return {
    port,
    connections: () => count,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

const elapsed = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const start = Date.now()
    const value = yield* effect
    return { value, ms: Date.now() - start }
  })

const assertUnavailable = (error: AuthUnavailable, server: string, password: string) => {
  assert.strictEqual(error._tag, "AuthUnavailable")
  assert.include(error.message, server)
  assert.notInclude(error.message, password)
}

describe.skipIf(!slapdAvailable())("ldap:// smtp-auth against a real slapd", () => {
  let slapd: RunningSlapd
  let people: LdapBackend
  beforeAll(async () => {
    slapd = await startSlapd()
    people = ldapBackend(`ldap://127.0.0.1:${slapd.port}/${SLAPD_PEOPLE}`)
  })
  afterAll(() => slapd?.stop())

  const verify = (username: string, password: string, backend: LdapBackend = people) =>
    ldapAuthenticator(backend, { timeoutMs: 2000 }).verify({ username, password })

  it.live("accepts each user with their own password, a uid with a comma in it too", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* verify("alice", "alice-secret"), "accepted")
      assert.strictEqual(yield* verify("bob", "bob-secret"), "accepted")
      assert.strictEqual(yield* verify("smith, j", "smith-secret"), "accepted")
    }))

  it.live("rejects a wrong password, another user's password, and an unknown user", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* verify("alice", "alice-secreT"), "rejected")
      assert.strictEqual(yield* verify("alice", "bob-secret"), "rejected")
      assert.strictEqual(yield* verify("mallory", "alice-secret"), "rejected")
    }))

  it.live("rejects an empty password although this slapd lets a DN with an empty password bind", () =>
    Effect.gen(function*() {
      // the bypass is real on this server: a bare ldapts bind with no password succeeds
      const client = new Client({ url: slapd.url, timeout: 2000, connectTimeout: 2000 })
      yield* Effect.promise(() => client.bind(`uid=alice,${SLAPD_PEOPLE}`, "").finally(() => client.unbind()))
      assert.strictEqual(yield* verify("alice", ""), "rejected")
      assert.strictEqual(yield* verify("nobody", ""), "rejected")
    }))

  it.live("never contacts the server for an empty password", () =>
    Effect.gen(function*() {
      const server = yield* Effect.promise(silentServer)
      const backend = ldapBackend(`ldap://127.0.0.1:${server.port}/${SLAPD_PEOPLE}`)
      assert.strictEqual(yield* verify("alice", "", backend), "rejected")
      assert.strictEqual(server.connections(), 0)
      yield* Effect.promise(server.close)
    }))

  it.live("usernames that try to change the DN are rejected, even with a real user's password", () =>
    Effect.gen(function*() {
      // base DN = the suffix: unescaped, "alice,ou=people" would bind as alice herself
      const suffix = ldapBackend(`ldap://127.0.0.1:${slapd.port}/dc=intake,dc=test`)
      assert.strictEqual(yield* verify("alice,ou=people", "alice-secret", suffix), "rejected")
      assert.strictEqual(yield* verify("alice+cn=alice", "alice-secret"), "rejected")
      assert.strictEqual(yield* verify("*)(uid=*", "alice-secret"), "rejected")
      assert.strictEqual(yield* verify("*", "alice-secret"), "rejected")
      assert.strictEqual(yield* verify("alice\u0000", "alice-secret"), "rejected")
      assert.strictEqual(yield* verify("a".repeat(257), "alice-secret"), "rejected")
    }))

  it.live("finds users under a base DN with an escaped comma and spaces, percent-encoded in the URL", () =>
    Effect.gen(function*() {
      const awkward = ldapBackend(`ldap://127.0.0.1:${slapd.port}/ou=Mail%20Users%5C%2C%20Intake,dc=intake,dc=test`)
      assert.strictEqual(awkward.baseDn, "ou=Mail Users\\, Intake,dc=intake,dc=test")
      assert.strictEqual(yield* verify("carol", "carol-secret", awkward), "accepted")
      assert.strictEqual(yield* verify("carol", "alice-secret", awkward), "rejected")
      assert.strictEqual(yield* verify("alice", "alice-secret", awkward), "rejected")
    }))

  it.live("a slapd that went down is AuthUnavailable (454), quickly, naming the server but not the password", () =>
    Effect.gen(function*() {
      const doomed = yield* Effect.promise(startSlapd)
      const backend = ldapBackend(`ldap://127.0.0.1:${doomed.port}/${SLAPD_PEOPLE}`)
      assert.strictEqual(yield* verify("alice", "alice-secret", backend), "accepted")
      yield* Effect.promise(doomed.stop)
      const { value: error, ms } = yield* elapsed(Effect.flip(verify("alice", "alice-secret", backend)))
      assertUnavailable(error, `127.0.0.1:${doomed.port}`, "alice-secret")
      assert.isBelow(ms, 2000)
    }))

  it.live("a server that never answers is AuthUnavailable once the timeout has passed", () =>
    Effect.gen(function*() {
      const server = yield* Effect.promise(silentServer)
      const backend = ldapBackend(`ldap://127.0.0.1:${server.port}/${SLAPD_PEOPLE}`)
      const slow = ldapAuthenticator(backend, { timeoutMs: 300 })
      const { value: error, ms } = yield* elapsed(Effect.flip(slow.verify({ username: "alice", password: "alice-secret" })))
      assertUnavailable(error, `127.0.0.1:${server.port}`, "alice-secret")
      assert.isAtLeast(ms, 250)
      assert.isBelow(ms, 1500)
      assert.strictEqual(server.connections(), 1)
      yield* Effect.promise(server.close)
    }))
})
