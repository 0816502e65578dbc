/** Character classes and octet counting shared by the address grammars, on Unicode code points. */

const ATEXT_SPECIALS = new Set("!#$%&'*+-/=?^_`{|}~")

export const isAsciiLetter = (char: string): boolean => /^[A-Za-z]$/.test(char)

export const isAsciiDigit = (char: string): boolean => /^[0-9]$/.test(char)

const codePoint = (char: string): number => char.codePointAt(0) ?? 0

const isSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdfff

/** C0 controls, DEL and C1 controls. */
export const isControlCharacter = (char: string): boolean => {
  const code = codePoint(char)
  return code < 0x20 || (code >= 0x7f && code <= 0x9f)
}

/** RFC 6532 UTF8-non-ascii, less the C1 controls (and lone surrogates, which no UTF-8 can carry). */
export const isUtf8NonAscii = (char: string): boolean => {
  const code = codePoint(char)
  return code >= 0xa0 && !isSurrogate(code)
}

export const isNonAscii = (char: string): boolean => codePoint(char) > 0x7f

/** RFC 5322 atext; RFC 6531 adds UTF8-non-ascii when the client uses SMTPUTF8. */
export const isAtext = (char: string, utf8: boolean): boolean =>
  isAsciiLetter(char) || isAsciiDigit(char) || ATEXT_SPECIALS.has(char) || (utf8 && isUtf8NonAscii(char))

/** RFC 5321 qtextSMTP = %d32-33 / %d35-91 / %d93-126 (printable ASCII but `"` and `\`); RFC 6531 adds UTF8-non-ascii. */
export const isQtextSmtp = (char: string, utf8: boolean): boolean => {
  const code = codePoint(char)
  return (code >= 32 && code <= 126 && char !== "\"" && char !== "\\") || (utf8 && isUtf8NonAscii(char))
}

/** The character allowed after the backslash of a quoted-pairSMTP: %d32-126 (RFC 6531 does not extend it). */
export const isQuotedPairCharacter = (char: string): boolean => {
  const code = codePoint(char)
  return code >= 32 && code <= 126
}

/**
 * A character for a reply text: printable ASCII quoted, anything else as U+XXXX, so a reply
 * never carries control characters or (without SMTPUTF8) non-ASCII.
 */
export const describeCharacter = (char: string): string => {
  const code = codePoint(char)
  if (code === 0x22) return "'\"'"
  if (code >= 0x20 && code <= 0x7e) return `"${char}"`
  return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`
}

/** Octets in UTF-8; a lone surrogate counts as the 3-octet U+FFFD an encoder would put in its place. */
export const utf8Length = (text: string): number => {
  let octets = 0
  for (const char of text) {
    const code = codePoint(char)
    octets += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4
  }
  return octets
}

/** UTF-8 never takes fewer octets than UTF-16 code units, so a long string is refused without counting. */
export const isLongerThan = (text: string, maxOctets: number): boolean =>
  text.length > maxOctets || utf8Length(text) > maxOctets
