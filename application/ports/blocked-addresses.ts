import { Context } from "effect"
import type { Effect } from "effect"

/** The blocked IPs and ranges (SPEC §6), refused at connect when smtp-protection is on. */
export class BlockedAddresses extends Context.Service<BlockedAddresses, {
  isBlocked(ip: string): Effect.Effect<boolean>
}>()("smtp-intake/BlockedAddresses") {}
