import { Effect } from "effect"
import { refusalOf } from "../../domain/console/refusal-reason.ts"
import type { SessionEvent } from "../../domain/session/events.ts"
import type { SessionState } from "../../domain/session/state.ts"
import { RefusalTally } from "../ports/refusal-tally.ts"

type Observer = (event: SessionEvent, before: SessionState, at: number) => Effect.Effect<void>

/**
 * Adds to a session's observations the count of its refusals, for the console's "refusals by
 * reason". Only a refusal costs anything beyond one switch: an accepted message passes through.
 */
export const tallyRefusals = (client: string, observe: Observer): Observer => (event, before, at) => {
  const observed = observe(event, before, at)
  const reason = refusalOf(event)
  if (reason === undefined) return observed
  const tallied = RefusalTally.pipe(Effect.map((tally) => tally.record(reason, client, at)))
  return observed === Effect.void ? tallied : Effect.andThen(observed, tallied)
}
