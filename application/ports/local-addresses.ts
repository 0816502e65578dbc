import { Context } from "effect"
import type { Effect } from "effect"

/** The local-address list (SPEC §6): mail to these is accepted without AUTH. */
export class LocalAddresses extends Context.Service<LocalAddresses, {
  isLocal(address: string): Effect.Effect<boolean>
}>()("smtp-intake/LocalAddresses") {}
