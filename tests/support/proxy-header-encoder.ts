import ipaddr from "ipaddr.js"
import type { ProxyHeader } from "../../domain/proxy/proxy-header.ts"

/** Test-only: writes headers the way HAProxy does, straight from proxy-protocol.txt, without the parser's code. */

/** `PROXY TCP4|TCP6 src dst sport dport\r\n`, or `PROXY UNKNOWN\r\n` when there are no addresses (v1 has no LOCAL). */
export const encodeProxyV1 = (header: ProxyHeader): Uint8Array => {
  const { source, destination } = header
  const line =
    header.transport === "unknown" || source === undefined || destination === undefined
      ? "PROXY UNKNOWN"
      : `PROXY ${header.transport.toUpperCase()} ${source.ip} ${destination.ip} ${source.port} ${destination.port}`
  return new TextEncoder().encode(`${line}\r\n`)
}

export const V2_SIGNATURE = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]

const FAMILY_BYTE = { tcp4: 0x11, tcp6: 0x21, unknown: 0x00 } as const

/** Signature, 0x2 version | command, family, big-endian length, addresses, then the given TLV bytes. */
export const encodeProxyV2 = (header: ProxyHeader, tlvs: Uint8Array = new Uint8Array()): Uint8Array => {
  const block = [...addressBytes(header), ...tlvs]
  return Uint8Array.from([
    ...V2_SIGNATURE,
    header.command === "proxy" ? 0x21 : 0x20,
    FAMILY_BYTE[header.transport],
    ...uint16(block.length),
    ...block
  ])
}

/** One TLV: type byte, big-endian length, value. */
export const encodeTlv = (type: number, value: Uint8Array): Uint8Array => Uint8Array.from([type, ...uint16(value.length), ...value])

const addressBytes = (header: ProxyHeader): Array<number> => {
  const { source, destination } = header
  if (header.transport === "unknown" || source === undefined || destination === undefined) return []
  const ip = header.transport === "tcp4" ? ipv4Bytes : ipv6Bytes
  return [...ip(source.ip), ...ip(destination.ip), ...uint16(source.port), ...uint16(destination.port)]
}

const ipv4Bytes = (text: string): Array<number> => text.split(".").map(Number)

/** IPv4 text in a tcp6 header is sent IPv4-mapped (::ffff:a.b.c.d), as a dual-stack proxy would. */
const ipv6Bytes = (text: string): Array<number> => ipaddr.IPv6.parse(text.includes(":") ? text : `::ffff:${text}`).toByteArray()

const uint16 = (value: number): Array<number> => [value >> 8, value & 0xff]
