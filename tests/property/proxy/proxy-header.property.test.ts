import fc from "fast-check"
import ipaddr from "ipaddr.js"
import { describe, expect, it } from "vitest"
import { parseProxyHeader } from "../../../domain/proxy/proxy-header.ts"
import type { ProxyHeader } from "../../../domain/proxy/proxy-header.ts"
import { V2_SIGNATURE, encodeProxyV1, encodeProxyV2, encodeTlv } from "../../support/proxy-header-encoder.ts"

const port = fc.integer({ min: 0, max: 65535 })
const endpoint = (ip: fc.Arbitrary<string>) => fc.record({ ip, port })
const tcpHeader = (version: 1 | 2, transport: "tcp4" | "tcp6", ip: fc.Arbitrary<string>): fc.Arbitrary<ProxyHeader> =>
  fc.record({
    version: fc.constant(version),
    command: fc.constant("proxy" as const),
    transport: fc.constant(transport),
    source: endpoint(ip),
    destination: endpoint(ip)
  })
const tcpHeaders = (version: 1 | 2) => fc.oneof(tcpHeader(version, "tcp4", fc.ipV4()), tcpHeader(version, "tcp6", fc.ipV6()))

const tlv = fc.tuple(fc.nat(255), fc.uint8Array({ maxLength: 40 })).map(([type, value]) => encodeTlv(type, value))
const tlvs = fc.array(tlv, { maxLength: 4 }).map((list) => Uint8Array.from(list.flatMap((one) => Array.from(one))))

/** A header with its encoding, in either version; v2 sometimes carries TLVs. */
const encodedHeader = fc.oneof(
  tcpHeaders(1).map((header) => ({ header, bytes: encodeProxyV1(header) })),
  fc.tuple(tcpHeaders(2), tlvs).map(([header, extra]) => ({ header, bytes: encodeProxyV2(header, extra) }))
)

const trailing = fc.uint8Array({ maxLength: 64 })
const concat = (...parts: Array<Uint8Array | ArrayLike<number>>): Uint8Array => Uint8Array.from(parts.flatMap((part) => Array.from(part)))

/** The parser reports canonical IP text: IPv6 compressed (RFC 5952), IPv4-mapped as IPv4. */
const canonicalIp = (ip: string): string => ipaddr.process(ip).toString()
const expectedHeader = (header: ProxyHeader): ProxyHeader => ({
  ...header,
  source: header.source && { ...header.source, ip: canonicalIp(header.source.ip) },
  destination: header.destination && { ...header.destination, ip: canonicalIp(header.destination.ip) }
})

describe("PROXY header parsing, for any header", () => {
  it("what the encoder writes parses back to the same header, whatever follows it, consuming exactly the header", () => {
    fc.assert(fc.property(encodedHeader, trailing, ({ header, bytes }, after) => {
      expect(parseProxyHeader(concat(bytes, after))).toEqual({ _tag: "Parsed", header: expectedHeader(header), length: bytes.length })
    }))
  })

  it("v1 and v2 say the same about the same connection", () => {
    fc.assert(fc.property(tcpHeaders(1), (header) => {
      const v1 = parseProxyHeader(encodeProxyV1(header))
      const v2 = parseProxyHeader(encodeProxyV2({ ...header, version: 2 }))
      if (v1._tag !== "Parsed" || v2._tag !== "Parsed") expect.fail(`not parsed: ${JSON.stringify([v1, v2])}`)
      expect({ ...v2.header, version: 1 }).toEqual(v1.header)
    }))
  })

  it("fed in arbitrary chunks, it is Incomplete until the whole header is there, then Parsed", () => {
    const chunked = encodedHeader.chain(({ header, bytes }) =>
      fc.record({
        header: fc.constant(header),
        bytes: fc.constant(bytes),
        after: trailing,
        chunkSizes: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 60 })
      })
    )
    fc.assert(fc.property(chunked, ({ header, bytes, after, chunkSizes }) => {
      const stream = concat(bytes, after)
      let received = 0
      for (const size of [...chunkSizes, stream.length]) {
        received = Math.min(stream.length, received + size)
        const result = parseProxyHeader(stream.subarray(0, received))
        if (received < bytes.length) expect(result).toEqual({ _tag: "Incomplete" })
        else expect(result).toEqual({ _tag: "Parsed", header: expectedHeader(header), length: bytes.length })
      }
    }))
  })
})

/** A v1 line whose fields are sometimes right, sometimes nearly right, sometimes garbage. */
const v1Field = (...plausible: Array<fc.Arbitrary<string>>) => fc.oneof(...plausible, fc.string({ maxLength: 12 }))
const plausibleV1 = fc
  .tuple(
    v1Field(fc.constantFrom("TCP4", "TCP6", "UNKNOWN")),
    v1Field(fc.ipV4(), fc.ipV4Extended(), fc.ipV6()),
    v1Field(fc.ipV4(), fc.ipV4Extended(), fc.ipV6()),
    v1Field(port.map(String), fc.integer({ min: -1, max: 70000 }).map(String)),
    v1Field(port.map(String), fc.integer({ min: -1, max: 70000 }).map(String))
  )
  .map((fields) => new TextEncoder().encode(`PROXY ${fields.join(" ")}\r\n`))

/** A v2 fixed part with mostly valid fields and a length near the bytes that follow. */
const plausibleV2 = fc
  .tuple(
    fc.constantFrom(0x20, 0x21, 0x11, 0x2f),
    fc.constantFrom(0x00, 0x11, 0x12, 0x21, 0x22, 0x31, 0x32, 0x41),
    fc.uint8Array({ maxLength: 300, size: "max" }),
    fc.integer({ min: -8, max: 8 })
  )
  .map(([versionAndCommand, family, rest, slack]) => {
    const length = Math.max(0, rest.length + slack)
    return concat(V2_SIGNATURE, [versionAndCommand, family, length >> 8, length & 0xff], rest)
  })

/** Bytes that get past the first checks: the v1 prefix, the v2 signature, or a plausible header. */
const hostileInput = fc.oneof(
  fc.uint8Array({ maxLength: 300, size: "max" }),
  fc.uint8Array({ maxLength: 300, size: "max" }).map((rest) => concat(new TextEncoder().encode("PROXY "), rest)),
  fc.uint8Array({ maxLength: 300, size: "max" }).map((rest) => concat(V2_SIGNATURE, rest)),
  plausibleV1,
  plausibleV2
)

describe("PROXY header parsing, for any bytes", () => {
  it("never throws, and a Parsed length is within the input and at least a minimal header", () => {
    fc.assert(fc.property(hostileInput, (bytes) => {
      const result = parseProxyHeader(bytes)
      expect(["Incomplete", "Invalid", "Parsed"]).toContain(result._tag)
      if (result._tag === "Parsed") {
        expect(result.length).toBeLessThanOrEqual(bytes.length)
        expect(result.length).toBeGreaterThanOrEqual("PROXY UNKNOWN\r\n".length)
      }
    }), { numRuns: 2000 })
  })

  it("what is Parsed stays Parsed, with the same header and length, when more bytes arrive", () => {
    fc.assert(fc.property(hostileInput, trailing, (bytes, after) => {
      const result = parseProxyHeader(bytes)
      if (result._tag === "Parsed") expect(parseProxyHeader(concat(bytes, after))).toEqual(result)
    }), { numRuns: 2000 })
  })

  it("what is Invalid stays Invalid when more bytes arrive", () => {
    fc.assert(fc.property(hostileInput, trailing, (bytes, after) => {
      if (parseProxyHeader(bytes)._tag === "Invalid") expect(parseProxyHeader(concat(bytes, after))._tag).toBe("Invalid")
    }), { numRuns: 2000 })
  })
})
