import { Effect, Layer } from "effect"
import { ManagedListsStore, StoreUnavailable } from "../../application/ports/managed-lists-store.ts"
import type { ManagedListsSnapshot, ManagedListsStoreShape, MtaHostname } from "../../application/ports/managed-lists-store.ts"
import type { LocalAddressRule } from "../../domain/lists/local-address-rule.ts"

export interface InMemoryStore {
  readonly store: ManagedListsStoreShape
  readonly layer: Layer.Layer<ManagedListsStore>
  /** while false, every call fails with StoreUnavailable, like a store whose database is down */
  available: boolean
  /** what the store holds now, read outside Effect */
  readonly current: () => ManagedListsSnapshot
}

/** A ManagedListsStore double: the lists in memory, with a switch to make it unavailable. */
export const makeInMemoryStore = (initial: Partial<Omit<ManagedListsSnapshot, "version">> = {}): InMemoryStore => {
  let localAddresses: ReadonlyArray<LocalAddressRule> = initial.localAddresses ?? []
  let mtaHostnames: ReadonlyArray<MtaHostname> = initial.mtaHostnames ?? []
  let blocked: ReadonlyArray<string> = initial.blocked ?? []
  let version = 0

  const current = (): ManagedListsSnapshot => ({ localAddresses, mtaHostnames, blocked, version })

  const whenAvailable = <A>(f: () => A): Effect.Effect<A, StoreUnavailable> =>
    Effect.suspend(() =>
      double.available ? Effect.sync(f) : Effect.fail(new StoreUnavailable({ message: "in-memory store switched off" }))
    )

  /** A write: bumps the version when `f` reports that something changed. */
  const write = (f: () => boolean): Effect.Effect<boolean, StoreUnavailable> =>
    whenAvailable(() => {
      const changed = f()
      if (changed) version += 1
      return changed
    })

  /** Removes the entries `matches` picks; true when there were any. */
  const without = <A>(list: ReadonlyArray<A>, matches: (entry: A) => boolean, keep: (rest: ReadonlyArray<A>) => void) => {
    const rest = list.filter((entry) => !matches(entry))
    keep(rest)
    return rest.length !== list.length
  }

  const store: ManagedListsStoreShape = {
    snapshot: whenAvailable(current),
    version: whenAvailable(() => version),
    addLocalAddress: (rule) =>
      write(() => {
        localAddresses = [...localAddresses.filter((r) => r.pattern !== rule.pattern), rule]
        return true
      }).pipe(Effect.asVoid),
    removeLocalAddress: (pattern) =>
      write(() => without(localAddresses, (r) => r.pattern === pattern, (rest) => (localAddresses = rest))),
    setMtaHostname: (entry) =>
      write(() => {
        mtaHostnames = [...mtaHostnames.filter((e) => e.ip !== entry.ip), entry]
        return true
      }).pipe(Effect.asVoid),
    unsetMtaHostname: (ip) => write(() => without(mtaHostnames, (e) => e.ip === ip, (rest) => (mtaHostnames = rest))),
    addBlocked: (range) =>
      write(() => {
        if (blocked.includes(range)) return false
        blocked = [...blocked, range]
        return true
      }).pipe(Effect.asVoid),
    removeBlocked: (range) => write(() => without(blocked, (r) => r === range, (rest) => (blocked = rest)))
  }

  const double: InMemoryStore = {
    store,
    layer: Layer.succeed(ManagedListsStore, ManagedListsStore.of(store)),
    available: true,
    current
  }
  return double
}
