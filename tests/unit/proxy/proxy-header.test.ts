import { describe, expect, it } from "vitest"
import { parseProxyHeader } from "../../../domain/proxy/proxy-header.ts"
import type { ProxyHeader } from "../../../domain/proxy/proxy-header.ts"
import { V2_SIGNATURE, encodeProxyV1, encodeProxyV2, encodeTlv } from "../../support/proxy-header-encoder.ts"

const text = (line: string): Uint8Array => new TextEncoder().encode(line)
const concat = (...parts: Array<Uint8Array | ArrayLike<number>>): Uint8Array => Uint8Array.from(parts.flatMap((part) => Array.from(part)))
const hex = (digits: string): Uint8Array => Uint8Array.from(digits.match(/[0-9a-f]{2}/gi) ?? [], (pair) => parseInt(pair, 16))

const SIGNATURE = hex("0d0a0d0a000d0a515549540a")
const SMTP = text("EHLO client.example\r\n")

const tcp = (transport: "tcp4" | "tcp6", source: string, sourcePort: number, destination: string, destinationPort: number) =>
  ({ transport, source: { ip: source, port: sourcePort }, destination: { ip: destination, port: destinationPort } }) as const
const NO_ADDRESSES = { transport: "unknown", source: undefined, destination: undefined } as const
const header = (version: 1 | 2, command: "proxy" | "local", addresses: Pick<ProxyHeader, "transport" | "source" | "destination">): ProxyHeader =>
  ({ version, command, ...addresses })

const V4 = tcp("tcp4", "192.0.2.1", 56324, "198.51.100.2", 25)
const V6 = tcp("tcp6", "2001:db8::1", 56324, "2001:db8::2", 25)
const LONGEST_V1 = text(`PROXY UNKNOWN ${"ffff:".repeat(7)}ffff ${"ffff:".repeat(7)}ffff 65535 65535\r\n`)

const parsedCases: Array<[string, Uint8Array, ProxyHeader]> = [
  ["v1 TCP4", text("PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\n"), header(1, "proxy", V4)],
  ["v1 TCP6", text("PROXY TCP6 2001:db8::1 2001:db8::2 56324 25\r\n"), header(1, "proxy", V6)],
  [
    "v1 TCP6 written long-hand and in capitals, with an IPv4-mapped source",
    text("PROXY TCP6 ::FFFF:192.0.2.1 2001:DB8:0:0:0:0:0:2 56324 25\r\n"),
    header(1, "proxy", tcp("tcp6", "192.0.2.1", 56324, "2001:db8::2", 25))
  ],
  ["v1 ports 0 and 65535", text("PROXY TCP4 0.0.0.0 255.255.255.255 0 65535\r\n"), header(1, "proxy", tcp("tcp4", "0.0.0.0", 0, "255.255.255.255", 65535))],
  ["v1 UNKNOWN", text("PROXY UNKNOWN\r\n"), header(1, "proxy", NO_ADDRESSES)],
  ["v1 UNKNOWN with whatever follows, 107 bytes in all", LONGEST_V1, header(1, "proxy", NO_ADDRESSES)],
  ["v2 PROXY TCP4, bytes written by hand", concat(SIGNATURE, hex("2111000c c0000201 c6336402 dc04 0019")), header(2, "proxy", V4)],
  ["v2 PROXY TCP4", encodeProxyV2(header(2, "proxy", V4)), header(2, "proxy", V4)],
  ["v2 PROXY TCP6", encodeProxyV2(header(2, "proxy", V6)), header(2, "proxy", V6)],
  ["v2 LOCAL (a health check)", concat(SIGNATURE, hex("20000000")), header(2, "local", NO_ADDRESSES)],
  ["v2 LOCAL ignores the family and the addresses", encodeProxyV2(header(2, "local", V4)), header(2, "local", NO_ADDRESSES)],
  ["v2 LOCAL ignores even an unknown family", concat(SIGNATURE, hex("20ff0000")), header(2, "local", NO_ADDRESSES)],
  ["v2 PROXY UNSPEC", concat(SIGNATURE, hex("21000000")), header(2, "proxy", NO_ADDRESSES)],
  ["v2 PROXY UDP over IPv4 keeps the socket's addresses", concat(SIGNATURE, hex("2112000c c0000201 c6336402 dc04 0019")), header(2, "proxy", NO_ADDRESSES)],
  ["v2 PROXY unix stream keeps the socket's addresses", concat(SIGNATURE, hex("213100d8"), new Uint8Array(216)), header(2, "proxy", NO_ADDRESSES)],
  [
    "v2 PROXY TCP4 with TLVs, which are skipped",
    encodeProxyV2(header(2, "proxy", V4), concat(encodeTlv(0x02, text("mx.example")), encodeTlv(0x04, new Uint8Array(0)))),
    header(2, "proxy", V4)
  ],
  [
    "v2 PROXY TCP6 with IPv4-mapped addresses, reported as IPv4",
    concat(SIGNATURE, hex("21210024"), hex("00000000000000000000ffffc0000201"), hex("00000000000000000000ffffc6336402"), hex("dc040019")),
    header(2, "proxy", tcp("tcp6", "192.0.2.1", 56324, "198.51.100.2", 25))
  ]
]

const invalidCases: Array<[string, Uint8Array]> = [
  ["an SMTP command instead of a header", text("EHLO x\r\n")],
  ["a single byte that starts neither version", text("E")],
  ["PROXY in lower case", text("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n")],
  ["a v2 signature with one byte wrong", hex("0d0a0d0a000d0a5155495454")],
  ["v2 version 1", concat(SIGNATURE, hex("11"))],
  ["v2 version 3", concat(SIGNATURE, hex("31"))],
  ["v2 command 2", concat(SIGNATURE, hex("22"))],
  ["v2 PROXY with an unknown family", concat(SIGNATURE, hex("2141"))],
  ["v2 PROXY with an unknown transport", concat(SIGNATURE, hex("2113"))],
  ["v2 length 65535, judged before the bytes arrive", concat(SIGNATURE, hex("2111ffff"))],
  ["v2 length 2049", concat(SIGNATURE, hex("21110801"))],
  ["v2 TCP4 with too short an address block", concat(SIGNATURE, hex("21110008 c0000201 c6336402"))],
  ["v2 TCP6 with an IPv4-sized address block", concat(SIGNATURE, hex("2121000c c0000201 c6336402 dc04 0019"))],
  ["v2 unix with too short an address block", concat(SIGNATURE, hex("21310024"), new Uint8Array(36))],
  ["v1 line too long", text(`PROXY UNKNOWN ${"x".repeat(100)}\r\n`)],
  ["v1 107 bytes without CRLF", text(`PROXY UNKNOWN ${"x".repeat(93)}`)],
  ["v1 CR as byte 107, so CRLF would take 108", text(`PROXY UNKNOWN ${"x".repeat(92)}\r`)],
  ["v1 ending in a bare LF", text("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n")],
  ["v1 CR followed by something else", text("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rx")],
  ["v1 port 65536", text("PROXY TCP4 1.2.3.4 5.6.7.8 65536 25\r\n")],
  ["v1 port -1", text("PROXY TCP4 1.2.3.4 5.6.7.8 -1 25\r\n")],
  ["v1 port 01", text("PROXY TCP4 1.2.3.4 5.6.7.8 1 01\r\n")],
  ["v1 empty port", text("PROXY TCP4 1.2.3.4 5.6.7.8  25\r\n")],
  ["v1 IPv6 in TCP4", text("PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n")],
  ["v1 IPv4 in TCP6", text("PROXY TCP6 1.2.3.4 2001:db8::2 1 2\r\n")],
  ["v1 legacy IPv4 010.1.1.1", text("PROXY TCP4 010.1.1.1 5.6.7.8 1 2\r\n")],
  ["v1 IPv4 with a leading zero 1.2.3.04", text("PROXY TCP4 1.2.3.4 1.2.3.04 1 2\r\n")],
  ["v1 short IPv4 10.1", text("PROXY TCP4 10.1 5.6.7.8 1 2\r\n")],
  ["v1 hex IPv4", text("PROXY TCP4 0x7f.0.0.1 5.6.7.8 1 2\r\n")],
  ["v1 legacy IPv4 inside IPv6", text("PROXY TCP6 ::ffff:010.1.1.1 ::1 1 2\r\n")],
  ["v1 IPv6 with a zone id", text("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n")],
  ["v1 double space", text("PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n")],
  ["v1 trailing space", text("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n")],
  ["v1 missing a port", text("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n")],
  ["v1 unknown protocol", text("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n")],
  ["v1 a protocol name from Object.prototype", text("PROXY constructor a b 1 2\r\n")],
  ["v1 UNKNOWN run into the next word", text("PROXY UNKNOWNX\r\n")],
  ["v1 nothing after PROXY", text("PROXY \r\n")]
]

const incompleteCases: Array<[string, Uint8Array]> = [
  ["nothing yet", new Uint8Array(0)],
  ["part of PROXY", text("PRO")],
  ["a v1 line without its end", text("PROXY TCP4 192.0.2.1 198.51.100.2")],
  ["a v1 line with CR but not yet LF", text("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r")],
  ["part of the v2 signature", SIGNATURE.subarray(0, 5)],
  ["the v2 fixed part without its addresses", concat(SIGNATURE, hex("2111000c"))],
  ["v2 addresses cut short", concat(SIGNATURE, hex("2111000c c0000201"))]
]

describe("parseProxyHeader", () => {
  it.each(parsedCases)("parses %s", (_name, bytes, expected) => {
    expect(parseProxyHeader(bytes)).toEqual({ _tag: "Parsed", header: expected, length: bytes.length })
  })

  it.each(parsedCases)("leaves the SMTP bytes after %s unconsumed", (_name, bytes, expected) => {
    expect(parseProxyHeader(concat(bytes, SMTP))).toEqual({ _tag: "Parsed", header: expected, length: bytes.length })
  })

  it.each(parsedCases)("is Incomplete at every split point of %s", (_name, bytes) => {
    for (let cut = 0; cut < bytes.length; cut++) expect(parseProxyHeader(bytes.subarray(0, cut))).toEqual({ _tag: "Incomplete" })
  })

  it.each(invalidCases)("refuses %s", (_name, bytes) => {
    const result = parseProxyHeader(bytes)
    expect(result._tag).toBe("Invalid")
    if (result._tag === "Invalid") expect(result.reason).not.toBe("")
  })

  it.each(incompleteCases)("waits on %s", (_name, bytes) => {
    expect(parseProxyHeader(bytes)).toEqual({ _tag: "Incomplete" })
  })

  it("stops at the first CRLF of a v1 line", () => {
    const line = text("PROXY UNKNOWN\r\nPROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n")
    expect(parseProxyHeader(line)).toMatchObject({ _tag: "Parsed", length: 15 })
  })

  it("reads a header that sits inside a larger buffer", () => {
    const buffer = concat(text("junk"), encodeProxyV2(header(2, "proxy", V6)), SMTP)
    const view = buffer.subarray(4)
    expect(parseProxyHeader(view)).toEqual({ _tag: "Parsed", header: header(2, "proxy", V6), length: 52 })
  })

  it("the encoder writes what the spec's examples show", () => {
    expect(encodeProxyV1(header(1, "proxy", V4))).toEqual(text("PROXY TCP4 192.0.2.1 198.51.100.2 56324 25\r\n"))
    expect(encodeProxyV1(header(1, "proxy", NO_ADDRESSES))).toEqual(text("PROXY UNKNOWN\r\n"))
    expect(encodeProxyV2(header(2, "proxy", V4))).toEqual(concat(V2_SIGNATURE, hex("2111000c c0000201 c6336402 dc04 0019")))
    expect(encodeProxyV2(header(2, "local", NO_ADDRESSES))).toEqual(concat(V2_SIGNATURE, hex("20000000")))
  })
})
