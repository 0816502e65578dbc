import { type AddressVerdict, invalid, VALID } from "./address-verdict.ts"
import { describeCharacter, isAsciiDigit, isAsciiLetter, isNonAscii, utf8Length } from "./characters.ts"

/** RFC 5321 §4.5.3.1.2 and RFC 1035 §2.3.4. */
export const MAX_DOMAIN_OCTETS = 255
export const MAX_LABEL_OCTETS = 63

/** Domain = sub-domain *("." sub-domain) */
export const validateDomain = (domain: string, utf8: boolean): AddressVerdict => {
  if (domain === "") return invalid("domain is empty")
  if (utf8Length(domain) > MAX_DOMAIN_OCTETS) return invalid(`domain longer than ${MAX_DOMAIN_OCTETS} octets`)
  if (domain.startsWith(".")) return invalid("domain must not start with a dot")
  if (domain.endsWith(".")) return invalid("domain must not end with a dot")
  for (const subDomain of domain.split(".")) {
    if (subDomain === "") return invalid("domain contains consecutive dots")
    const verdict = validateSubDomain(subDomain, utf8)
    if (!verdict.valid) return verdict
  }
  return VALID
}

// Let-dig = ALPHA / DIGIT
const isLetDig = (char: string): boolean => isAsciiLetter(char) || isAsciiDigit(char)

/**
 * Of a U-label's non-ASCII characters, only letters, combining marks and digits: no spaces,
 * symbols, punctuation (not even the ideographic full stop) or invisible format characters.
 * Full IDNA 2008 validity is left to the stage that resolves the domain.
 */
const isULabelCharacter = (char: string): boolean => /^[\p{L}\p{M}\p{N}]$/u.test(char)

/** sub-domain = Let-dig [Ldh-str]; Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig; RFC 6531: sub-domain =/ U-label */
const validateSubDomain = (label: string, utf8: boolean): AddressVerdict => {
  if (utf8Length(label) > MAX_LABEL_OCTETS) return invalid(`domain label longer than ${MAX_LABEL_OCTETS} octets`)
  if (label.startsWith("-")) return invalid("domain label must not start with a hyphen")
  if (label.endsWith("-")) return invalid("domain label must not end with a hyphen")
  for (const char of label) {
    if (isLetDig(char) || char === "-") continue
    if (utf8 && isNonAscii(char)) {
      if (isULabelCharacter(char)) continue
      return invalid(`domain label contains ${describeCharacter(char)}, which is not allowed in a U-label`)
    }
    return invalid(`domain contains invalid character ${describeCharacter(char)}`)
  }
  return VALID
}
