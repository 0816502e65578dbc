import { asciiBytes } from "./text.ts"

const LF = 0x0a
const CR = 0x0d
const SPACE = 0x20
const TAB = 0x09
const DASH = 0x2d

const startsWithAt = (haystack: Uint8Array, needle: Uint8Array, at: number): boolean => {
  if (at + needle.length > haystack.length) return false
  for (let i = 0; i < needle.length; i++) if (haystack[at + i] !== needle[i]) return false
  return true
}

interface DelimiterLine {
  /** where the line break before the delimiter starts (it belongs to the delimiter, RFC 2046 §5.1.1) */
  readonly start: number
  /** just past the delimiter line's own line break */
  readonly end: number
  readonly closes: boolean
}

/** At a line start: `--boundary`, then `--` or not, then only blanks up to the line's end. */
const delimiterAt = (body: Uint8Array, dashBoundary: Uint8Array, at: number): DelimiterLine | undefined => {
  if (!startsWithAt(body, dashBoundary, at)) return undefined
  let after = at + dashBoundary.length
  const closes = body[after] === DASH && body[after + 1] === DASH
  if (closes) after += 2
  while (body[after] === SPACE || body[after] === TAB) after++
  if (after < body.length && body[after] === CR) after++
  if (after < body.length && body[after] !== LF) return undefined
  const lineBreakBefore = at === 0 ? 0 : at >= 2 && body[at - 2] === CR ? 2 : 1
  return { start: at - lineBreakBefore, end: Math.min(after + 1, body.length), closes }
}

/** The first delimiter line at or after `lineStart`, which must be the start of a line. */
const nextDelimiter = (body: Uint8Array, dashBoundary: Uint8Array, lineStart: number): DelimiterLine | undefined => {
  for (let at = lineStart; at < body.length; ) {
    const delimiter = delimiterAt(body, dashBoundary, at)
    if (delimiter !== undefined) return delimiter
    const lineEnd = body.indexOf(LF, at)
    if (lineEnd === -1) return undefined
    at = lineEnd + 1
  }
  return undefined
}

/**
 * The body parts of a multipart body (RFC 2046 §5.1), preamble and epilogue dropped, at most
 * `maxParts`. A body cut short before its close delimiter keeps its last part up to the end.
 */
export const splitMultipart = (body: Uint8Array, boundary: string, maxParts: number): ReadonlyArray<Uint8Array> => {
  if (boundary === "" || maxParts <= 0) return []
  const dashBoundary = asciiBytes(`--${boundary}`)
  const parts: Array<Uint8Array> = []
  let delimiter = nextDelimiter(body, dashBoundary, 0)
  while (delimiter !== undefined && !delimiter.closes && parts.length < maxParts) {
    const next = nextDelimiter(body, dashBoundary, delimiter.end)
    parts.push(body.subarray(delimiter.end, next?.start ?? body.length))
    delimiter = next
  }
  return parts
}
