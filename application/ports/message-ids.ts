import { Context } from "effect"
import type { Effect } from "effect"

/** Unique, short, URL-safe ids, one per recipient. Randomness lives behind this port. */
export class MessageIds extends Context.Service<MessageIds, {
  readonly next: Effect.Effect<string>
}>()("smtp-intake/MessageIds") {}
