import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseSpamdReply } from "../../../adapters/spamd/spamd-protocol.ts"

describe("reading spamd's reply", () => {
  it("never throws, whatever arrives", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect(typeof parseSpamdReply(bytes).ok).toBe("boolean")
    }))
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (tail) => {
      expect(typeof parseSpamdReply(Buffer.from(`SPAMD/1.1 0 EX_OK\r\n${tail}`, "latin1")).ok).toBe("boolean")
    }))
  })

  it("gives back exactly what a well-formed reply says", () => {
    const tenth = fc.integer({ min: -10_000, max: 100_000 }).map((n) => n / 10)
    const symbols = fc.array(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,20}$/), { maxLength: 8 })
    fc.assert(fc.property(fc.boolean(), tenth, tenth, symbols, (isSpam, score, required, names) => {
      const body = names.join(",")
      const reply = `SPAMD/1.1 0 EX_OK\r\nContent-length: ${body.length}\r\nSpam: ${isSpam ? "True" : "False"} ; ${score.toFixed(1)} / ${required.toFixed(1)}\r\n\r\n${body}`
      expect(parseSpamdReply(Buffer.from(reply, "latin1"))).toEqual({ ok: true, verdict: { isSpam, score, required, symbols: names } })
    }))
  })
})
