import { Inflate } from "fflate"
import type { DecompressionBudget } from "./decompression-budget.ts"
import { concatBytes } from "../message/json-bytes.ts"

/**
 * Input is fed in small chunks so that one chunk can produce at most a few MB (DEFLATE expands
 * at most ~1032 times); output beyond the budget stops the work.
 */
const INPUT_CHUNK = 4096


/** Raw DEFLATE (RFC 1951) data inflated, or undefined when it is malformed or outgrows the budget. */
export const inflateWithinBudget = (deflated: Uint8Array, budget: DecompressionBudget): Uint8Array | undefined => {
  const chunks: Array<Uint8Array> = []
  const inflater = new Inflate((chunk) => {
    chunks.push(chunk)
    budget.remaining -= chunk.length
  })
  try {
    let at = 0
    do {
      const end = Math.min(at + INPUT_CHUNK, deflated.length)
      inflater.push(deflated.subarray(at, end), end === deflated.length)
      at = end
    } while (at < deflated.length && budget.remaining >= 0)
  } catch {
    return undefined
  }
  if (budget.remaining < 0) {
    budget.remaining = 0
    return undefined
  }
  return concatBytes(chunks)
}
