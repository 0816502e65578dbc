import { describe, expect, it } from "vitest"
import {
  emptyScan,
  finishLineEndings,
  firstBareLineEnding,
  scanLineEndings
} from "../../../domain/message/bare-line-endings.ts"

const bytes = (text: string) => Buffer.from(text, "latin1")
const inChunks = (...chunks: ReadonlyArray<string>) =>
  finishLineEndings(chunks.reduce((scan, chunk) => scanLineEndings(scan, bytes(chunk)), emptyScan))

describe("the first bare CR or LF in message data", () => {
  it.each([
    ["", undefined],
    ["no line end at all", undefined],
    ["Subject: x\r\n\r\nbody\r\n", undefined],
    ["\r\n\r\n\r\n", undefined],
    ["a\nb", 1],
    ["a\rb", 1],
    ["\n", 0],
    ["\r", 0],
    ["a\r", 1],
    ["a\r\n\n", 3],
    ["a\r\r\n", 1],
    ["a\n\r\n", 1],
    ["a\r\n\r", 3],
    // the smuggling endings (RFC 5321 §2.3.8 forbids each)
    ["body\n.\nMAIL FROM:<e@x>\r\n", 4],
    ["body\r\n.\nMAIL FROM:<e@x>\r\n", 7],
    ["body\n.\r\nMAIL FROM:<e@x>\r\n", 4],
    ["body\r.\rMAIL FROM:<e@x>\r\n", 4]
  ])("%j → %s", (text, offset) => {
    expect(firstBareLineEnding(bytes(text))).toBe(offset)
  })
})

describe("scanning chunk by chunk, as the DATA stream arrives", () => {
  it("joins a CRLF cut between two chunks", () => {
    expect(inChunks("line\r", "\nnext\r\n")).toBeUndefined()
    expect(inChunks("\r", "\n", "\r", "\n")).toBeUndefined()
  })

  it("finds a CR at the end of a chunk bare when the next one does not start with LF", () => {
    expect(inChunks("line\r", "next\r\n")).toBe(4)
    expect(inChunks("ab\r\n", "cd\r", "\r\n")).toBe(6)
  })

  it("finds a CR bare when the stream ends right after it", () => {
    expect(inChunks("line\r\n", "x\r")).toBe(7)
  })

  it("finds an LF at the start of a chunk bare when the previous one did not end in CR", () => {
    expect(inChunks("line", "\nnext")).toBe(4)
  })

  it("reports offsets within the whole stream and keeps the first one", () => {
    expect(inChunks("0123\r\n", "67\n9", "\n\n")).toBe(8)
  })

  it("counts every byte, also past the first bare one", () => {
    const scan = [bytes("a\nb"), bytes("cdef")].reduce(scanLineEndings, emptyScan)
    expect(scan.scanned).toBe(7)
    expect(scan.bareAt).toBe(1)
  })

  it("ignores empty chunks", () => {
    expect(inChunks("a\r", "", "\n")).toBeUndefined()
  })
})
