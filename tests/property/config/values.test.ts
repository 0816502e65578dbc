import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  formatIpRanges, formatNameServers, formatPorts, formatSize, parseBoolean, parseIpRanges, parseNameServers, parsePorts, parseSize
} from "../../../domain/config/values.ts"

const port = fc.integer({ min: 1, max: 65535 })
const space = fc.constantFrom("", " ", "  ", "\t")

/** One item of a port list: a single port or a short range, with the ports it opens. */
const portItem = fc.oneof(
  port.map((p) => ({ text: String(p), ports: [p] })),
  fc.tuple(fc.integer({ min: 1, max: 65000 }), fc.integer({ min: 0, max: 40 }), space).map(([low, length, pad]) => ({
    text: `${low}${pad}-${pad}${low + length}`,
    ports: Array.from({ length: length + 1 }, (_, i) => low + i)
  }))
)

describe("port lists", () => {
  it("any list of ports and ranges opens exactly those ports, in order, each once", () => {
    fc.assert(fc.property(fc.array(fc.tuple(portItem, space, space), { minLength: 1, maxLength: 12 }), (items) => {
      const text = items.map(([item, before, after]) => `${before}${item.text}${after}`).join(",")
      const expected = [...new Set(items.flatMap(([item]) => item.ports))]
      expect(parsePorts(text)).toEqual({ ok: true, value: expected })
    }))
  })

  it("writing ports back and reading them again gives the same ports", () => {
    fc.assert(fc.property(fc.uniqueArray(port, { minLength: 1, maxLength: 50 }), (ports) => {
      expect(parsePorts(formatPorts(ports))).toEqual({ ok: true, value: ports })
    }))
  })

  it("a number outside 1-65535 anywhere in the list refuses the whole list", () => {
    fc.assert(fc.property(
      fc.array(port, { maxLength: 5 }),
      fc.oneof(fc.constant(0), fc.integer({ min: 65536, max: 999999 })),
      (ports, bad) => {
        expect(parsePorts([...ports, bad].join(",")).ok).toBe(false)
      }
    ))
  })
})

describe("sizes", () => {
  const spelled = (unit: string) =>
    fc.tuple(space, fc.array(fc.boolean(), { minLength: unit.length, maxLength: unit.length })).map(([pad, upper]) =>
      pad + [...unit].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(""))

  it("n KB is n * 1024 bytes, in any case, with or without a space", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 * 1024 * 1024 }), spelled("kb"), (n, unit) => {
      expect(parseSize(`${n}${unit}`)).toEqual({ ok: true, value: n * 1024 })
    }))
  })

  it("n MB is n * 1024 * 1024 bytes and n GB is n * 1024^3", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4096 }), spelled("mb"), (n, unit) => {
      expect(parseSize(`${n}${unit}`)).toEqual({ ok: true, value: n * 1024 * 1024 })
    }))
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), spelled("gb"), (n, unit) => {
      expect(parseSize(`${n}${unit}`)).toEqual({ ok: true, value: n * 1024 ** 3 })
    }))
  })

  it("any size up to 4GB survives being written back", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 32 }), (bytes) => {
      expect(parseSize(formatSize(bytes))).toEqual({ ok: true, value: bytes })
    }))
  })

  it("anything over 4GB is refused", () => {
    fc.assert(fc.property(fc.integer({ min: 2 ** 32 + 1, max: Number.MAX_SAFE_INTEGER }), (bytes) => {
      expect(parseSize(String(bytes)).ok).toBe(false)
    }))
  })
})

describe("booleans", () => {
  it("true/false/yes/no/1/0 are read in any letter case", () => {
    const word = fc.constantFrom(["true", true], ["yes", true], ["1", true], ["false", false], ["no", false], ["0", false])
    fc.assert(fc.property(word, fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), ([text, value], upper) => {
      const mixed = [...text].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join("")
      expect(parseBoolean(` ${mixed} `)).toEqual({ ok: true, value })
    }))
  })
})

describe("IP range lists", () => {
  const octet = fc.integer({ min: 0, max: 255 })
  const cidr = fc.tuple(octet, octet, octet, octet, fc.option(fc.integer({ min: 0, max: 32 }), { nil: undefined }))
    .map(([a, b, c, d, prefix]) => `${a}.${b}.${c}.${d}${prefix === undefined ? "" : `/${prefix}`}`)

  it("any ';'-separated list of IPv4 CIDRs is read in full and written back the same", () => {
    fc.assert(fc.property(fc.array(cidr, { maxLength: 8 }), (ranges) => {
      const parsed = parseIpRanges(ranges.join(" ; "))
      expect(parsed.ok && formatIpRanges(parsed.value)).toBe(ranges.join(";"))
    }))
  })

  it("the same list with ',' instead of ';' is refused with a hint", () => {
    fc.assert(fc.property(fc.array(cidr, { minLength: 2, maxLength: 8 }), (ranges) => {
      const parsed = parseIpRanges(ranges.join(","))
      expect(parsed.ok === false && parsed.expected).toContain("not ','")
    }))
  })
})

describe("name servers (dns-servers)", () => {
  const ipv4 = fc.ipV4()
  const ipv6 = fc.ipV6()
  const server = fc.oneof(
    fc.tuple(ipv4, fc.option(port)).map(([ip, p]) => ({ text: p === null ? ip : `${ip}:${p}`, ip, port: p ?? 53 })),
    fc.tuple(ipv6, fc.option(port)).map(([ip, p]) => ({ text: p === null ? ip : `[${ip}]:${p}`, ip, port: p ?? 53 }))
  )

  it("any list of IPs with or without ports reads as node:dns takes them, and reads back the same", () => {
    fc.assert(fc.property(fc.array(fc.tuple(server, space), { maxLength: 6 }), (items) => {
      const parsed = parseNameServers(items.map(([s, pad]) => `${pad}${s.text}${pad}`).join(";"))
      if (!parsed.ok) throw new Error(parsed.expected)
      const expected = [...new Set(items.map(([s]) =>
        s.port === 53 ? s.ip : s.ip.includes(":") ? `[${s.ip}]:${s.port}` : `${s.ip}:${s.port}`
      ))]
      expect(parsed.value).toEqual(expected)
      expect(parseNameServers(formatNameServers(parsed.value))).toEqual(parsed)
    }))
  })

  it("a host name anywhere in the list refuses the whole list", () => {
    fc.assert(fc.property(fc.array(server, { maxLength: 3 }), fc.domain(), (servers, name) => {
      expect(parseNameServers([...servers.map((s) => s.text), name].join(";")).ok).toBe(false)
    }))
  })
})
