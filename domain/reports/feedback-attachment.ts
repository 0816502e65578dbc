import type { DecompressionBudget } from "./decompression-budget.ts"
import { gunzipWithinBudget, isGzip } from "./gzip-member.ts"
import type { MimeEntity } from "./mime-entity.ts"
import { decodeTransferEncoding } from "./transfer-decoding.ts"
import { isZip, xmlFileOfZip } from "./zip-archive.ts"

const FEEDBACK_MEDIA_TYPES = new Set([
  "application/zip",
  "application/x-zip-compressed",
  "application/x-zip",
  "application/gzip",
  "application/x-gzip",
  "text/xml",
  "application/xml"
])

const FEEDBACK_FILENAME = /\.(zip|gz|gzip|xml)$/i

/**
 * Whether a part may hold a DMARC aggregate report: zip, gzip or XML by its media type, or by its
 * file name (some reporters send application/octet-stream).
 */
export const mayHoldFeedback = (entity: MimeEntity): boolean =>
  FEEDBACK_MEDIA_TYPES.has(entity.mediaType) || FEEDBACK_FILENAME.test(entity.filename?.trim() ?? "")

/**
 * The XML the part holds, decoded and decompressed. The content decides how (zip and gzip by their
 * magic numbers, anything else taken as XML), since labels and names are not always right.
 */
export const feedbackXml = (entity: MimeEntity, budget: DecompressionBudget): Uint8Array | undefined => {
  const content = decodeTransferEncoding(entity.body, entity.transferEncoding)
  if (isZip(content)) return xmlFileOfZip(content, budget)
  if (isGzip(content)) return gunzipWithinBudget(content, budget)
  return content
}
