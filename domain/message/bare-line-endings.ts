import { CR, LF } from "./ascii.ts"

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

/** Index of the first bare CR or LF in `bytes` from `from` on, "pending" if the last byte is a CR, else -1. */
const firstBareFrom = (bytes: Uint8Array, from: number): number | "pending" => {
  let nextCr = bytes.indexOf(CR, from)
  let nextLf = bytes.indexOf(LF, from)
  for (;;) {
    // An LF met before any CR has no CR in front of it: a CR right before it would have come first.
    if (nextLf !== -1 && (nextCr === -1 || nextLf < nextCr)) return nextLf
    if (nextCr === -1) return -1
    if (nextCr === bytes.length - 1) return "pending"
    if (bytes[nextCr + 1] !== LF) return nextCr
    const after = nextCr + 2
    nextCr = bytes.indexOf(CR, after)
    nextLf = bytes.indexOf(LF, after)
  }
}

/** Scans the next chunk of a byte stream. Pure: the scan so far goes in, the scan including `chunk` comes out. */
export const scanLineEndings = (scan: LineEndingScan, chunk: Uint8Array): LineEndingScan => {
  const scanned = scan.scanned + chunk.length
  if (scan.bareAt !== undefined) return { ...scan, scanned }
  if (chunk.length === 0) return scan
  let from = 0
  if (scan.pendingCr) {
    if (chunk[0] !== LF) return { scanned, pendingCr: false, bareAt: scan.scanned - 1 }
    from = 1
  }
  const found = firstBareFrom(chunk, from)
  if (found === "pending") return { scanned, pendingCr: true, bareAt: undefined }
  return { scanned, pendingCr: false, bareAt: found === -1 ? undefined : scan.scanned + found }
}

/** The stream has ended: a CR still waiting for its LF is bare. Offset of the first bare CR or LF, if any. */
export const finishLineEndings = (scan: LineEndingScan): number | undefined =>
  scan.bareAt ?? (scan.pendingCr ? scan.scanned - 1 : undefined)

/** Offset of the first bare CR (not followed by LF) or bare LF (not preceded by CR) in `bytes`, if any. */
export const firstBareLineEnding = (bytes: Uint8Array): number | undefined =>
  finishLineEndings(scanLineEndings(emptyScan, bytes))
