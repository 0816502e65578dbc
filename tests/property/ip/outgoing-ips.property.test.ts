import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseIpRange } from "../../../domain/ip/ip-range.ts"
import { isMappable, outgoingIps } from "../../../domain/ip/outgoing-ips.ts"

const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join("."))
const range = fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([ip, prefix]) => parseIpRange(`${ip}/${prefix}`)!)
const rules = fc.record({
  defaultIps: fc.array(v4, { maxLength: 3 }),
  mappable: fc.array(range, { maxLength: 3 }),
  unmappable: fc.array(range, { maxLength: 3 })
})

describe("outgoing IPs, for any rules", () => {
  it("the result is always the explicit IPs, the local IP, the defaults, or none", () => {
    fc.assert(fc.property(rules, v4, fc.array(fc.oneof(v4, fc.ipV6(), fc.string()), { maxLength: 3 }), (r, local, explicit) => {
      const result = outgoingIps(r, local, explicit)
      const validExplicit = outgoingIps({ defaultIps: [], mappable: [], unmappable: [] }, "0.0.0.0", explicit)
      const candidates = [JSON.stringify([local]), JSON.stringify(r.defaultIps)]
      if (explicit.length > 0) candidates.push(JSON.stringify(validExplicit))
      if (result === undefined) return
      expect(candidates).toContain(JSON.stringify(result))
      expect(result.length).toBeGreaterThan(0)
    }))
  })

  it("a mappable local IP is always sent out from itself, and an unmappable one never is when defaults exist", () => {
    fc.assert(fc.property(rules, v4, (r, local) => {
      const result = outgoingIps(r, local)
      if (isMappable(r, local)) expect(result).toEqual([local])
      else if (r.defaultIps.length > 0) expect(result).toEqual(r.defaultIps)
    }))
  })

  it("an IP that is not mappable is never sent out from itself when any rule is configured; with no defaults, no IP is chosen", () => {
    fc.assert(fc.property(rules, v4, (r, local) => {
      const configured = r.defaultIps.length + r.mappable.length + r.unmappable.length > 0
      fc.pre(configured && !isMappable(r, local) && !r.defaultIps.includes(local))
      const result = outgoingIps(r, local)
      expect(result ?? []).not.toContain(local)
      expect(result === undefined).toBe(r.defaultIps.length === 0)
    }))
  })

  it("an unmappable range always overrides a mappable one", () => {
    fc.assert(fc.property(rules, v4, (r, local) => {
      const blocked = { ...r, unmappable: [...r.unmappable, parseIpRange(local)!] }
      expect(isMappable(blocked, local)).toBe(false)
    }))
  })
})
