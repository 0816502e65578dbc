import { fieldValue, topLevelHeaderFields, withoutFields } from "../message/header-block.ts"

/** The authserv-id of an Authentication-Results value: its first token, before any version or `;`. */
const authservIdOf = (value: string): string =>
  (value.split(";")[0] ?? "").replace(/\([^)]*\)/g, " ").trim().split(/\s+/)[0]?.toLowerCase() ?? ""

/**
 * RFC 8601 §5: before adding its own, a receiving MTA removes Authentication-Results fields that
 * claim to come from it (carry its authserv-id), so a sender cannot forge our verdict for the
 * consumers that trust it. Fields naming anyone else, and the body, are left exactly as they were.
 */
export const withoutOurAuthResults = (mime: Uint8Array, authservId: string): Uint8Array => {
  const ours = authservId.toLowerCase()
  const forged = topLevelHeaderFields(mime).filter((field) =>
    field.name.toLowerCase() === "authentication-results" && authservIdOf(fieldValue(mime, field)) === ours
  )
  return forged.length === 0 ? mime : withoutFields(mime, forged)
}
