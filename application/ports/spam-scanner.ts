import { Context, Schema } from "effect"
import type { Effect } from "effect"
import type { SpamVerdict } from "../../domain/checks/verdicts.ts"

/** The scanner could not be asked or gave no usable answer (down, refused, broken reply). */
export class SpamScanFailed extends Schema.TaggedError<SpamScanFailed>()("SpamScanFailed", {
  message: Schema.String
}) {}

/** Scores a message for spam (spamd, SpamAssassin's daemon). */
export class SpamScanner extends Context.Service<SpamScanner, {
  scan(mime: Uint8Array): Effect.Effect<SpamVerdict, SpamScanFailed>
}>()("smtp-intake/SpamScanner") {}
