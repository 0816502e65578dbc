import { randomBytes } from "node:crypto"
import { Effect, Layer } from "effect"
import { MessageIds } from "../../application/ports/message-ids.ts"

/** 96 random bits as 16 URL-safe characters: unique without coordination between nodes. */
export const RandomMessageIds = Layer.succeed(MessageIds, MessageIds.of({
  next: Effect.sync(() => randomBytes(12).toString("base64url"))
}))
