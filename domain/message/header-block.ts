import { COLON, CR, LF, SPACE, TAB } from "./ascii.ts"

/** One field of the message's top-level header block, located by byte offsets into the message. */
export interface HeaderField {
  /** the first byte of the field's first line */
  readonly start: number
  /** just past the line break that ends its last (continuation) line, or the end of the message */
  readonly end: number
  /** the bytes before the colon as latin1, trailing blanks trimmed; the whole first line when there is no colon */
  readonly name: string
  /** just past the colon; undefined for a malformed line without a colon */
  readonly valueStart: number | undefined
}

const isBlank = (byte: number | undefined) => byte === SPACE || byte === TAB

/** Where the line starting at `from` ends, its line break included. */
const lineEnd = (mime: Uint8Array, from: number): number => {
  const lf = mime.indexOf(LF, from)
  return lf === -1 ? mime.length : lf + 1
}

/** Where the line's content ends: before its LF or CRLF. */
const contentEnd = (mime: Uint8Array, start: number, end: number): number => {
  if (end === start || mime[end - 1] !== LF) return end
  return end - 1 > start && mime[end - 2] === CR ? end - 2 : end - 1
}

/** Bytes as latin1 text: one character per byte, so nothing is lost or replaced. */
export const latin1 = (bytes: Uint8Array): string => {
  let text = ""
  const chunk = 8192 // String.fromCharCode's argument list must stay well below the stack limit
  for (let at = 0; at < bytes.length; at += chunk) {
    text += String.fromCharCode(...bytes.subarray(at, at + chunk))
  }
  return text
}

const nameAndValueStart = (mime: Uint8Array, start: number, end: number) => {
  const content = contentEnd(mime, start, end)
  const colon = mime.subarray(start, content).indexOf(COLON)
  if (colon === -1) return { name: latin1(mime.subarray(start, content)), valueStart: undefined }
  let nameEnd = start + colon
  while (nameEnd > start && isBlank(mime[nameEnd - 1])) nameEnd--
  return { name: latin1(mime.subarray(start, nameEnd)), valueStart: start + colon + 1 }
}

/**
 * The fields of the top-level header block: from the start of the message up to the first empty
 * line (CRLF CRLF or bare LF LF), or the whole message when it has no empty line (a message
 * without body). A line starting with a space or tab continues the field before it.
 */
export const topLevelHeaderFields = (mime: Uint8Array): ReadonlyArray<HeaderField> => {
  const fields: Array<HeaderField> = []
  let at = 0
  while (at < mime.length) {
    const end = lineEnd(mime, at)
    if (contentEnd(mime, at, end) === at) break
    const previous = fields.at(-1)
    if (previous !== undefined && isBlank(mime[at])) {
      fields[fields.length - 1] = { ...previous, end }
    } else {
      fields.push({ start: at, end, ...nameAndValueStart(mime, at, end) })
    }
    at = end
  }
  return fields
}

const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })

const decodeText = (bytes: Uint8Array): string => {
  try {
    return utf8Strict.decode(bytes)
  } catch {
    return latin1(bytes)
  }
}

/** Drops every line break (CRLF or bare LF); inside a field each one precedes a continuation line. */
const unfold = (bytes: Uint8Array): Uint8Array => {
  const out = new Uint8Array(bytes.length)
  let length = 0
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] ?? 0
    const isLineBreak = byte === LF || (byte === CR && bytes[i + 1] === LF)
    if (!isLineBreak) out[length++] = byte
  }
  return out.subarray(0, length)
}

/**
 * The field's value, unfolded and trimmed, as text: UTF-8 (RFC 6532) when the bytes are valid
 * UTF-8, otherwise latin1 so that a legacy 8-bit value keeps every character.
 */
export const fieldValue = (mime: Uint8Array, field: HeaderField): string =>
  field.valueStart === undefined ? "" : decodeText(unfold(mime.subarray(field.valueStart, field.end))).trim()

/** The message without the given fields (which must be in message order), every other byte kept. */
export const withoutFields = (mime: Uint8Array, fields: ReadonlyArray<HeaderField>): Uint8Array => {
  if (fields.length === 0) return mime
  const removed = fields.reduce((sum, field) => sum + field.end - field.start, 0)
  const out = new Uint8Array(mime.length - removed)
  let from = 0
  let length = 0
  for (const field of [...fields, { start: mime.length, end: mime.length }]) {
    out.set(mime.subarray(from, field.start), length)
    length += field.start - from
    from = field.end
  }
  return out
}
