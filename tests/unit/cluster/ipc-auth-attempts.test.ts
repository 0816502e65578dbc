import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { makeIpcAuthAttempts } from "../../../adapters/cluster/ipc-auth-attempts.ts"
import { THROTTLE } from "../../../domain/auth/auth-throttle.ts"
import { makeAuthAttemptsServer } from "../../../infrastructure/cluster/auth-attempts-server.ts"
import { ipcChannel } from "../../support/ipc-channel.ts"

/** The primary's one store of attempts, and a way to attach workers to it. */
const cluster = Effect.gen(function*() {
  const server = yield* makeAuthAttemptsServer
  const attach = Effect.gen(function*() {
    const link = ipcChannel()
    const served = yield* Scope.make()
    yield* server.serve(link.primary).pipe(Scope.provide(served))
    const client = yield* makeIpcAuthAttempts(link.worker, "200 millis")
    return { client, link, gone: Scope.close(served, Exit.void) }
  })
  return { attach }
})

const ip = "203.0.113.50"

describe("AUTH attempts over IPC (smtp-threads > 1)", () => {
  it.live("are one store for all workers: failures at either worker slow down and then block the IP at both", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach } = yield* cluster
      const a = yield* attach
      const b = yield* attach
      for (let n = 0; n < THROTTLE.FREE_FAILURES; n++) yield* (n % 2 === 0 ? a : b).client.recordFailure(ip)
      assert.deepStrictEqual(yield* a.client.assess(ip), { _tag: "Allowed", delayMs: THROTTLE.DELAY_STEP_MS })
      assert.deepStrictEqual(yield* b.client.assess(ip), { _tag: "Allowed", delayMs: THROTTLE.DELAY_STEP_MS })
      for (let n = THROTTLE.FREE_FAILURES; n < THROTTLE.BLOCK_AFTER; n++) yield* (n % 2 === 0 ? a : b).client.recordFailure(ip)
      assert.strictEqual((yield* a.client.assess(ip))._tag, "Blocked")
      assert.strictEqual((yield* b.client.assess(ip))._tag, "Blocked")
      // another client is not affected
      assert.deepStrictEqual(yield* b.client.assess("198.51.100.1"), { _tag: "Allowed", delayMs: 0 })
    })))

  it.live("keeps a dead worker's failures: a worker started after it sees them", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach } = yield* cluster
      const a = yield* attach
      for (let n = 0; n < THROTTLE.BLOCK_AFTER; n++) yield* a.client.recordFailure(ip)
      a.link.cut()
      yield* a.gone
      const replacement = yield* attach
      assert.strictEqual((yield* replacement.client.assess(ip))._tag, "Blocked")
    })))

  it.live("a success at one worker forgives the IP at the other", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach } = yield* cluster
      const a = yield* attach
      const b = yield* attach
      for (let n = 0; n < THROTTLE.BLOCK_AFTER - 1; n++) yield* a.client.recordFailure(ip)
      yield* b.client.recordSuccess(ip)
      assert.deepStrictEqual(yield* a.client.assess(ip), { _tag: "Allowed", delayMs: 0 })
    })))

  it.live("fails, rather than answering, when the channel to the primary is gone", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach } = yield* cluster
      const a = yield* attach
      a.link.cut()
      const failure = yield* Effect.flip(a.client.assess(ip))
      assert.strictEqual(failure._tag, "AttemptsUnavailable")
      assert.strictEqual((yield* Effect.flip(a.client.recordFailure(ip)))._tag, "AttemptsUnavailable")
    })))

  it.live("fails when the primary does not answer in time", () =>
    Effect.scoped(Effect.gen(function*() {
      // a channel nobody answers on: a primary that is stuck
      const link = ipcChannel()
      const client = yield* makeIpcAuthAttempts(link.worker, "50 millis")
      const failure = yield* Effect.flip(client.assess(ip))
      assert.match(failure.message, /in time/)
    })))
})
