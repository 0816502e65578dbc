import { PROXY_V1_PREFIX, parseProxyV1 } from "./proxy-v1.ts"
import { PROXY_V2_SIGNATURE, parseProxyV2 } from "./proxy-v2.ts"

export interface Endpoint {
  readonly ip: string
  readonly port: number
}

/**
 * What a proxy says about the connection it relays (SPEC §9). `source` and `destination` are set
 * only for a PROXY command over TCP; otherwise (LOCAL, UNKNOWN, UNSPEC, UDP, unix sockets) both are
 * undefined and the socket's own addresses stand. IPs are canonical text: IPv6 compressed
 * (RFC 5952), IPv4-mapped IPv6 written as the IPv4 address it carries.
 */
export interface ProxyHeader {
  readonly version: 1 | 2
  readonly command: "proxy" | "local"
  readonly transport: "tcp4" | "tcp6" | "unknown"
  readonly source: Endpoint | undefined
  readonly destination: Endpoint | undefined
}

export type ProxyParse =
  | { readonly _tag: "Incomplete" }
  | { readonly _tag: "Invalid"; readonly reason: string }
  /** `length` bytes were the header; whatever follows them is SMTP. */
  | { readonly _tag: "Parsed"; readonly header: ProxyHeader; readonly length: number }

/**
 * Reads the PROXY header (v1 or v2) that a proxied connection starts with, from all bytes received
 * so far. Incomplete means: receive more and call again with everything. The verdict comes as soon
 * as the bytes decide it, so a client that speaks SMTP straight away is refused without waiting.
 */
export const parseProxyHeader = (bytes: Uint8Array): ProxyParse => {
  if (beginsLike(bytes, PROXY_V1_PREFIX)) return parseProxyV1(bytes)
  if (beginsLike(bytes, PROXY_V2_SIGNATURE)) return parseProxyV2(bytes)
  return { _tag: "Invalid", reason: "the connection did not start with a PROXY header" }
}

/** The bytes so far do not contradict `expected`: they are a prefix of it, or it is a prefix of them. */
const beginsLike = (bytes: Uint8Array, expected: Uint8Array): boolean =>
  bytes.subarray(0, expected.length).every((byte, index) => byte === expected[index])
