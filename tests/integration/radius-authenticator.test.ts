import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { randomBytes } from "node:crypto"
import { createSocket } from "node:dgram"
import { existsSync } from "node:fs"
import radius from "radius"
import type { AuthUnavailable } from "../../application/ports/authenticator.ts"
import { radiusAuthenticator } from "../../adapters/auth/radius/radius-authenticator.ts"
import type { RadiusAuthenticatorOptions } from "../../adapters/auth/radius/radius-authenticator.ts"
import { parseAuthBackend } from "../../domain/auth/auth-backend.ts"
import { FREERADIUS, freeUdpPort, RADIUS_USERS, startFreeradius } from "../support/freeradius.ts"
import type { RunningFreeradius } from "../support/freeradius.ts"
import { serviceAvailable } from "../support/services.ts"

const authFor = (url: string, options?: RadiusAuthenticatorOptions) => {
  const spec = parseAuthBackend(url)
  if (spec?.kind !== "radius") throw new Error(`not a radius backend: ${url}`)
  return radiusAuthenticator(spec, options)
}

/** short tries: the tests that expect silence should not take 6 s each */
const QUICK = { timeoutMs: 300, retries: 2 }

const failureOf = <A>(effect: Effect.Effect<A, AuthUnavailable>) =>
  effect.pipe(
    Effect.flip,
    Effect.catch((verdict) => Effect.die(new Error(`expected AuthUnavailable, got "${String(verdict)}"`)))
  )

/** a closed socket leaves the list a moment later */
const udpSocketsOpen = Effect.sleep("20 millis").pipe(
  Effect.map(() => process.getActiveResourcesInfo().filter((type) => type === "UDPWrap").length)
)

interface FakeServer {
  readonly port: number
  readonly requests: Array<Buffer>
  close(): Promise<void>
}

/** A UDP peer on loopback that answers each datagram with `reply(request)`, or not at all. */
const fakeServer = async (reply: (request: Buffer) => Buffer | undefined): Promise<FakeServer> => {
  const socket = createSocket("udp4")
  const requests: Array<Buffer> = []
  socket.on("message", (request, from) => {
    requests.push(request)
    const answer = reply(request)
    if (answer !== undefined) socket.send(answer, from.port, from.address)
  })
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve))
  return {
    port: socket.address().port,
    requests,
    close: () => new Promise((resolve) => socket.close(() => resolve()))
  }
}

const SECRET = "fake-shared-secret"

const answerWith = (code: string, secret: string) => (request: Buffer): Buffer =>
  radius.encode_response({ packet: radius.decode({ packet: request, secret: SECRET }), code, secret })

const readyForFreeradius = serviceAvailable("freeradius", existsSync(FREERADIUS), "apt-get install -y freeradius")

describe.runIf(readyForFreeradius)("radiusAuthenticator against FreeRADIUS", () => {
  let server: RunningFreeradius
  let url = ""

  beforeAll(async () => {
    server = await startFreeradius()
    url = `radius://smtp-intake:${server.secret}@127.0.0.1:${server.port}`
  })
  afterAll(async () => {
    await server?.stop()
  })

  it.live("accepts alice and bob with their passwords", () =>
    Effect.gen(function*() {
      const auth = authFor(url)
      assert.strictEqual(yield* auth.verify({ username: "alice", password: RADIUS_USERS.alice }), "accepted")
      assert.strictEqual(yield* auth.verify({ username: "bob", password: RADIUS_USERS.bob }), "accepted")
      assert.include(server.output(), "Login OK: [alice]")
    }))

  it.live("rejects a wrong password (535, not 454)", () =>
    Effect.gen(function*() {
      const auth = authFor(url)
      assert.strictEqual(yield* auth.verify({ username: "alice", password: "alice-secreT" }), "rejected")
      assert.strictEqual(yield* auth.verify({ username: "alice", password: RADIUS_USERS.bob }), "rejected")
      assert.include(server.output(), "Login incorrect")
    }))

  it.live("rejects a user the server does not know", () =>
    Effect.gen(function*() {
      const verdict = yield* authFor(url).verify({ username: "mallory", password: RADIUS_USERS.alice })
      assert.strictEqual(verdict, "rejected")
    }))

  it.live("never accepts when smtp-auth holds the wrong shared secret: the server drops the requests", () =>
    Effect.gen(function*() {
      const wrong = `radius://smtp-intake:not-the-secret@127.0.0.1:${server.port}`
      const failure = yield* failureOf(authFor(wrong, QUICK).verify({ username: "alice", password: RADIUS_USERS.alice }))
      assert.include(failure.message, `127.0.0.1:${server.port}`)
      assert.notInclude(failure.message, "not-the-secret")
    }))

  it.live("answers 20 concurrent checks, each with its own verdict, and leaves no socket open", () =>
    Effect.gen(function*() {
      const auth = authFor(url)
      const socketsBefore = yield* udpSocketsOpen
      const checks = Array.from({ length: 20 }, (_, i) => {
        const user = i % 2 === 0 ? "alice" : "bob"
        const right = i % 3 !== 0
        return {
          expected: right ? "accepted" : "rejected",
          credentials: { username: user, password: right ? RADIUS_USERS[user] : `wrong-${i}` }
        }
      })
      const verdicts = yield* Effect.forEach(checks, (check) => auth.verify(check.credentials), { concurrency: "unbounded" })
      assert.deepStrictEqual(verdicts, checks.map((check) => check.expected))
      assert.strictEqual(yield* udpSocketsOpen, socketsBefore)
    }))
})

describe("radiusAuthenticator without a trustworthy answer", () => {
  it.live("reports the server unavailable (454) after the retries when nothing listens", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(freeUdpPort)
      const password = "alice-pass"
      const started = Date.now()
      const failure = yield* failureOf(
        authFor(`radius://smtp-intake:${SECRET}@127.0.0.1:${port}`, QUICK).verify({ username: "alice", password })
      )
      const elapsed = Date.now() - started
      assert.isAtLeast(elapsed, 3 * QUICK.timeoutMs - 50)
      assert.isBelow(elapsed, 3 * QUICK.timeoutMs + 700)
      assert.include(failure.message, `127.0.0.1:${port}`)
      assert.include(failure.message, "3 tries")
      assert.notInclude(failure.message, password)
      assert.notInclude(failure.message, SECRET)
    }))

  it.live("resends the very same request while unanswered, then gives up", () =>
    Effect.gen(function*() {
      const silent = yield* Effect.promise(() => fakeServer(() => undefined))
      const auth = authFor(`radius://smtp-intake:${SECRET}@127.0.0.1:${silent.port}`, { timeoutMs: 200, retries: 1 })
      yield* failureOf(auth.verify({ username: "alice", password: "pw" }))
      yield* Effect.promise(() => silent.close())
      assert.strictEqual(silent.requests.length, 2)
      assert.deepStrictEqual(silent.requests[1], silent.requests[0])
    }))

  it.live("sends User-Name, the hidden User-Password and NAS-Identifier, signed with the secret", () =>
    Effect.gen(function*() {
      const peer = yield* Effect.promise(() => fakeServer(answerWith("Access-Accept", SECRET)))
      const auth = authFor(`radius://mail-gw-1:${SECRET}@127.0.0.1:${peer.port}`)
      assert.strictEqual(yield* auth.verify({ username: "zoë", password: "päss wörd✓" }), "accepted")
      yield* Effect.promise(() => peer.close())
      const [request] = peer.requests
      assert.isDefined(request)
      if (request === undefined) return
      assert.isFalse(request.includes(Buffer.from("päss wörd✓")))
      // decode checks the Message-Authenticator and reveals the password with the secret
      const decoded = radius.decode({ packet: request, secret: SECRET })
      assert.strictEqual(decoded.code, "Access-Request")
      assert.strictEqual(decoded.attributes["User-Name"], "zoë")
      assert.strictEqual(decoded.attributes["User-Password"], "päss wörd✓")
      assert.strictEqual(decoded.attributes["NAS-Identifier"], "mail-gw-1")
    }))

  it.live("takes an Access-Reject signed with the secret as a rejection", () =>
    Effect.gen(function*() {
      const peer = yield* Effect.promise(() => fakeServer(answerWith("Access-Reject", SECRET)))
      const verdict = yield* authFor(`radius://smtp-intake:${SECRET}@127.0.0.1:${peer.port}`)
        .verify({ username: "alice", password: "pw" })
      yield* Effect.promise(() => peer.close())
      assert.strictEqual(verdict, "rejected")
    }))

  const forgeries: ReadonlyArray<readonly [string, (request: Buffer) => Buffer]> = [
    ["a random response authenticator", (request) => {
      const reply = answerWith("Access-Accept", SECRET)(request)
      randomBytes(16).copy(reply, 4)
      return reply
    }],
    ["a reply signed with another secret", answerWith("Access-Accept", "someone-elses-secret")],
    ["a signed reply to another identifier", (request) => {
      const reply = answerWith("Access-Accept", SECRET)(request)
      reply[1] = ((request[1] ?? 0) + 1) % 256
      return reply
    }],
    ["a truncated reply", (request) => answerWith("Access-Accept", SECRET)(request).subarray(0, 12)]
  ]
  for (const [what, forge] of forgeries) {
    it.live(`never accepts an Access-Accept with ${what}`, () =>
      Effect.gen(function*() {
        const forger = yield* Effect.promise(() => fakeServer(forge))
        const auth = authFor(`radius://smtp-intake:${SECRET}@127.0.0.1:${forger.port}`, { timeoutMs: 200, retries: 1 })
        const failure = yield* failureOf(auth.verify({ username: "alice", password: "pw" }))
        yield* Effect.promise(() => forger.close())
        assert.isAtLeast(forger.requests.length, 1)
        assert.include(failure.message, "no answer")
      }))
  }

  it.live("rejects a name or password RADIUS cannot carry without asking the server", () =>
    Effect.gen(function*() {
      const peer = yield* Effect.promise(() => fakeServer(answerWith("Access-Accept", SECRET)))
      const auth = authFor(`radius://smtp-intake:${SECRET}@127.0.0.1:${peer.port}`)
      assert.strictEqual(yield* auth.verify({ username: "alice", password: "x".repeat(129) }), "rejected")
      assert.strictEqual(yield* auth.verify({ username: "", password: "pw" }), "rejected")
      assert.strictEqual(yield* auth.verify({ username: "alice", password: "" }), "rejected")
      yield* Effect.promise(() => peer.close())
      assert.strictEqual(peer.requests.length, 0)
    }))
})
