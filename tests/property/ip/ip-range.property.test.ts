import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseIpRange, rangeContains } from "../../../domain/ip/ip-range.ts"

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join("."))

describe("IP range matching", () => {
  it("an address is in its own /32, in /0, and in every shorter prefix of a range that contains it", () => {
    fc.assert(fc.property(v4, fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
      expect(rangeContains(parseIpRange(ip)!, ip)).toBe(true)
      expect(rangeContains(parseIpRange("0.0.0.0/0")!, ip)).toBe(true)
      const range = parseIpRange(`${ip}/${prefix}`)!
      expect(rangeContains(range, ip)).toBe(true)
      for (let shorter = 0; shorter < prefix; shorter++) expect(rangeContains(parseIpRange(`${ip}/${shorter}`)!, ip)).toBe(true)
    }))
  })

  it("an IPv4 address and its IPv4-mapped IPv6 form are matched alike", () => {
    fc.assert(fc.property(v4, v4, fc.integer({ min: 0, max: 32 }), (network, ip, prefix) => {
      const range = parseIpRange(`${network}/${prefix}`)!
      expect(rangeContains(range, `::ffff:${ip}`)).toBe(rangeContains(range, ip))
    }))
  })

  it("never throws on any text", () => {
    fc.assert(fc.property(fc.string(), fc.string(), (range, ip) => {
      const parsed = parseIpRange(range)
      if (parsed !== undefined) rangeContains(parsed, ip)
    }))
  })
})
