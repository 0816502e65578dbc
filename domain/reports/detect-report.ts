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

const isDeliveryStatusPart = (entity: MimeEntity): boolean => DELIVERY_STATUS_MEDIA_TYPES.has(entity.mediaType)

/** The report a delivery-status part gives. */
const deliveryStatusReport = (status: MimeEntity): DsnReport =>
  parseDeliveryStatus(bytesToText(decodeTransferEncoding(status.body, status.transferEncoding)))

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
 * Whether a received message (RFC 5322 bytes) is a report (SPEC §6), and what it says; anything
 * else, malformed input included, is undefined; this never throws.
 *
 * A delivery status notification (RFC 3464, RFC 6533) is one when the message's own MIME tree holds
 * a `message/delivery-status` (or `message/global-delivery-status`) part, the first of which gives
 * the details: the message itself, or a part of its multiparts at any depth the bounded walk
 * reaches (`leafEntities`). So besides the RFC's top-level `multipart/report;
 * report-type=delivery-status` these count, as real bounces come: a `multipart/report` whose
 * report-type is missing (the part says what it is), a `multipart/mixed` holding the part directly
 * (some gateways), and a DSN wrapped in a `multipart/mixed` (a relay that adds a footer). A bounce
 * forwarded as a `message/rfc822` attachment does not count: the walk does not enter attached
 * messages, which someone chose to pass on rather than a reporter sending us. A top-level
 * `multipart/report; report-type=delivery-status` is a DSN even without its part (no recipients).
 *
 * Otherwise a DMARC aggregate report (RFC 7489): a zip, gzip or XML part holding a `<feedback>`
 * document.
 */
export const detectReport = (mime: Uint8Array): Report | undefined => {
  try {
    const root = parseEntity(mime)
    const leaves = leafEntities(root)
    const status = leaves.find(isDeliveryStatusPart)
    if (status !== undefined) return deliveryStatusReport(status)
    if (isDeliveryStatusNotification(root)) return { type: "dsn", recipients: [] }
    return dmarcAggregateReport(leaves)
  } catch {
    // Every step is written not to throw; this guards the caller against an overlooked input.
    return undefined
  }
}
