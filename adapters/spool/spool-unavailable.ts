import { Schema } from "effect"

/** The spool directory cannot be created or written; raised at start. */
export class SpoolUnavailable extends Schema.TaggedError<SpoolUnavailable>()("SpoolUnavailable", {
  message: Schema.String
}) {}
