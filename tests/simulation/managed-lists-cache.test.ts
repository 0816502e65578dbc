import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { ManagedListsCache, ManagedListsRefresh } from "../../application/managed-lists-cache.ts"
import { LocalAddresses } from "../../application/ports/local-addresses.ts"
import { ManagedListsStore } from "../../application/ports/managed-lists-store.ts"
import { makeInMemoryStore } from "../support/in-memory-store.ts"

const REFRESH_MS = 60_000

describe("the managed-lists cache", () => {
  it.effect("reloads at once when the store announces a change, long before its next poll", () => {
    const memory = makeInMemoryStore()
    let announce = () => {}
    const cache = ManagedListsCache({
      refreshMs: REFRESH_MS,
      changes: (onChange) => Effect.sync(() => void (announce = onChange))
    }).pipe(Layer.provide(Layer.succeed(ManagedListsStore, ManagedListsStore.of(memory.store))))
    return Effect.gen(function*() {
      const locals = yield* LocalAddresses
      assert.isFalse(yield* locals.isLocal("a@example.com"))
      yield* TestClock.adjust("10 millis") // the cache's first poll, at start, is done
      yield* memory.store.addLocalAddress({ pattern: "@example.com", type: "exact" })
      yield* TestClock.adjust("10 millis")
      assert.isFalse(yield* locals.isLocal("a@example.com"), "no poll yet, no announcement yet")
      announce()
      yield* TestClock.adjust("10 millis")
      assert.isTrue(yield* locals.isLocal("a@example.com"))
    }).pipe(Effect.provide(cache))
  })

  /** The cache over an in-memory store, polling only (no change announcements). */
  const polledCache = () => {
    const memory = makeInMemoryStore()
    const cache = ManagedListsCache({ refreshMs: REFRESH_MS }).pipe(
      Layer.provide(Layer.succeed(ManagedListsStore, ManagedListsStore.of(memory.store)))
    )
    return { cache, memory }
  }

  it.effect("without announcements, picks the change up at the next poll", () => {
    const { cache, memory } = polledCache()
    return Effect.gen(function*() {
      const locals = yield* LocalAddresses
      yield* TestClock.adjust("10 millis") // the cache's first poll, at start, is done
      yield* memory.store.addLocalAddress({ pattern: "@example.com", type: "exact" })
      yield* TestClock.adjust(REFRESH_MS / 2)
      assert.isFalse(yield* locals.isLocal("a@example.com"))
      yield* TestClock.adjust(REFRESH_MS)
      assert.isTrue(yield* locals.isLocal("a@example.com"))
    }).pipe(Effect.provide(cache))
  })

  it.effect("a refresh (SIGHUP) reads the lists at once, long before the next poll", () => {
    const { cache, memory } = polledCache()
    return Effect.gen(function*() {
      const locals = yield* LocalAddresses
      yield* TestClock.adjust("10 millis") // the cache's first poll, at start, is done
      yield* memory.store.addLocalAddress({ pattern: "@example.com", type: "exact" })
      assert.isFalse(yield* locals.isLocal("a@example.com"))
      yield* (yield* ManagedListsRefresh).refresh
      assert.isTrue(yield* locals.isLocal("a@example.com"))
    }).pipe(Effect.provide(cache))
  })
})
