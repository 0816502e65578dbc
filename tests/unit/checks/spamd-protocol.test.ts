import { describe, expect, it } from "vitest"
import { parseSpamdReply, spamcRequest } from "../../../adapters/spamd/spamd-protocol.ts"

const reply = (text: string) => parseSpamdReply(Buffer.from(text, "latin1"))

describe("the SPAMC request", () => {
  it("is SYMBOLS SPAMC/1.5 with the body's length in bytes, the user, a blank line and the message as it is", () => {
    const body = Buffer.from("Subject: grüße\r\n\r\nhi\r\n", "utf8")
    expect(Buffer.from(spamcRequest(body)).toString("utf8")).toBe(
      `SYMBOLS SPAMC/1.5\r\nContent-length: ${body.length}\r\nUser: nobody\r\n\r\nSubject: grüße\r\n\r\nhi\r\n`
    )
  })
})

describe("spamd's reply", () => {
  it("gives verdict, score, threshold and symbols", () => {
    expect(reply("SPAMD/1.1 0 EX_OK\r\nContent-length: 20\r\nSpam: True ; 1003.3 / 5.0\r\n\r\nGTUBE,MISSING_DATE\r\n")).toEqual({
      ok: true, verdict: { isSpam: true, score: 1003.3, required: 5, symbols: ["GTUBE", "MISSING_DATE"] }
    })
    expect(reply("SPAMD/1.1 0 EX_OK\r\nSpam: False ; -1.5 / 5.0\r\n\r\n")).toEqual({
      ok: true, verdict: { isSpam: false, score: -1.5, required: 5, symbols: [] }
    })
    expect(reply("SPAMD/1.1 0 EX_OK\r\nspam: yes ; 7 / 6.5\r\n\r\nA")).toEqual({
      ok: true, verdict: { isSpam: true, score: 7, required: 6.5, symbols: ["A"] }
    })
  })

  it.each([
    ["", /without answering/],
    ["HTTP/1.1 400 Bad Request\r\n\r\n", /not a SPAMD reply/],
    ["SPAMD/1.0 76 Bad header line: (EOF)\r\n\r\n", /spamd answered 76 Bad header line/],
    ["SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1000.0 / 5.0", /ends inside its headers/],
    ["SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\n\r\n", /no usable Spam header/],
    ["SPAMD/1.1 0 EX_OK\r\nSpam: Maybe ; 1 / 5\r\n\r\n", /no usable Spam header/],
    ["SPAMD/1.1 0 EX_OK\r\nContent-length: 30\r\nSpam: True ; 1000.0 / 5.0\r\n\r\nGTUBE", /cut short \(5 of 30 bytes\)/]
  ])("refuses %j", (text, reason) => {
    const parsed = reply(text)
    expect(parsed.ok).toBe(false)
    expect(parsed.ok ? "" : parsed.reason).toMatch(reason)
  })
})
