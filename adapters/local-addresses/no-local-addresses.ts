import { Effect, Layer } from "effect"
import { LocalAddresses } from "../../application/ports/local-addresses.ts"

/** Until the managed lists exist, no address is local. */
export const NoLocalAddresses = Layer.succeed(LocalAddresses, LocalAddresses.of({ isLocal: () => Effect.succeed(false) }))
