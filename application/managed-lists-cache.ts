import { Context, Effect, Layer, Queue, Schedule } from "effect"
import type { Scope } from "effect"
import { normalizeIp, parseIpRange, rangesContain } from "../domain/ip/ip-range.ts"
import type { IpRange } from "../domain/ip/ip-range.ts"
import { compileLocalAddresses } from "../domain/lists/local-address-rule.ts"
import type { LocalAddressMatcher } from "../domain/lists/local-address-rule.ts"
import { BlockedAddresses } from "./ports/blocked-addresses.ts"
import { LocalAddresses } from "./ports/local-addresses.ts"
import { ManagedListsStore } from "./ports/managed-lists-store.ts"
import type { ManagedListsSnapshot } from "./ports/managed-lists-store.ts"
import { MtaHostnames } from "./ports/mta-hostnames.ts"

/** The lists in the form the hot path asks them: compiled, in memory. */
interface CompiledLists {
  readonly version: number
  readonly local: LocalAddressMatcher
  readonly blocked: ReadonlyArray<IpRange>
  readonly hostnames: ReadonlyMap<string, string>
}

const compile = (snapshot: ManagedListsSnapshot): CompiledLists => ({
  version: snapshot.version,
  local: compileLocalAddresses(snapshot.localAddresses),
  blocked: snapshot.blocked.flatMap((text) => parseIpRange(text) ?? []),
  hostnames: new Map(snapshot.mtaHostnames.map(({ ip, hostname }) => [normalizeIp(ip) ?? ip, hostname]))
})

/** Reads the lists from the store at once, whether or not its version moved (a reload on SIGHUP). */
export class ManagedListsRefresh extends Context.Service<ManagedListsRefresh, {
  readonly refresh: Effect.Effect<void>
}>()("smtp-intake/ManagedListsRefresh") {}

/**
 * Serves LocalAddresses, BlockedAddresses and MtaHostnames from memory, loaded from the store at
 * start (a store that cannot be read stops start-up) and reloaded whenever the store's version
 * moves, checked every `refreshMs`, and at once whenever `changes` (PostgreSQL's LISTEN/NOTIFY)
 * says so: a change made on this node or another one shows within that. A failed reload keeps
 * the lists in use.
 */
export const ManagedListsCache = (options: {
  readonly refreshMs: number
  /** calls back when the store announces a change; polling still covers a lost announcement */
  readonly changes?: ((onChange: () => void) => Effect.Effect<void, never, Scope.Scope>) | undefined
}) =>
  Layer.effectContext(Effect.gen(function*() {
    const store = yield* ManagedListsStore
    let lists = compile(yield* store.snapshot)
    const load = (always: boolean) => Effect.gen(function*() {
      if (!always && (yield* store.version) === lists.version) return
      lists = compile(yield* store.snapshot)
      yield* Effect.logInfo("managed lists reloaded").pipe(Effect.annotateLogs({ version: lists.version }))
    }).pipe(Effect.catch((error) => Effect.logWarning(`managed lists not reloaded, keeping the current ones: ${error.message}`)))
    const reload = load(false)
    yield* Effect.forkScoped(reload.pipe(Effect.repeat(Schedule.spaced(options.refreshMs))))
    if (options.changes !== undefined) {
      const announced = yield* Queue.sliding<void>(1)
      yield* options.changes(() => void Queue.offerUnsafe(announced, undefined))
      yield* Effect.forkScoped(Effect.forever(Queue.take(announced).pipe(Effect.andThen(reload))))
    }
    return yield* Layer.build(Layer.mergeAll(
      Layer.succeed(LocalAddresses, LocalAddresses.of({ isLocal: (address) => Effect.sync(() => lists.local.isLocal(address)) })),
      Layer.succeed(BlockedAddresses, BlockedAddresses.of({ isBlocked: (ip) => Effect.sync(() => rangesContain(lists.blocked, ip)) })),
      Layer.succeed(MtaHostnames, MtaHostnames.of({
        hostnameFor: (ip) => Effect.sync(() => lists.hostnames.get(normalizeIp(ip) ?? ip))
      })),
      Layer.succeed(ManagedListsRefresh, ManagedListsRefresh.of({ refresh: load(true) }))
    ))
  }))
