const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const BASE64_VALUES = new Int8Array(256).fill(-1)
for (let i = 0; i < BASE64_ALPHABET.length; i++) BASE64_VALUES[BASE64_ALPHABET.charCodeAt(i)] = i

const EQUALS = 0x3d
const LF = 0x0a
const CR = 0x0d

/**
 * Skips every byte outside the alphabet (line breaks, blanks), as RFC 2045 §6.8 asks. Padding ends
 * a run, and decoding goes on after it, for bodies made of several encoded pieces.
 */
export const decodeBase64 = (encoded: Uint8Array): Uint8Array => {
  const out = new Uint8Array(Math.floor((encoded.length * 3) / 4) + 3)
  let length = 0
  let bits = 0
  let bitCount = 0
  for (const byte of encoded) {
    if (byte === EQUALS) {
      bits = 0
      bitCount = 0
      continue
    }
    const value = BASE64_VALUES[byte] ?? -1
    if (value < 0) continue
    bits = ((bits << 6) | value) & 0xffffff
    bitCount += 6
    if (bitCount >= 8) {
      bitCount -= 8
      out[length++] = (bits >> bitCount) & 0xff
    }
  }
  return out.subarray(0, length)
}

const hexValue = (byte: number | undefined): number => {
  if (byte === undefined) return -1
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57
  return -1
}

/** `=XX` becomes the byte, `=` at a line's end (blanks allowed) joins the lines; a malformed `=` stays as it is. */
export const decodeQuotedPrintable = (encoded: Uint8Array): Uint8Array => {
  const out = new Uint8Array(encoded.length)
  let length = 0
  for (let i = 0; i < encoded.length; i++) {
    const byte = encoded[i] ?? 0
    if (byte !== EQUALS) {
      out[length++] = byte
      continue
    }
    const high = hexValue(encoded[i + 1])
    const low = hexValue(encoded[i + 2])
    if (high >= 0 && low >= 0) {
      out[length++] = (high << 4) | low
      i += 2
      continue
    }
    let after = i + 1
    while (encoded[after] === 0x20 || encoded[after] === 0x09) after++
    if (encoded[after] === CR && encoded[after + 1] === LF) i = after + 1
    else if (encoded[after] === LF) i = after
    else if (after >= encoded.length) i = after
    else out[length++] = byte
  }
  return out.subarray(0, length)
}

/** The body without its Content-Transfer-Encoding; 7bit, 8bit, binary and unknown ones are taken as they are. */
export const decodeTransferEncoding = (body: Uint8Array, transferEncoding: string): Uint8Array => {
  if (transferEncoding === "base64") return decodeBase64(body)
  if (transferEncoding === "quoted-printable") return decodeQuotedPrintable(body)
  return body
}
