import { freshDecompressionBudget } from "./decompression-budget.ts"
import { parseDeliveryStatus } from "./delivery-status.ts"
import { parseDmarcFeedback } from "./dmarc-feedback.ts"
import { feedbackXml, mayHoldFeedback } from "./feedback-attachment.ts"
import { leafEntities } from "./mime-leaves.ts"
import { parseEntity } from "./mime-entity.ts"
import type { MimeEntity } from "./mime-entity.ts"
import type { DmarcReport, DsnReport, Report } from "./report.ts"
import { bytesToText } from "./text.ts"
import { decodeTransferEncoding } from "./transfer-decoding.ts"

export type { DmarcPolicy, DmarcReport, DsnRecipient, DsnReport, Report } from "./report.ts"

const DELIVERY_STATUS_REPORT_TYPES = new Set(["delivery-status", "global-delivery-status"])
const DELIVERY_STATUS_MEDIA_TYPES = new Set(["message/delivery-status", "message/global-delivery-status"])

const isDeliveryStatusNotification = (root: MimeEntity): boolean =>
  root.mediaType === "multipart/report" &&
  DELIVERY_STATUS_REPORT_TYPES.has((root.parameters.get("report-type") ?? "").trim().toLowerCase())

/** A DSN is one by its content type; its delivery-status part, when found, gives the details. */
const deliveryStatusReport = (leaves: ReadonlyArray<MimeEntity>): DsnReport => {
  const status = leaves.find((leaf) => DELIVERY_STATUS_MEDIA_TYPES.has(leaf.mediaType))
  if (status === undefined) return { type: "dsn", recipients: [] }
  return parseDeliveryStatus(bytesToText(decodeTransferEncoding(status.body, status.transferEncoding)))
}

/** The first zip, gzip or XML part that holds a `<feedback>` document. */
const dmarcAggregateReport = (leaves: ReadonlyArray<MimeEntity>): DmarcReport | undefined => {
  const budget = freshDecompressionBudget()
  for (const leaf of leaves.filter(mayHoldFeedback)) {
    const xml = feedbackXml(leaf, budget)
    const report = xml === undefined ? undefined : parseDmarcFeedback(xml)
    if (report !== undefined) return report
  }
  return undefined
}

/**
 * Whether a received message (RFC 5322 bytes) is a report (SPEC §6), and what it says: a delivery
 * status notification (top-level `multipart/report; report-type=delivery-status`, RFC 3464) or a
 * DMARC aggregate report (a zip, gzip or XML part holding a `<feedback>` document, RFC 7489).
 * Anything else, malformed input included, is undefined; this never throws.
 */
export const detectReport = (mime: Uint8Array): Report | undefined => {
  try {
    const root = parseEntity(mime)
    const leaves = leafEntities(root)
    return isDeliveryStatusNotification(root) ? deliveryStatusReport(leaves) : dmarcAggregateReport(leaves)
  } catch {
    // Every step is written not to throw; this guards the caller against an overlooked input.
    return undefined
  }
}
