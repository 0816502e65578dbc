import { MAX_MIME_DEPTH, MAX_MIME_ENTITIES } from "./limits.ts"
import { parseEntity } from "./mime-entity.ts"
import type { MimeEntity } from "./mime-entity.ts"
import { splitMultipart } from "./multipart-body.ts"

/**
 * The entities that are not multiparts, depth first in message order, the root included when it is
 * one. Encapsulated messages (message/rfc822) are leaves: what they hold was not sent to us.
 * At most MAX_MIME_ENTITIES entities are looked at, and multiparts nested deeper than
 * MAX_MIME_DEPTH are left out.
 */
export const leafEntities = (root: MimeEntity): ReadonlyArray<MimeEntity> => {
  const leaves: Array<MimeEntity> = []
  let looked = 1
  const visit = (entity: MimeEntity, depth: number): void => {
    const boundary = entity.parameters.get("boundary")
    if (!entity.mediaType.startsWith("multipart/")) {
      leaves.push(entity)
      return
    }
    if (boundary === undefined || depth >= MAX_MIME_DEPTH) return
    for (const part of splitMultipart(entity.body, boundary, MAX_MIME_ENTITIES - looked)) {
      if (looked >= MAX_MIME_ENTITIES) return
      looked++
      visit(parseEntity(part), depth + 1)
    }
  }
  visit(root, 0)
  return leaves
}
