import { Context } from "effect"
import type { Effect } from "effect"

/** Reverse DNS, for naming our own local IPs in the greeting. Failure or no name: undefined. */
export class ReverseDns extends Context.Service<ReverseDns, {
  nameOf(ip: string): Effect.Effect<string | undefined>
}>()("smtp-intake/ReverseDns") {}
