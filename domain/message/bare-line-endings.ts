import { CR, LF, searchableText } from "./ascii.ts"

/**
 * RFC 5321 §2.3.8: in SMTP, CR and LF may only occur together, as CRLF. A bare LF or a bare CR in
 * message data is what SMTP smuggling (Dec 2023) relies on: `<LF>.<LF>` ends DATA for some servers
 * and not for others. This finds the first one, over bytes that may arrive in chunks: a CR at the
 * end of one chunk is only bare if the next chunk does not start with LF.
 */


export interface LineEndingScan {
  /** bytes seen so far */
  readonly scanned: number
  /** the bytes so far end in a CR whose LF may still come */
  readonly pendingCr: boolean
  /** offset of the first bare CR or LF, once found */
  readonly bareAt: number | undefined
}

export const emptyScan: LineEndingScan = { scanned: 0, pendingCr: false, bareAt: undefined }

/** A CR that no LF follows, or an LF that no CR precedes (a CR at the very end is decided by what comes next). */
const BARE = /\r(?!\n)|(?<!\r)\n/g

/**
 * Index of the first bare CR or LF in `bytes` from `from` on, "pending" if the last byte is a CR, else -1.
 * Searched in the bytes read as single-byte text, where CR and LF are the same code units: the regular
 * expression engine scans natively, three times as fast as a search per line end.
 */
const firstBareFrom = (bytes: Uint8Array, from: number, text: string): number | "pending" => {
  BARE.lastIndex = from
  const found = BARE.exec(text)
  if (found === null) return -1
  return found.index === bytes.length - 1 && bytes[found.index] === CR ? "pending" : found.index
}

/** Scans the next chunk of a byte stream. Pure: the scan so far goes in, the scan including `chunk` comes out. */
export const scanLineEndings = (scan: LineEndingScan, chunk: Uint8Array): LineEndingScan => scanTextLineEndings(scan, chunk, undefined)

/** The same, for a caller that has the chunk as `searchableText` already (`text`). */
export const scanTextLineEndings = (scan: LineEndingScan, chunk: Uint8Array, text: string | undefined): LineEndingScan => {
  const scanned = scan.scanned + chunk.length
  if (scan.bareAt !== undefined) return { ...scan, scanned }
  if (chunk.length === 0) return scan
  let from = 0
  if (scan.pendingCr) {
    if (chunk[0] !== LF) return { scanned, pendingCr: false, bareAt: scan.scanned - 1 }
    from = 1
  }
  const found = firstBareFrom(chunk, from, text ?? searchableText(chunk))
  if (found === "pending") return { scanned, pendingCr: true, bareAt: undefined }
  return { scanned, pendingCr: false, bareAt: found === -1 ? undefined : scan.scanned + found }
}

/** The stream has ended: a CR still waiting for its LF is bare. Offset of the first bare CR or LF, if any. */
export const finishLineEndings = (scan: LineEndingScan): number | undefined =>
  scan.bareAt ?? (scan.pendingCr ? scan.scanned - 1 : undefined)

/** Offset of the first bare CR (not followed by LF) or bare LF (not preceded by CR) in `bytes`, if any. */
export const firstBareLineEnding = (bytes: Uint8Array): number | undefined =>
  finishLineEndings(scanLineEndings(emptyScan, bytes))
