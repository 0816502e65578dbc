import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import { makeIpcConnectionBudget } from "../../../adapters/cluster/ipc-connection-budget.ts"
import { makeConnectionBudget } from "../../../application/connection-budget-keeper.ts"
import { makeBudgetServer } from "../../../infrastructure/cluster/budget-server.ts"
import { ipcChannel } from "../../support/ipc-channel.ts"

/** The primary's real budget and budget server, and a way to attach workers to it. */
const cluster = (incoming: number) =>
  Effect.gen(function*() {
    const budget = yield* makeConnectionBudget({ total: undefined, incoming, outgoing: undefined, maxWaiting: 10 }, 60_000)
    const server = yield* makeBudgetServer(budget)
    const attach = (name: string) =>
      Effect.gen(function*() {
        const link = ipcChannel()
        const served = yield* Scope.make()
        yield* server.serve(name, link.primary).pipe(Scope.provide(served))
        const client = yield* makeIpcConnectionBudget(link.worker)
        return { client, link, gone: Scope.close(served, Exit.void) }
      })
    return { budget, attach }
  })

const settle = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))

describe("the connection budget over IPC (smtp-threads > 1)", () => {
  it.live("is one budget for all workers: a slot released by one admits the connection waiting at the other", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach, budget } = yield* cluster(1)
      const a = yield* attach("1")
      const b = yield* attach("2")
      assert.strictEqual(yield* a.client.admitIncoming("a1"), "admitted")
      const waiting = yield* Effect.forkChild(b.client.admitIncoming("b1"))
      yield* settle
      assert.deepStrictEqual(yield* b.client.usage, { incoming: 1, outgoing: 0, waiting: 1 })
      yield* a.client.releaseIncoming("a1")
      assert.strictEqual(yield* Fiber.join(waiting), "admitted")
      assert.deepStrictEqual(yield* budget.usage, { incoming: 1, outgoing: 0, waiting: 0 })
    })))

  it.live("gives back every slot of a worker that is gone, and withdraws its waiting connections", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach, budget } = yield* cluster(1)
      const a = yield* attach("1")
      const b = yield* attach("2")
      assert.strictEqual(yield* a.client.admitIncoming("a1"), "admitted")
      yield* Effect.forkChild(a.client.admitIncoming("a2"))
      const behind = yield* Effect.forkChild(b.client.admitIncoming("b1"))
      yield* settle
      assert.deepStrictEqual(yield* budget.usage, { incoming: 1, outgoing: 0, waiting: 2 })
      a.link.cut()
      yield* a.gone
      assert.strictEqual(yield* Fiber.join(behind), "admitted")
      assert.deepStrictEqual(yield* budget.usage, { incoming: 1, outgoing: 0, waiting: 0 })
    })))

  it.live("withdraws a connection whose client left while it waited", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach, budget } = yield* cluster(1)
      const a = yield* attach("1")
      assert.strictEqual(yield* a.client.admitIncoming("a1"), "admitted")
      const waiting = yield* Effect.forkChild(a.client.admitIncoming("a2"))
      yield* settle
      yield* Fiber.interrupt(waiting)
      yield* settle
      assert.deepStrictEqual(yield* budget.usage, { incoming: 1, outgoing: 0, waiting: 0 })
      yield* a.client.releaseIncoming("a1")
      yield* settle
      assert.deepStrictEqual(yield* budget.usage, { incoming: 0, outgoing: 0, waiting: 0 })
    })))

  it.live("releases a slot only once, however often a worker says so", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach, budget } = yield* cluster(2)
      const a = yield* attach("1")
      yield* a.client.admitIncoming("a1")
      yield* a.client.admitIncoming("a2")
      yield* a.client.releaseIncoming("a1")
      yield* a.client.releaseIncoming("a1")
      yield* settle
      assert.deepStrictEqual(yield* budget.usage, { incoming: 1, outgoing: 0, waiting: 0 })
    })))

  it.live("counts a dead worker's outgoing slots back in", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach, budget } = yield* cluster(1)
      const a = yield* attach("1")
      assert.isTrue(yield* a.client.acquireOutgoing)
      assert.isTrue(yield* a.client.acquireOutgoing)
      yield* a.gone
      assert.deepStrictEqual(yield* budget.usage, { incoming: 0, outgoing: 0, waiting: 0 })
    })))

  it.live("refuses at once when the channel to the primary is gone", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach } = yield* cluster(1)
      const a = yield* attach("1")
      a.link.cut()
      assert.strictEqual(yield* a.client.admitIncoming("a1"), "refused")
    })))
})
