import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { LocalAddressRule } from "../../domain/lists/local-address-rule.ts"
import type { MtaHostname } from "../../domain/lists/mta-hostname.ts"

export type { MtaHostname } from "../../domain/lists/mta-hostname.ts"

/** Everything in the managed lists, as one consistent read. */
export interface ManagedListsSnapshot {
  readonly localAddresses: ReadonlyArray<LocalAddressRule>
  readonly mtaHostnames: ReadonlyArray<MtaHostname>
  /** IPs and CIDR ranges, as written */
  readonly blocked: ReadonlyArray<string>
  /** grows with every change, so a reader can tell whether to reload */
  readonly version: number
}

export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>()("StoreUnavailable", {
  message: Schema.String
}) {}

/**
 * Where the managed lists live (SPEC §6): SQLite for one node, PostgreSQL for several nodes sharing
 * one list. Values are validated before they get here (domain/lists).
 */
export interface ManagedListsStoreShape {
  readonly snapshot: Effect.Effect<ManagedListsSnapshot, StoreUnavailable>
  /** the current version only: cheap, polled to notice other nodes' changes */
  readonly version: Effect.Effect<number, StoreUnavailable>
  addLocalAddress(rule: LocalAddressRule): Effect.Effect<void, StoreUnavailable>
  /** true when it was there */
  removeLocalAddress(pattern: string): Effect.Effect<boolean, StoreUnavailable>
  setMtaHostname(entry: MtaHostname): Effect.Effect<void, StoreUnavailable>
  unsetMtaHostname(ip: string): Effect.Effect<boolean, StoreUnavailable>
  addBlocked(range: string): Effect.Effect<void, StoreUnavailable>
  removeBlocked(range: string): Effect.Effect<boolean, StoreUnavailable>
}

export class ManagedListsStore extends Context.Service<ManagedListsStore, ManagedListsStoreShape>()(
  "smtp-intake/ManagedListsStore"
) {}
