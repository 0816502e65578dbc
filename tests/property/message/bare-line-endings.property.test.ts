import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  emptyScan,
  finishLineEndings,
  firstBareLineEnding,
  scanLineEndings
} from "../../../domain/message/bare-line-endings.ts"

const CR = 0x0d
const LF = 0x0a

/** The obvious definition, one byte at a time, as the reference. */
const reference = (bytes: Uint8Array): number | undefined => {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === CR && bytes[i + 1] !== LF) return i
    if (bytes[i] === LF && bytes[i - 1] !== CR) return i
  }
  return undefined
}

/** Any bytes but CR and LF. */
const lineByte = fc.integer({ min: 0, max: 255 }).filter((b) => b !== CR && b !== LF)

/** Message data with every line ending a CRLF: lines of any other bytes joined (and maybe ended) by CRLF. */
const clean = fc.tuple(fc.array(fc.array(lineByte, { maxLength: 20 }), { maxLength: 12 }), fc.boolean()).map(
  ([lines, lastEnded]) => {
    const text = lines.map((line) => [...line, CR, LF]).flat()
    return Uint8Array.from(lastEnded || text.length === 0 ? text : text.slice(0, -2))
  }
)

/** Bytes dense in CR, LF and dots, where bare ones and CRLFs mix. */
const mixed = fc.uint8Array({ maxLength: 200 }).map((raw) => raw.map((b) => [CR, LF, 0x2e, 0x61][b % 4]!))

/** `bytes` cut at the given points into chunks. */
const split = (bytes: Uint8Array, cuts: ReadonlyArray<number>) => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  return [...points, bytes.length].map((end, i) => bytes.subarray(i === 0 ? 0 : points[i - 1], end))
}

describe("finding bare CR/LF, for any bytes", () => {
  it("accepts any data whose every CR and LF is part of a CRLF", () => {
    fc.assert(fc.property(clean, (bytes) => {
      expect(firstBareLineEnding(bytes)).toBeUndefined()
    }))
  })

  it("finds a bare CR or LF inserted anywhere outside a CRLF, at the offset it was put", () => {
    fc.assert(fc.property(clean, fc.nat(), fc.constantFrom(CR, LF), (bytes, at, bare) => {
      const offset = at % (bytes.length + 1)
      fc.pre(bytes[offset - 1] !== CR) // not inside a CRLF
      if (bare === CR) fc.pre(bytes[offset] !== LF) // a CR right before an LF would make a CRLF
      const dirty = Uint8Array.from([...bytes.subarray(0, offset), bare, ...bytes.subarray(offset)])
      expect(firstBareLineEnding(dirty)).toBe(offset)
    }))
  })

  it("agrees with the byte-by-byte definition", () => {
    fc.assert(fc.property(fc.oneof(mixed, fc.uint8Array({ maxLength: 200 })), (bytes) => {
      expect(firstBareLineEnding(bytes)).toBe(reference(bytes))
    }))
  })

  it("gives the same answer however the bytes are cut into chunks", () => {
    fc.assert(fc.property(mixed, fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
      const scan = split(bytes, cuts).reduce(scanLineEndings, emptyScan)
      expect(scan.scanned).toBe(bytes.length)
      expect(finishLineEndings(scan)).toBe(reference(bytes))
    }))
  })
})
