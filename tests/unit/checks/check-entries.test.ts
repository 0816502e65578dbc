import { describe, expect, it } from "vitest"
import { checkEntries, dkimEntries, dmarcEntry, resultKeyword, spamEntry, spfEntry } from "../../../domain/checks/check-entries.ts"

const identity = { sender: "bounce@Example.ORG", helo: "mail.example.org" }

describe("SPF entries", () => {
  it("name the MAIL FROM domain as mailauth reports it", () => {
    expect(spfEntry({ status: { result: "pass" }, domain: "example.org" }, identity)).toEqual({ spf: "pass", "smtp.mailfrom": "example.org" })
  })

  it("fall back to the sender's domain, lower case, when the verdict names none", () => {
    expect(spfEntry({ status: { result: "temperror" } }, identity)).toEqual({ spf: "temperror", "smtp.mailfrom": "example.org" })
  })

  it("name the HELO for the null sender", () => {
    expect(spfEntry({ status: { result: "softfail" }, domain: "mail.example.org" }, { sender: "", helo: "mail.example.org" }))
      .toEqual({ spf: "softfail", "smtp.helo": "mail.example.org" })
  })
})

describe("result keywords", () => {
  it.each([
    ["pass", "pass"], ["fail", "fail"], ["softfail", "softfail"], ["neutral", "neutral"], ["none", "none"],
    ["temperror", "temperror"], ["temperr", "temperror"], ["permerror", "permerror"], ["policy", "policy"],
    ["PASS", "permerror"], ["pass; x=y", "permerror"], [undefined, "permerror"], [42, "permerror"]
  ] as const)("%j is %s", (value, keyword) => expect(resultKeyword(value)).toBe(keyword))
})

describe("DKIM entries", () => {
  const signature = {
    status: { result: "pass", header: { i: "news@mail.example.org" } },
    signingDomain: "example.org",
    selector: "s1",
    signature: "abc d+/EFGHIJKL"
  }

  it("one per signature, header.b the first 8 characters of b= without folding whitespace", () => {
    expect(dkimEntries({ signatures: [signature, { ...signature, signingDomain: "esp.example", status: { result: "fail" } }], from: { fields: 1, addresses: [] } }))
      .toEqual([
        { dkim: "pass", domain: "example.org", selector: "s1", "header.i": "news@mail.example.org", "header.b": "abcd+/EF" },
        { dkim: "fail", domain: "esp.example", selector: "s1", "header.i": "@esp.example", "header.b": "abcd+/EF" }
      ])
  })

  it("none for an unsigned message, whether it says so or lists nothing", () => {
    expect(dkimEntries({ signatures: [{ status: { result: "none" } }], from: { fields: 1, addresses: [] } })).toEqual([{ dkim: "none" }])
    expect(dkimEntries({ signatures: [], from: { fields: 1, addresses: [] } })).toEqual([{ dkim: "none" }])
  })

  it("leave out what the signature does not have", () => {
    expect(dkimEntries({ signatures: [{ status: { result: "neutral" }, signingDomain: "example.org" }], from: { fields: 1, addresses: [] } }))
      .toEqual([{ dkim: "neutral", domain: "example.org", "header.i": "@example.org" }])
  })
})

describe("DMARC entries", () => {
  it("carry the From domain and the policy in effect", () => {
    expect(dmarcEntry({ status: { result: "fail", header: { from: "example.org" } }, policy: "quarantine" }, undefined))
      .toEqual({ dmarc: "fail", "header.from": "example.org", policy: "quarantine" })
  })

  it("without a single author domain: none with no From, permerror with several", () => {
    expect(dmarcEntry(false, { fields: 0, addresses: [] })).toEqual({ dmarc: "none" })
    expect(dmarcEntry(false, { fields: 2, addresses: ["a@example.org", "b@example.org"] })).toEqual({ dmarc: "permerror" })
    expect(dmarcEntry(false, { fields: 1, addresses: ["a@example.org", "b@other.example"] })).toEqual({ dmarc: "permerror" })
  })
})

describe("spam entries", () => {
  it("ham or spam with score, required and symbols", () => {
    expect(spamEntry({ isSpam: true, score: 1003.3, required: 5, symbols: ["GTUBE", "NO_RELAYS"] }))
      .toEqual({ spam: "spam", score: 1003.3, required: 5, symbols: ["GTUBE", "NO_RELAYS"] })
    expect(spamEntry({ isSpam: false, score: -0.1, required: 5, symbols: [] })).toEqual({ spam: "ham", score: -0.1, required: 5, symbols: [] })
  })

  it("temperror when spamd could not answer, none when the message was too large to send", () => {
    expect(spamEntry("temperror")).toEqual({ spam: "temperror" })
    expect(spamEntry("too-large")).toEqual({ spam: "none" })
  })
})

describe("the checks array", () => {
  const authentication = {
    spf: { status: { result: "pass" }, domain: "example.org" },
    dkim: { signatures: [{ status: { result: "pass" }, signingDomain: "example.org", selector: "s1", signature: "AAAABBBBCCCC" }], from: { fields: 1, addresses: ["a@example.org"] } },
    dmarc: { status: { result: "pass", header: { from: "example.org" } }, policy: "none" }
  }

  it("holds the configured checks only, always in the order spf, dkim, dmarc, spam", () => {
    const entries = checkEntries({ checks: ["spam", "dmarc", "spf"], identity, authentication, spam: "temperror" })
    expect(entries.map((e) => Object.keys(e)[0])).toEqual(["spf", "dmarc", "spam"])
  })

  it("reports the parts that did not finish as temperror", () => {
    expect(checkEntries({ checks: ["spf", "dkim", "dmarc", "spam"], identity, authentication: {}, spam: undefined })).toEqual([
      { spf: "temperror", "smtp.mailfrom": "example.org" }, { dkim: "temperror" }, { dmarc: "temperror" }, { spam: "temperror" }
    ])
  })

  it("is empty with no checks configured", () => {
    expect(checkEntries({ checks: [], identity, authentication, spam: undefined })).toEqual([])
  })
})
