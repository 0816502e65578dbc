import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { nameServer, wireLabels } from "../../../adapters/dns/wire-query.ts"

/** any visible ASCII but the dot, as an SPF domain-spec may hold after macro expansion */
const visible = fc.string({ unit: fc.constantFrom(..."abcXYZ019-_:/+=!~*'()$&,;@[]"), minLength: 1, maxLength: 63 })

describe("which names DNS can carry (RFC 1035 §2.3.4, §3.1)", () => {
  it("any labels of 1 to 63 octets, 255 octets in all, go as they are, with or without the root's dot", () => {
    fc.assert(fc.property(fc.array(visible, { minLength: 1, maxLength: 8 }), fc.boolean(), (labels, rooted) => {
      fc.pre(labels.reduce((sum, label) => sum + label.length + 1, 1) <= 255)
      expect(wireLabels(labels.join(".") + (rooted ? "." : ""))).toEqual(labels)
    }))
  })

  it("an empty label, a label over 63 octets or a name over 255 cannot go", () => {
    fc.assert(fc.property(fc.array(visible, { maxLength: 4 }), fc.array(visible, { maxLength: 4 }), (before, after) => {
      expect(wireLabels([...before, "", ...after, "example"].join("."))).toBeUndefined()
      expect(wireLabels([...before, "x".repeat(64), ...after].join("."))).toBeUndefined()
      expect(wireLabels([...before, ...Array.from({ length: 5 }, () => "y".repeat(60)), ...after].join("."))).toBeUndefined()
    }))
  })
})

describe("name servers as node:dns writes them", () => {
  it("reads an address with its port, or port 53", () => {
    fc.assert(fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.option(fc.integer({ min: 1, max: 65535 })), (ip, port) => {
      const text = port === null ? ip : ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`
      expect(nameServer(text)).toEqual({ host: ip, port: port ?? 53 })
    }))
  })
})
