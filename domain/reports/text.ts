import { latin1 } from "../message/header-block.ts"

const utf8Strict = new TextDecoder("utf-8", { fatal: true })

/** UTF-8 when the bytes are valid UTF-8 (a leading BOM dropped), otherwise latin1, so no byte is lost. */
export const bytesToText = (bytes: Uint8Array): string => {
  try {
    return utf8Strict.decode(bytes)
  } catch {
    return latin1(bytes)
  }
}

/** One byte per character; only meant for ASCII text. */
export const asciiBytes = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff)
