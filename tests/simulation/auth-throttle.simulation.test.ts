import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { authenticate, AuthAttempts } from "../../application/authenticate.ts"
import { THROTTLE } from "../../domain/auth/auth-throttle.ts"
import { fakeAuthenticator } from "../support/doubles/fake-authenticator.ts"

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
    return { code: outcome._tag === "Accepted" ? 235 : outcome.reply.code, waited }
  })

const withServices = (fake: ReturnType<typeof fakeAuthenticator>) =>
  Effect.provide(Layer.merge(AuthAttempts.layer, fake.layer))

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
})
