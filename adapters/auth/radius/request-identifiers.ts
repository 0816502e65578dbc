import { Effect, Semaphore } from "effect"
import { randomInt } from "node:crypto"

const IDENTIFIERS = 256

/** RADIUS request identifiers (0-255), each held by at most one request in flight. */
export interface RequestIdentifiers {
  /** runs `use` with an identifier no other request holds; waits while all 256 are taken */
  with<A, E>(use: (identifier: number) => Effect.Effect<A, E>): Effect.Effect<A, E>
}

export const requestIdentifiers = (): RequestIdentifiers => {
  const free = Semaphore.makeUnsafe(IDENTIFIERS)
  const held = new Set<number>()
  let next = randomInt(IDENTIFIERS)
  // a permit guarantees that one identifier is free
  const take = Effect.sync(() => {
    while (held.has(next)) next = (next + 1) % IDENTIFIERS
    const identifier = next
    held.add(identifier)
    next = (next + 1) % IDENTIFIERS
    return identifier
  })
  const give = (identifier: number) => Effect.sync(() => held.delete(identifier))
  return {
    with: (use) => free.withPermits(1)(Effect.acquireUseRelease(take, use, give))
  }
}
