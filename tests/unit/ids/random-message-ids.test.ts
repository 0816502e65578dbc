import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { RandomMessageIds } from "../../../adapters/ids/random-message-ids.ts"
import { MessageIds } from "../../../application/ports/message-ids.ts"

describe("random message ids", () => {
  it("are 16 URL-safe characters and never repeat, across many draws of the random pool", async () => {
    const ids = await Effect.runPromise(
      MessageIds.pipe(
        Effect.flatMap((source) => Effect.all(Array.from({ length: 5_000 }, () => source.next))),
        Effect.provide(RandomMessageIds)
      )
    )
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{16}$/)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
