import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { compileLocalAddresses, LOCAL_ADDRESS_TYPES } from "../../../domain/lists/local-address-rule.ts"

describe("local-address rules, for any input", () => {
  it("never throw, whatever the patterns and addresses", () => {
    fc.assert(fc.property(
      fc.array(fc.record({ pattern: fc.string(), type: fc.constantFrom(...LOCAL_ADDRESS_TYPES) }), { maxLength: 5 }),
      fc.string(),
      (rules, address) => {
        compileLocalAddresses(rules).isLocal(address)
      }
    ))
  })

  it("an exact address matches itself in any letter case and nothing else of its domain", () => {
    fc.assert(fc.property(fc.emailAddress(), fc.emailAddress(), (address, other) => {
      const matcher = compileLocalAddresses([{ pattern: address, type: "exact" }])
      expect(matcher.isLocal(address.toUpperCase())).toBe(true)
      if (other.toLowerCase() !== address.toLowerCase()) expect(matcher.isLocal(other)).toBe(false)
    }))
  })

  it("@domain and *@domain agree for every address", () => {
    fc.assert(fc.property(fc.domain(), fc.emailAddress(), (domain, address) => {
      const exact = compileLocalAddresses([{ pattern: `@${domain}`, type: "exact" }]).isLocal(address)
      const glob = compileLocalAddresses([{ pattern: `*@${domain}`, type: "fnmatch" }]).isLocal(address)
      expect(exact).toBe(glob)
    }))
  })

  it("glob metacharacters other than * and ? are literal (no regex injection)", () => {
    fc.assert(fc.property(fc.stringMatching(/^[a-z.+()|\[\]{}^$\\]{1,12}$/), (pattern) => {
      const matcher = compileLocalAddresses([{ pattern: `${pattern}@x.test`, type: "fnmatch" }])
      expect(matcher.isLocal(`${pattern}@x.test`)).toBe(true)
    }))
  })
})
