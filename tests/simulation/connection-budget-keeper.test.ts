import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { makeConnectionBudget } from "../../application/connection-budget-keeper.ts"

const limits = { total: 1, incoming: undefined, outgoing: undefined, maxWaiting: 10 }

describe("the connection budget keeper", () => {
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
})
