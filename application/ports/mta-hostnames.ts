import { Context } from "effect"
import type { Effect } from "effect"

/** The per-local-IP MTA hostnames of the managed lists (SPEC §6). */
export class MtaHostnames extends Context.Service<MtaHostnames, {
  hostnameFor(localIp: string): Effect.Effect<string | undefined>
}>()("smtp-intake/MtaHostnames") {}
