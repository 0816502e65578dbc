import type { DsnRecipient, DsnReport } from "./report.ts"

/** One block of `Name: value` lines; names in lower case, the first of a repeated name counts. */
type FieldGroup = ReadonlyMap<string, string>

/**
 * The blank-line separated field groups of a delivery-status body (RFC 3464 §2.1). A line that
 * starts with a blank continues the field before it; folds become one space.
 */
const fieldGroups = (text: string): ReadonlyArray<FieldGroup> => {
  const groups: Array<Map<string, string>> = []
  let group = new Map<string, string>()
  let lastName: string | undefined
  const closeGroup = () => {
    if (group.size > 0) groups.push(group)
    group = new Map()
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
      lastName = name === "" || group.has(name) ? undefined : name
      if (lastName !== undefined) group.set(lastName, line.slice(colon + 1).trim())
    }
  }
  closeGroup()
  return groups
}

/** `rfc822; user@example.com` → `user@example.com`, `dns; mx.example.net` → `mx.example.net`. */
const withoutAddressType = (value: string): string => {
  const typed = /^[A-Za-z0-9][A-Za-z0-9.+-]*\s*;\s*(.*)$/s.exec(value)
  const address = (typed?.[1] ?? value).trim()
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
