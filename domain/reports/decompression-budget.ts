import { MAX_DECOMPRESSED_BYTES } from "./limits.ts"

/** What is left of the bytes one message's decompression may produce; spent as output arrives. */
export interface DecompressionBudget {
  remaining: number
}

export const freshDecompressionBudget = (): DecompressionBudget => ({ remaining: MAX_DECOMPRESSED_BYTES })
