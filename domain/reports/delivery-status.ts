import type { DsnRecipient, DsnReport } from "./report.ts"

/** One block of `Name: value` lines; names in lower case, the first of a repeated name counts. */
type FieldGroup = ReadonlyMap<string, string>

/** The per-message fields RFC 3464 §2.2 names (extension fields such as `X-Postfix-Queue-ID` aside). */
const PER_MESSAGE_FIELDS = new Set(["original-envelope-id", "reporting-mta", "dsn-gateway", "received-from-mta", "arrival-date"])

/** The per-recipient fields RFC 3464 §2.3 names. */
const PER_RECIPIENT_FIELDS = new Set([
  "original-recipient",
  "final-recipient",
  "action",
  "status",
  "remote-mta",
  "diagnostic-code",
  "last-attempt-date",
  "final-log-id",
  "will-retry-until"
])

/** The fields every recipient group has once (Original-Recipient aside), whichever of them the reporter writes first. */
const RECIPIENT_LEADING_FIELDS = new Set(["original-recipient", "final-recipient", "action", "status"])

/**
 * The field groups of a delivery-status body (RFC 3464 §2.1). A line that starts with a blank
 * continues the field before it; folds become one space. A field's name ends at its colon, blanks
 * before the colon dropped (`Final-Recipient : …`).
 *
 * Groups end at blank lines, as RFC 3464 asks, and also where a per-recipient field comes without
 * one, as some reporters write them: when the group so far is the per-message one (it holds
 * per-message fields and no per-recipient one), or when it already has that field, one of those
 * every recipient has once: the next recipient starts with the same field as the one before did
 * (Final-Recipient for Postfix, Action for Exim). Other repeated fields (a second Diagnostic-Code)
 * stay in their group, where the first one counts.
 */
const fieldGroups = (text: string): ReadonlyArray<FieldGroup> => {
  const groups: Array<Map<string, string>> = []
  let group = new Map<string, string>()
  /** the group holds per-message fields and no per-recipient one */
  let perMessageSoFar = false
  let perRecipientSoFar = false
  let lastName: string | undefined
  const closeGroup = () => {
    if (group.size > 0) groups.push(group)
    group = new Map()
    perMessageSoFar = false
    perRecipientSoFar = false
    lastName = undefined
  }
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") {
      closeGroup()
    } else if ((line.startsWith(" ") || line.startsWith("\t")) && lastName !== undefined) {
      group.set(lastName, `${group.get(lastName) ?? ""} ${line.trim()}`.trim())
    } else {
      const colon = line.indexOf(":")
      const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : ""
      if (PER_RECIPIENT_FIELDS.has(name)) {
        if (perMessageSoFar || (RECIPIENT_LEADING_FIELDS.has(name) && group.has(name))) closeGroup()
        perRecipientSoFar = true
      } else if (PER_MESSAGE_FIELDS.has(name) && !perRecipientSoFar) {
        perMessageSoFar = true
      }
      lastName = name === "" || group.has(name) ? undefined : name
      if (lastName !== undefined) group.set(lastName, line.slice(colon + 1).trim())
    }
  }
  closeGroup()
  return groups
}

/**
 * `rfc822; user@example.com` → `user@example.com`, `dns; mx.example.net` → `mx.example.net`.
 * Whatever comes before the first `;` is the address type, however it is spelt (`RFC822`,
 * `rfc/822`, `rfc 822`, empty), unless it holds `@`, `<`, `>` or `"`: then the `;` is part of an
 * address written without a type (`"a;b"@example.org`, `<a;b@example.org>`).
 */
const withoutAddressType = (value: string): string => {
  const semicolon = value.indexOf(";")
  const type = semicolon === -1 ? undefined : value.slice(0, semicolon)
  const typed = type !== undefined && !/[@<>"]/.test(type)
  const address = (typed ? value.slice(semicolon + 1) : value).trim()
  return /^<[^<>]*>$/.test(address) ? address.slice(1, -1) : address
}

const field = (group: FieldGroup, name: string): string | undefined => {
  const value = group.get(name)
  return value === undefined || value === "" ? undefined : value
}

const isRecipientGroup = (group: FieldGroup) => group.has("final-recipient") || group.has("original-recipient")

const recipientOf = (group: FieldGroup): DsnRecipient | undefined => {
  const original = field(group, "original-recipient")
  const final = field(group, "final-recipient") ?? original
  if (final === undefined) return undefined
  const diagnosticCode = field(group, "diagnostic-code")
  const remoteMta = field(group, "remote-mta")
  return {
    finalRecipient: withoutAddressType(final),
    ...(original === undefined ? {} : { originalRecipient: withoutAddressType(original) }),
    action: (field(group, "action") ?? "").toLowerCase(),
    status: field(group, "status") ?? "",
    ...(diagnosticCode === undefined ? {} : { diagnosticCode }),
    ...(remoteMta === undefined ? {} : { remoteMta: withoutAddressType(remoteMta) })
  }
}

/**
 * The report a delivery-status body gives. The per-message fields are those of the first group
 * without a recipient; every group naming a recipient is one recipient, whatever its position.
 */
export const parseDeliveryStatus = (text: string): DsnReport => {
  const groups = fieldGroups(text)
  const perMessage = groups.find((group) => !isRecipientGroup(group)) ?? new Map<string, string>()
  const reportingMta = field(perMessage, "reporting-mta")
  const arrivalDate = field(perMessage, "arrival-date")
  const originalEnvelopeId = field(perMessage, "original-envelope-id")
  return {
    type: "dsn",
    ...(reportingMta === undefined ? {} : { reportingMta: withoutAddressType(reportingMta) }),
    ...(arrivalDate === undefined ? {} : { arrivalDate }),
    ...(originalEnvelopeId === undefined ? {} : { originalEnvelopeId }),
    recipients: groups.filter(isRecipientGroup).flatMap((group) => recipientOf(group) ?? [])
  }
}
