import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { makeConnectionBudget } from "../../application/connection-budget-keeper.ts"

const limits = { total: 1, incoming: undefined, outgoing: undefined, maxWaiting: 10 }

describe("the connection budget keeper", () => {
  it.effect("admits at once only when a slot is free and nobody waits, and otherwise changes nothing", () =>
    Effect.gen(function*() {
      const budget = yield* makeConnectionBudget({ ...limits, total: 2 }, 60_000)
      assert.isTrue(budget.admitAtOnce("a"))
      assert.strictEqual(yield* budget.admitIncoming("b"), "admitted")
      // full: not admitted, and not queued either
      assert.isFalse(budget.admitAtOnce("c"))
      assert.deepStrictEqual(yield* budget.usage, { incoming: 2, outgoing: 0, waiting: 0 })
      const d = yield* Effect.forkChild(budget.admitIncoming("d"))
      yield* TestClock.adjust("10 millis")
      yield* budget.releaseIncoming("a")
      assert.strictEqual(yield* Fiber.join(d), "admitted")
      const e = yield* Effect.forkChild(budget.admitIncoming("e"))
      yield* TestClock.adjust("10 millis")
      yield* budget.releaseIncoming("b")
      // the freed slot went to e, who waited: nobody jumps the queue
      assert.isFalse(budget.admitAtOnce("f"))
      assert.strictEqual(yield* Fiber.join(e), "admitted")
      // a slot taken at once is released like any other
      yield* budget.releaseIncoming("d")
      assert.isTrue(budget.admitAtOnce("g"))
      assert.deepStrictEqual(yield* budget.usage, { incoming: 2, outgoing: 0, waiting: 0 })
      yield* budget.releaseIncoming("g")
      assert.deepStrictEqual(yield* budget.usage, { incoming: 1, outgoing: 0, waiting: 0 })
    }))

  it.effect("a slot released twice, or by someone who never held one, frees nothing more", () =>
    Effect.gen(function*() {
      const budget = yield* makeConnectionBudget(limits, 60_000)
      assert.strictEqual(yield* budget.admitIncoming("a"), "admitted")
      const b = yield* Effect.forkChild(budget.admitIncoming("b"))
      const c = yield* Effect.forkChild(budget.admitIncoming("c"))
      yield* TestClock.adjust("10 millis")
      yield* budget.releaseIncoming("a")
      yield* budget.releaseIncoming("a")
      yield* budget.releaseIncoming("stranger")
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(yield* Fiber.join(b), "admitted")
      assert.isUndefined(c.pollUnsafe())
      assert.deepStrictEqual(yield* budget.usage, { incoming: 1, outgoing: 0, waiting: 1 })
      yield* Fiber.interrupt(c)
    }))

  it.effect("raised limits let the waiting connections in at once, in arrival order", () =>
    Effect.gen(function*() {
      const budget = yield* makeConnectionBudget(limits, 60_000)
      assert.strictEqual(yield* budget.admitIncoming("a"), "admitted")
      const b = yield* Effect.forkChild(budget.admitIncoming("b"))
      const c = yield* Effect.forkChild(budget.admitIncoming("c"))
      const d = yield* Effect.forkChild(budget.admitIncoming("d"))
      yield* TestClock.adjust("10 millis")
      yield* budget.setLimits({ ...limits, total: 3 }, 60_000)
      yield* TestClock.adjust("10 millis")
      assert.strictEqual(yield* Fiber.join(b), "admitted")
      assert.strictEqual(yield* Fiber.join(c), "admitted")
      assert.isUndefined(d.pollUnsafe())
      assert.deepStrictEqual(yield* budget.usage, { incoming: 3, outgoing: 0, waiting: 1 })
      yield* Fiber.interrupt(d)
    }))

  it.effect("lowered limits keep every open connection; newcomers wait until enough have left, with the new wait bound", () =>
    Effect.gen(function*() {
      const budget = yield* makeConnectionBudget({ ...limits, total: 3 }, 60_000)
      for (const id of ["a", "b", "c"]) assert.strictEqual(yield* budget.admitIncoming(id), "admitted")
      yield* budget.setLimits({ ...limits, total: 1 }, 1_000)
      assert.deepStrictEqual(yield* budget.usage, { incoming: 3, outgoing: 0, waiting: 0 })
      const d = yield* Effect.forkChild(budget.admitIncoming("d"))
      yield* TestClock.adjust("10 millis")
      yield* budget.releaseIncoming("a")
      yield* budget.releaseIncoming("b")
      yield* TestClock.adjust("10 millis")
      assert.isUndefined(d.pollUnsafe())
      // refused after the new bound of 1 s, not the old one of a minute
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Fiber.join(d), "refused")
      yield* budget.releaseIncoming("c")
      assert.strictEqual(yield* budget.admitIncoming("e"), "admitted")
    }))
})
