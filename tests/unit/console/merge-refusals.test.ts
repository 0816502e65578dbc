import { describe, expect, it } from "vitest"
import { mergeRefusals } from "../../../application/console/daemon-facts.ts"
import { makeRefusalTally } from "../../../application/console/refusal-tally.ts"

const AT = Date.UTC(2026, 11, 5, 12)

describe("the refusals of several workers as one", () => {
  it("adds up the counts by reason and each client's counts, most refused first", () => {
    const one = makeRefusalTally()
    const two = makeRefusalTally()
    one.record("auth", "192.0.2.1", AT)
    one.record("range", "192.0.2.2", AT)
    two.record("auth", "192.0.2.1", AT + 1)
    two.record("budget", undefined, AT + 1)
    const merged = mergeRefusals([one.summary(AT + 10), two.summary(AT + 10)], AT + 10)
    expect(merged.byReason).toMatchObject({ auth: 2, range: 1, budget: 1, size: 0 })
    expect(merged.topClients).toEqual([
      { client: "192.0.2.1", count: 2, reason: "auth" },
      { client: "192.0.2.2", count: 1, reason: "range" }
    ])
  })
})
