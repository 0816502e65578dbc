import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { withoutOurAuthResults } from "../../../domain/checks/forged-auth-results.ts"

const header = fc.oneof(
  fc.constantFrom("Subject: hi", "From: a@example.org", "X-Other: 1"),
  fc.domain().map((d) => `Authentication-Results: ${d}; spf=pass`)
)

describe("removing our Authentication-Results, for any message", () => {
  it("keeps the body byte for byte and every field that does not name us", () => {
    fc.assert(fc.property(fc.array(header, { maxLength: 8 }), fc.uint8Array({ maxLength: 200 }), fc.domain(), (fields, body, ours) => {
      const head = new TextEncoder().encode(fields.length > 0 ? `${fields.join("\r\n")}\r\n\r\n` : "\r\n")
      const mime = new Uint8Array([...head, ...body])
      const result = withoutOurAuthResults(mime, ours)
      expect([...result.subarray(result.length - body.length)]).toEqual([...body])
      const kept = new TextDecoder().decode(result.subarray(0, result.length - body.length))
      const expected = fields.filter((f) => !f.toLowerCase().startsWith(`authentication-results: ${ours.toLowerCase()};`))
      expect(kept).toBe(`${expected.join("\r\n")}${expected.length > 0 ? "\r\n" : ""}\r\n`)
    }))
  })
})
