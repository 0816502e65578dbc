import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { checkEntries } from "../../../domain/checks/check-entries.ts"
import type { AuthenticationReport, SpamOutcome } from "../../../domain/checks/verdicts.ts"
import type { CheckName } from "../../../domain/config/settings.ts"

const maybe = <A>(arbitrary: fc.Arbitrary<A>) => fc.option(arbitrary, { nil: undefined })
const whatever = fc.oneof(fc.anything(), fc.constantFrom("pass", "fail", "temperr", "none"), fc.string())
const status = maybe(fc.record({ result: whatever, header: maybe(fc.record({ i: whatever, from: whatever }, { requiredKeys: [] })) }, { requiredKeys: [] }))

const report: fc.Arbitrary<AuthenticationReport> = fc.record({
  spf: fc.record({ status, domain: whatever }, { requiredKeys: [] }),
  dkim: fc.record({
    signatures: fc.array(fc.record({ status, signingDomain: whatever, selector: whatever, signature: whatever }, { requiredKeys: [] }), { maxLength: 4 }),
    from: fc.record({ fields: fc.nat(3), addresses: fc.array(fc.string(), { maxLength: 3 }) })
  }),
  dmarc: fc.oneof(fc.constant(false as const), fc.record({ status, policy: whatever }, { requiredKeys: [] }))
}, { requiredKeys: [] })

const spam: fc.Arbitrary<SpamOutcome | undefined> = fc.oneof(
  fc.constantFrom("temperror" as const, "too-large" as const, undefined),
  fc.record({ score: fc.double(), required: fc.double(), isSpam: fc.boolean(), symbols: fc.array(fc.string(), { maxLength: 4 }) })
)

const checks = fc.subarray<CheckName>(["spf", "dkim", "dmarc", "spam"])
const KEYWORDS = ["pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy", "ham", "spam"]

describe("the checks array, whatever the libraries report", () => {
  it("never throws; one entry per check (per signature for DKIM), each led by its check with a known keyword", () => {
    fc.assert(fc.property(checks, report, spam, fc.string(), fc.string(), (wanted, authentication, outcome, sender, helo) => {
      const entries = checkEntries({ checks: wanted, identity: { sender, helo }, authentication, spam: outcome })
      const signatures = Math.max(1, authentication.dkim?.signatures.length ?? 1)
      expect(entries.length).toBe(wanted.length + (wanted.includes("dkim") ? signatures - 1 : 0))
      for (const entry of entries) {
        const [method, result] = Object.entries(entry)[0] ?? []
        expect(wanted).toContain(method)
        expect(KEYWORDS).toContain(result)
      }
    }))
  })

  it("holds plain JSON values only: strings, numbers and arrays of strings", () => {
    fc.assert(fc.property(checks, report, spam, (wanted, authentication, outcome) => {
      const entries = checkEntries({ checks: wanted, identity: { sender: "a@example.org", helo: "h" }, authentication, spam: outcome })
      for (const value of entries.flatMap((e) => Object.values(e))) {
        const plain = typeof value === "string" || typeof value === "number" || (Array.isArray(value) && value.every((v) => typeof v === "string"))
        expect(plain).toBe(true)
      }
    }))
  })
})
