import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parsePathCommand } from "../../../domain/address/smtp-path.ts"

describe("parsing MAIL FROM / RCPT TO", () => {
  it("never throws, whatever the client sends", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => {
      parsePathCommand(text, "FROM")
      parsePathCommand(text, "TO")
    }))
  })

  it("gives back any address without angle brackets or control characters exactly as written", () => {
    const address = fc.stringMatching(/^[^<>"@\x00-\x1f\x7f-\x9f\s][^<>"\x00-\x1f\x7f-\x9f\s]{0,39}@[a-z0-9.-]{1,30}$/)
    fc.assert(fc.property(address, fc.constantFrom("", " SIZE=10", " BODY=8BITMIME SMTPUTF8"), (a, params) => {
      expect(parsePathCommand(`TO:<${a}>${params}`, "TO")?.address).toBe(a)
    }))
  })
})
