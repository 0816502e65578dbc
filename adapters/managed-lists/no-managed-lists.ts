import { Effect, Layer } from "effect"
import { BlockedAddresses } from "../../application/ports/blocked-addresses.ts"
import { LocalAddresses } from "../../application/ports/local-addresses.ts"

/** Until the managed lists exist, no address is local and no client is blocked. */
export const NoLocalAddresses = Layer.succeed(LocalAddresses, LocalAddresses.of({ isLocal: () => Effect.succeed(false) }))

export const NoBlockedAddresses = Layer.succeed(
  BlockedAddresses,
  BlockedAddresses.of({ isBlocked: () => Effect.succeed(false) })
)
