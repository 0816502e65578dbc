import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { DataReader } from "../../../domain/message/data-reader.ts"

const bytes = (text: string) => Buffer.from(text, "latin1")
const text = (b: Uint8Array) => Buffer.from(b).toString("latin1")

/** What a sending client does (RFC 5321 §4.5.2): a line that starts with a dot gets one more. */
const dotStuff = (lines: ReadonlyArray<string>) => lines.map((line) => (line.startsWith(".") ? `.${line}` : line)).join("")

/** Feeds `stream` in the given cuts; the message and the offset past its end in the whole stream. */
const readInChunks = (stream: Uint8Array, cuts: ReadonlyArray<number>, limit = 1 << 20) => {
  const reader = new DataReader(limit)
  const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
  let from = 0
  for (const to of [...points, stream.length]) {
    if (to < from) continue
    const end = reader.push(stream.subarray(from, to))
    if (end !== -1) return { data: reader.finish(), end: from + end }
    from = to
  }
  return { data: undefined, end: -1 }
}

const line = fc.oneof(
  fc.string({ unit: fc.constantFrom("a", "b", ".", " ", "x", "é"), maxLength: 12 }),
  fc.constantFrom(".", "..", ".foo", "...", "", "a.b")
).map((l) => `${l}\r\n`)

describe("the DATA stream (RFC 5321 §4.1.1.4, §4.5.2), in chunks of any size", () => {
  it("gives back exactly what the client meant, however the stuffed stream is cut, and where it ends", () => {
    fc.assert(fc.property(fc.array(line, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 8 }), fc.string({ maxLength: 10 }), (lines, cuts, after) => {
      const stream = bytes(`${dotStuff(lines)}.\r\n${after}`)
      const { data, end } = readInChunks(stream, cuts)
      expect(data).toBeDefined()
      expect(text(data!.mime)).toBe(lines.join(""))
      expect(text(stream.subarray(end))).toBe(after)
      expect(data!.bareLineEnding).toBe(false)
      expect(data!.nul).toBe(false)
    }))
  })

  it("gives the same message for any cutting of any bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.array(fc.nat(), { maxLength: 10 }), (body, cuts) => {
      const stream = Buffer.concat([Buffer.from(body), bytes("\r\n.\r\n")])
      const whole = readInChunks(stream, [])
      const cut = readInChunks(stream, cuts)
      expect(cut.end).toBe(whole.end)
      expect({ ...cut.data, mime: text(cut.data!.mime) }).toEqual({ ...whole.data, mime: text(whole.data!.mime) })
    }))
  })

  it("ends only at CRLF.CRLF (or at once at .CRLF): a dot after a bare LF or CR ends nothing", () => {
    fc.assert(fc.property(fc.constantFrom("\n.\n", "\n.\r\n", "\r.\r", "\r\n.\n", "x\r.\r\n"), (smuggled) => {
      const { data, end } = readInChunks(bytes(`a${smuggled}b\r\n.\r\n`), [])
      expect(end).toBe(`a${smuggled}b\r\n.\r\n`.length)
      expect(data!.bareLineEnding).toBe(true)
    }))
  })

  it("finds a NUL byte, and counts but does not keep a message over the limit", () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), fc.nat(120), (body, limit) => {
      const clean = Buffer.from(body.map((b) => (b === 0x0a || b === 0x0d || b === 0x2e ? 0x41 : b)))
      const { data } = readInChunks(Buffer.concat([clean, bytes("\r\n.\r\n")]), [], limit)
      expect(data!.nul).toBe(clean.includes(0))
      expect(data!.size).toBe(clean.length + 2)
      expect(data!.mime.length).toBe(data!.size <= limit ? data!.size : 0)
    }))
  })
})
