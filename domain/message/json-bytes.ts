const HEX = "0123456789abcdef"
const SHORT: Record<number, string> = { 0x08: "\\b", 0x09: "\\t", 0x0a: "\\n", 0x0c: "\\f", 0x0d: "\\r", 0x22: "\\\"", 0x5c: "\\\\" }
const encoder = new TextEncoder()
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

const validUtf8Text = (bytes: Uint8Array): string | undefined => {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return undefined
  }
}

/** For each byte value, its JSON escape when it needs one: quote, backslash, control characters. */
const ESCAPES: ReadonlyArray<Uint8Array> = Array.from({ length: 256 }, (_, byte) =>
  byte >= 0x20 && byte !== 0x22 && byte !== 0x5c
    ? new Uint8Array(0)
    : encoder.encode(SHORT[byte] ?? `\\u00${HEX[byte >> 4]}${HEX[byte & 15]}`))

/** How many bytes each byte value grows by when escaped (0: copied as it is). */
const GROWTH = Uint8Array.from(ESCAPES, (escape) => Math.max(0, escape.length - 1))

/**
 * The JSON string (with its quotes) of `bytes` read as UTF-8 text, exactly as JSON.stringify writes
 * it; undefined when they are not UTF-8 (`escapeJsonStringBytes` keeps such bytes as they are).
 */
export const jsonStringOfUtf8 = (bytes: Uint8Array): string | undefined => {
  const text = validUtf8Text(bytes)
  return text === undefined ? undefined : JSON.stringify(text)
}

/**
 * The inside of a JSON string (without the quotes) holding `bytes`, escaping only what JSON
 * requires (quote, backslash, control characters) and copying every other byte unchanged.
 * A UTF-8 message gives exactly what JSON.stringify would; an 8-bit message that is not UTF-8
 * keeps its bytes as they are, as MailerQ does, instead of being replaced by U+FFFD.
 */
export const escapeJsonStringBytes = (bytes: Uint8Array): Uint8Array => {
  const text = validUtf8Text(bytes)
  // JSON.stringify escapes UTF-8 text the same way, natively, and most mail is UTF-8 (or ASCII).
  return text === undefined ? escapeByteByByte(bytes) : encoder.encode(JSON.stringify(text)).subarray(1, -1)
}

/** The same escaping for any bytes, valid UTF-8 or not; table-driven, as it runs over every byte. */
export const escapeByteByByte = (bytes: Uint8Array): Uint8Array => {
  let extra = 0
  for (let i = 0; i < bytes.length; i++) extra += GROWTH[bytes[i]!]!
  if (extra === 0) return bytes
  const out = new Uint8Array(bytes.length + extra)
  let at = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!
    if (GROWTH[byte] === 0) {
      out[at++] = byte
      continue
    }
    const escape = ESCAPES[byte]!
    for (let j = 0; j < escape.length; j++) out[at++] = escape[j]!
  }
  return out
}

export const utf8 = (text: string): Uint8Array => encoder.encode(text)

/**
 * The UTF-8 of `parts` one after the other, encoded straight into one array: never joined into one
 * string first (for a 10 KB message that string is 10 KB more for the garbage collector).
 */
export const utf8Joined = (parts: ReadonlyArray<string>): Uint8Array => {
  let units = 0
  for (const part of parts) {
    // a surrogate pair cut between two parts is one character of the join: encode the join
    if (isHighSurrogate(part.charCodeAt(part.length - 1))) return encoder.encode(parts.join(""))
    units += part.length
  }
  // as many bytes as UTF-16 units: exact for ASCII, the usual case
  let out = new Uint8Array(units)
  let at = 0
  for (let i = 0; i < parts.length; i++) {
    let part = parts[i]!
    for (;;) {
      const { read, written } = encoder.encodeInto(part, out.subarray(at))
      at += written
      if (read === part.length) break
      // not ASCII: room for the most any unit left can take (3 bytes), and on from where it stopped
      const grown = new Uint8Array(at + 3 * remaining(parts, i, part.length - read))
      grown.set(out.subarray(0, at))
      out = grown
      part = part.slice(read)
    }
  }
  return at === out.length ? out : out.slice(0, at)
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff

/** UTF-16 units still to encode: what is left of part `i` and all parts after it. */
const remaining = (parts: ReadonlyArray<string>, i: number, leftOfPart: number): number => {
  let left = leftOfPart
  for (let j = i + 1; j < parts.length; j++) left += parts[j]!.length
  return left
}

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
