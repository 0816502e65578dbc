import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { amqpPriority, MAX_AMQP_PRIORITY } from "../../../domain/message/amqp-priority.ts"

describe("the JSON priority as the AMQP priority", () => {
  it("a whole number from 0 is the priority, capped at 255, whether a number or written as one", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 100_000 }), (n) => {
      const expected = Math.min(n, MAX_AMQP_PRIORITY)
      expect(amqpPriority(n)).toBe(expected)
      expect(amqpPriority(String(n))).toBe(expected)
    }))
  })

  it("anything else gives no priority", () => {
    const notAPriority = fc.oneof(
      fc.integer({ max: -1 }),
      fc.double({ noInteger: true }),
      fc.string().filter((s) => !/^\s*\d+\s*$/.test(s)),
      fc.constantFrom(undefined, null, true, [], {})
    )
    fc.assert(fc.property(notAPriority, (value) => {
      expect(amqpPriority(value)).toBeUndefined()
    }))
  })
})
