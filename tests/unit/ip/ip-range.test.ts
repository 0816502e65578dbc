import { describe, expect, it } from "vitest"
import { normalizeIp, parseIpRange, rangesContain } from "../../../domain/ip/ip-range.ts"

const ranges = (...texts: Array<string>) => texts.map((t) => parseIpRange(t)!)

describe("IP ranges", () => {
  it.each([
    ["192.168.0.0/16", "192.168.44.2", true],
    ["192.168.0.0/16", "192.169.0.1", false],
    ["4.5.6.7", "4.5.6.7", true],
    ["4.5.6.7", "4.5.6.8", false],
    ["2001:db8::/32", "2001:db8:1::5", true],
    ["2001:db8::/32", "2001:db9::5", false],
    ["10.0.0.0/8", "::ffff:10.9.8.7", true],
    ["::ffff:10.0.0.0/104", "10.1.2.3", true],
    ["0.0.0.0/0", "203.0.113.1", true],
    ["0.0.0.0/0", "2001:db8::1", false]
  ])("%s contains %s: %s", (range, ip, expected) => {
    expect(rangesContain(ranges(range), ip)).toBe(expected)
  })

  it("refuses legacy IPv4 spellings that would widen a range unexpectedly", () => {
    for (const text of ["010.0.0.0/8", "10.1", "0x7f.0.0.1", "1.2.3.04"]) expect(parseIpRange(text)).toBeUndefined()
  })

  it("refuses prefixes beyond the address length and garbage", () => {
    for (const text of ["1.2.3.4/33", "2001:db8::/129", "1.2.3.4/", "1.2.3.4/-1", "example.com", ""]) {
      expect(parseIpRange(text)).toBeUndefined()
    }
  })

  it("normalizes mapped and bracketed addresses", () => {
    expect(normalizeIp("::ffff:127.0.0.1")).toBe("127.0.0.1")
    expect(normalizeIp("[2001:DB8::1]")).toBe("2001:db8::1")
  })

  it("no range at all contains nobody", () => {
    expect(rangesContain([], "127.0.0.1")).toBe(false)
  })
})

describe("IP answers remembered between connections", () => {
  it("stay right for more distinct addresses than are remembered, asked twice over", () => {
    const addresses = Array.from({ length: 5_000 }, (_, i) => `::ffff:10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`)
    const ten = [parseIpRange("10.0.0.0/20")!]
    for (let round = 0; round < 2; round++) {
      addresses.forEach((address, i) => {
        expect(normalizeIp(address)).toBe(address.slice("::ffff:".length))
        expect(rangesContain(ten, address)).toBe(i < 4096)
      })
    }
    expect(normalizeIp("010.0.0.1")).toBeUndefined()
    expect(normalizeIp("010.0.0.1")).toBeUndefined()
  })
})
