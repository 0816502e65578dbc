import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { AuthAttemptsLayer, makeAuthAttempts } from "../../application/auth-attempts-keeper.ts"
import { authenticate } from "../../application/authenticate.ts"
import { AttemptsUnavailable, AuthAttempts } from "../../application/ports/auth-attempts.ts"
import { THROTTLE } from "../../domain/auth/auth-throttle.ts"
import { fakeAuthenticator } from "../support/doubles/fake-authenticator.ts"
import { authRefusalReply } from "../../domain/session/decide.ts"

const wrong = { username: "alice", password: "guess" }

/** Runs one attempt and reports its reply code and how long (simulated) it took to answer. */
const attempt = (ip: string, credentials = wrong) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.forkChild(authenticate(ip, credentials))
    let waited = 0
    yield* Effect.yieldNow
    while (fiber.pollUnsafe() === undefined) {
      yield* TestClock.adjust("100 millis")
      waited += 100
    }
    const outcome = yield* Fiber.join(fiber)
    return { code: outcome._tag === "Accepted" ? 235 : authRefusalReply(outcome.reason).code, waited }
  })

const withServices = (fake: ReturnType<typeof fakeAuthenticator>) =>
  Effect.provide(Layer.merge(AuthAttemptsLayer, fake.layer))

/** The real store, except that the named operations fail as a worker cut off from its primary does. */
const unreachableFor = (...ops: ReadonlyArray<"assess" | "recordFailure" | "recordSuccess">) =>
  Layer.effect(AuthAttempts, Effect.map(makeAuthAttempts, (store) => {
    const down = Effect.fail(new AttemptsUnavailable({ message: "the primary did not answer" }))
    return AuthAttempts.of({
      assess: (ip) => (ops.includes("assess") ? down : store.assess(ip)),
      recordFailure: (ip) => (ops.includes("recordFailure") ? down : store.recordFailure(ip)),
      recordSuccess: (ip) => (ops.includes("recordSuccess") ? down : store.recordSuccess(ip))
    })
  }))

describe("AUTH throttling, simulated with TestClock", () => {
  it.effect("answers five failures at once, delays the next ones, then refuses the IP for ten minutes", () => {
    const fake = fakeAuthenticator()
    return Effect.gen(function*() {
      const results = []
      for (let i = 0; i < 11; i++) results.push(yield* attempt("203.0.113.9"))
      assert.deepStrictEqual(results.slice(0, 5).map((r) => [r.code, r.waited]), Array(5).fill([535, 0]))
      assert.deepStrictEqual(results.slice(5, 10).map((r) => r.waited), [1000, 2000, 3000, 4000, 5000])
      assert.deepStrictEqual(results[10], { code: 454, waited: 0 })
      // while refused, the backend is not even asked, and the right password does not help
      assert.strictEqual(fake.asked.length, 10)
      assert.strictEqual((yield* attempt("203.0.113.9", { username: "alice", password: "right" })).code, 454)
      // another client is not affected
      assert.deepStrictEqual(yield* attempt("198.51.100.4", { username: "alice", password: "right" }), { code: 235, waited: 0 })
      // after the block, the IP may try again, answered at once
      yield* TestClock.adjust(THROTTLE.BLOCK_MS)
      assert.deepStrictEqual(yield* attempt("203.0.113.9", { username: "alice", password: "right" }), { code: 235, waited: 0 })
    }).pipe(withServices(fake))
  })

  it.effect("a backend that is down gives 454 and does not count against the client", () => {
    const fake = fakeAuthenticator()
    return Effect.gen(function*() {
      for (let i = 0; i < 12; i++) assert.strictEqual((yield* attempt("192.0.2.8", { username: "down", password: "x" })).code, 454)
      assert.deepStrictEqual(yield* attempt("192.0.2.8", wrong), { code: 535, waited: 0 })
    }).pipe(withServices(fake))
  })

  it.effect("failures spread over more than a minute never slow a client down", () => {
    const fake = fakeAuthenticator()
    return Effect.gen(function*() {
      for (let i = 0; i < 20; i++) {
        assert.deepStrictEqual(yield* attempt("192.0.2.77"), { code: 535, waited: 0 })
        yield* TestClock.adjust(THROTTLE.WINDOW_MS / THROTTLE.FREE_FAILURES)
      }
    }).pipe(withServices(fake))
  })

  it.effect("fails closed: a store that cannot answer gives 454, without asking the backend", () => {
    const fake = fakeAuthenticator()
    return Effect.gen(function*() {
      assert.deepStrictEqual(yield* attempt("192.0.2.9", { username: "alice", password: "right" }), { code: 454, waited: 0 })
      assert.deepStrictEqual(yield* attempt("192.0.2.9"), { code: 454, waited: 0 })
      assert.strictEqual(fake.asked.length, 0)
    }).pipe(Effect.provide(Layer.merge(unreachableFor("assess"), fake.layer)))
  })

  it.effect("fails closed: a failure that cannot be counted is answered 454, not 535, so it reveals nothing", () => {
    const fake = fakeAuthenticator()
    return Effect.gen(function*() {
      assert.deepStrictEqual(yield* attempt("192.0.2.10"), { code: 454, waited: 0 })
      // the right password still gets in: only an uncounted failure is withheld
      assert.deepStrictEqual(yield* attempt("192.0.2.10", { username: "alice", password: "right" }), { code: 235, waited: 0 })
    }).pipe(Effect.provide(Layer.merge(unreachableFor("recordFailure", "recordSuccess"), fake.layer)))
  })
})
