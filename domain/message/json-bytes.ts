const QUOTE = 0x22
const BACKSLASH = 0x5c
const HEX = "0123456789abcdef"
const SHORT: Record<number, string> = { 0x08: "\\b", 0x09: "\\t", 0x0a: "\\n", 0x0c: "\\f", 0x0d: "\\r" }
const encoder = new TextEncoder()

const escapeFor = (byte: number): string | undefined => {
  if (byte === QUOTE) return "\\\""
  if (byte === BACKSLASH) return "\\\\"
  if (byte < 0x20) return SHORT[byte] ?? `\\u00${HEX[byte >> 4]}${HEX[byte & 15]}`
  return undefined
}

/**
 * The inside of a JSON string (without the quotes) holding `bytes`, escaping only what JSON
 * requires (quote, backslash, control characters) and copying every other byte unchanged.
 * A UTF-8 message gives exactly what JSON.stringify would; an 8-bit message that is not UTF-8
 * keeps its bytes as they are, as MailerQ does, instead of being replaced by U+FFFD.
 */
export const escapeJsonStringBytes = (bytes: Uint8Array): Uint8Array => {
  let extra = 0
  for (const byte of bytes) {
    const escaped = escapeFor(byte)
    if (escaped !== undefined) extra += escaped.length - 1
  }
  if (extra === 0) return bytes
  const out = new Uint8Array(bytes.length + extra)
  let at = 0
  for (const byte of bytes) {
    const escaped = escapeFor(byte)
    if (escaped === undefined) {
      out[at++] = byte
    } else {
      for (let i = 0; i < escaped.length; i++) out[at++] = escaped.charCodeAt(i)
    }
  }
  return out
}

export const utf8 = (text: string): Uint8Array => encoder.encode(text)

export const concatBytes = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}
