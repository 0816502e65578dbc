import { randomFillSync } from "node:crypto"
import { Effect, Layer } from "effect"
import { MessageIds } from "../../application/ports/message-ids.ts"

const ID_BYTES = 12
/** Random bytes for this many ids are drawn at once: one call into the CSPRNG instead of one per id. */
const IDS_PER_DRAW = 512

const pool = Buffer.alloc(ID_BYTES * IDS_PER_DRAW)
let used = IDS_PER_DRAW

/** 96 random bits as 16 URL-safe characters, from the pooled draw. */
export const nextId = (): string => {
  if (used === IDS_PER_DRAW) {
    randomFillSync(pool)
    used = 0
  }
  const start = used++ * ID_BYTES
  return pool.toString("base64url", start, start + ID_BYTES)
}

/** 96 random bits as 16 URL-safe characters: unique without coordination between nodes. */
export const RandomMessageIds = Layer.succeed(MessageIds, MessageIds.of({
  next: Effect.sync(nextId)
}))
