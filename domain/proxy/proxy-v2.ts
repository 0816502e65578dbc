import ipaddr from "ipaddr.js"
import type { Endpoint, ProxyHeader, ProxyParse } from "./proxy-header.ts"

/** Version 2 is binary: this signature, version/command, family/protocol, a big-endian length, then that many bytes. */
export const PROXY_V2_SIGNATURE: Uint8Array = Uint8Array.of(
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
)

const VERSION_AND_COMMAND = 12
const FAMILY_AND_PROTOCOL = 13
const LENGTH = 14
const FIXED_PART_LENGTH = 16

/**
 * The length field allows 65535 bytes of addresses and TLVs. Proxies send a few hundred at most,
 * and a connection that is not yet admitted should not make us buffer more than this.
 */
export const MAX_V2_BLOCK_LENGTH = 2048

const COMMANDS: ReadonlyMap<number, ProxyHeader["command"]> = new Map([
  [0x0, "local"],
  [0x1, "proxy"]
])

interface Family {
  readonly transport: ProxyHeader["transport"]
  /** The bytes the family's addresses take at the start of the block; TLVs may follow. */
  readonly addressLength: number
}

const UNSPEC: Family = { transport: "unknown", addressLength: 0 }

/** Every protocol byte the spec defines. Only TCP is relayed; the others fall back to UNSPEC, as the spec allows. */
const FAMILIES: ReadonlyMap<number, Family> = new Map([
  [0x00, UNSPEC],
  [0x11, { transport: "tcp4", addressLength: 4 + 4 + 2 + 2 }],
  [0x12, { transport: "unknown", addressLength: 4 + 4 + 2 + 2 }], // UDP over IPv4
  [0x21, { transport: "tcp6", addressLength: 16 + 16 + 2 + 2 }],
  [0x22, { transport: "unknown", addressLength: 16 + 16 + 2 + 2 }], // UDP over IPv6
  [0x31, { transport: "unknown", addressLength: 108 + 108 }], // unix stream
  [0x32, { transport: "unknown", addressLength: 108 + 108 }] // unix datagram
])

/** Expects bytes that begin like PROXY_V2_SIGNATURE (parseProxyHeader checks that); each field is judged as soon as it arrives. */
export const parseProxyV2 = (bytes: Uint8Array): ProxyParse => {
  const versionAndCommand = bytes[VERSION_AND_COMMAND]
  if (versionAndCommand === undefined) return INCOMPLETE
  const version = versionAndCommand >> 4
  if (version !== 2) return invalid(`version ${version}, expected 2`)
  const command = COMMANDS.get(versionAndCommand & 0x0f)
  if (command === undefined) return invalid(`unknown command ${versionAndCommand & 0x0f}`)

  const familyAndProtocol = bytes[FAMILY_AND_PROTOCOL]
  if (familyAndProtocol === undefined) return INCOMPLETE
  // LOCAL is the proxy's own connection (a health check): the spec has the family ignored and the socket's addresses stand.
  const family = command === "local" ? UNSPEC : FAMILIES.get(familyAndProtocol)
  if (family === undefined) return invalid(`unknown family/protocol 0x${familyAndProtocol.toString(16)}`)

  if (bytes.length < FIXED_PART_LENGTH) return INCOMPLETE
  const blockLength = readUint16(bytes, LENGTH)
  if (blockLength > MAX_V2_BLOCK_LENGTH) {
    return invalid(`${blockLength} bytes of addresses and TLVs, more than ${MAX_V2_BLOCK_LENGTH}`)
  }
  const length = FIXED_PART_LENGTH + blockLength
  if (bytes.length < length) return INCOMPLETE

  const block = bytes.subarray(FIXED_PART_LENGTH, length)
  if (block.length < family.addressLength) {
    return invalid(`${block.length} bytes cannot hold the addresses, which need ${family.addressLength}`)
  }
  switch (family.transport) {
    case "tcp4":
      return parsed(command, { transport: "tcp4", ...readEndpoints(block, 4) }, length)
    case "tcp6":
      return parsed(command, { transport: "tcp6", ...readEndpoints(block, 16) }, length)
    case "unknown":
      return parsed(command, NO_ADDRESSES, length)
  }
}

type Addresses = Pick<ProxyHeader, "transport" | "source" | "destination">

const NO_ADDRESSES: Addresses = { transport: "unknown", source: undefined, destination: undefined }

/** Source IP, destination IP, source port, destination port, in network byte order. */
const readEndpoints = (block: Uint8Array, ipLength: number): Pick<ProxyHeader, "source" | "destination"> => ({
  source: endpoint(block.subarray(0, ipLength), readUint16(block, 2 * ipLength)),
  destination: endpoint(block.subarray(ipLength, 2 * ipLength), readUint16(block, 2 * ipLength + 2))
})

const endpoint = (ipBytes: Uint8Array, port: number): Endpoint => ({ ip: ipText(ipBytes), port })

const ipText = (ipBytes: Uint8Array): string => {
  const address = ipaddr.fromByteArray(Array.from(ipBytes))
  return address instanceof ipaddr.IPv6 && address.isIPv4MappedAddress()
    ? address.toIPv4Address().toString()
    : address.toString()
}

/** Callers have checked that both bytes are there. */
const readUint16 = (bytes: Uint8Array, offset: number): number =>
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint16(offset)

const parsed = (command: ProxyHeader["command"], addresses: Addresses, length: number): ProxyParse => ({
  _tag: "Parsed",
  header: { version: 2, command, ...addresses },
  length
})

const INCOMPLETE: ProxyParse = { _tag: "Incomplete" }

const invalid = (reason: string): ProxyParse => ({ _tag: "Invalid", reason: `PROXY v2: ${reason}` })
