import { type AddressVerdict, invalid, VALID } from "./address-verdict.ts"
import { describeCharacter, isAtext, isQtextSmtp, isQuotedPairCharacter, utf8Length } from "./characters.ts"

/** RFC 5321 §4.5.3.1.1. */
export const MAX_LOCAL_PART_OCTETS = 64

/** Index just past the DQUOTE that closes the Quoted-string `text` starts with; undefined when it is never closed. */
export const endOfQuotedString = (text: string): number | undefined => {
  for (let index = 1; index < text.length; index++) {
    const char = text[index]
    if (char === "\\") index++
    else if (char === "\"") return index + 1
  }
  return undefined
}

/** Local-part = Dot-string / Quoted-string */
export const validateLocalPart = (localPart: string, utf8: boolean): AddressVerdict => {
  if (localPart === "") return invalid("local part is empty")
  if (utf8Length(localPart) > MAX_LOCAL_PART_OCTETS) return invalid(`local part longer than ${MAX_LOCAL_PART_OCTETS} octets`)
  return localPart.startsWith("\"") ? validateQuotedString(localPart, utf8) : validateDotString(localPart, utf8)
}

/** Dot-string = Atom *("." Atom); Atom = 1*atext */
const validateDotString = (text: string, utf8: boolean): AddressVerdict => {
  if (text.startsWith(".")) return invalid("local part must not start with a dot")
  if (text.endsWith(".")) return invalid("local part must not end with a dot")
  if (text.includes("..")) return invalid("local part contains consecutive dots")
  for (const char of text) {
    if (char !== "." && !isAtext(char, utf8)) return invalid(`local part contains invalid character ${describeCharacter(char)}`)
  }
  return VALID
}

/** Quoted-string = DQUOTE *QcontentSMTP DQUOTE; QcontentSMTP = qtextSMTP / quoted-pairSMTP; quoted-pairSMTP = "\" %d32-126 */
const validateQuotedString = (text: string, utf8: boolean): AddressVerdict => {
  const end = endOfQuotedString(text)
  if (end === undefined) return invalid("quoted local part is not closed")
  if (end !== text.length) return invalid("local part continues after its closing quote")
  let escaping = false
  for (const char of text.slice(1, -1)) {
    if (escaping) {
      if (!isQuotedPairCharacter(char)) return invalid(`quoted local part escapes ${describeCharacter(char)}, which is not printable ASCII`)
      escaping = false
    } else if (char === "\\") {
      escaping = true
    } else if (!isQtextSmtp(char, utf8)) {
      return invalid(`quoted local part contains invalid character ${describeCharacter(char)}`)
    }
  }
  return VALID
}
