import { inflateWithinBudget } from "./bounded-inflate.ts"
import type { DecompressionBudget } from "./decompression-budget.ts"

const FHCRC = 0x02
const FEXTRA = 0x04
const FNAME = 0x08
const FCOMMENT = 0x10
const DEFLATE = 8

export const isGzip = (bytes: Uint8Array): boolean => bytes[0] === 0x1f && bytes[1] === 0x8b

/** Where the DEFLATE data of a gzip member starts, past its header (RFC 1952 §2.3). */
const deflateStart = (gzip: Uint8Array): number | undefined => {
  if (!isGzip(gzip) || gzip[2] !== DEFLATE) return undefined
  const flags = gzip[3] ?? 0
  let at = 10
  if (flags & FEXTRA) at += 2 + (gzip[10] ?? 0) + ((gzip[11] ?? 0) << 8)
  for (const zeroTerminated of [FNAME, FCOMMENT]) {
    if ((flags & zeroTerminated) === 0) continue
    const zero = gzip.indexOf(0, at)
    if (zero === -1) return undefined
    at = zero + 1
  }
  if (flags & FHCRC) at += 2
  return at <= gzip.length ? at : undefined
}

/** The first member's content; the trailer (CRC, size) and anything after it are not looked at. */
export const gunzipWithinBudget = (gzip: Uint8Array, budget: DecompressionBudget): Uint8Array | undefined => {
  const start = deflateStart(gzip)
  return start === undefined ? undefined : inflateWithinBudget(gzip.subarray(start), budget)
}
