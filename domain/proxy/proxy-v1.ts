import ipaddr from "ipaddr.js"
import type { Endpoint, ProxyHeader, ProxyParse } from "./proxy-header.ts"

/** Version 1 is one text line: `PROXY TCP4|TCP6 <src ip> <dst ip> <src port> <dst port>\r\n` or `PROXY UNKNOWN ...\r\n`. */
export const PROXY_V1_PREFIX: Uint8Array = new TextEncoder().encode("PROXY ")

/** The spec's worst case, `PROXY UNKNOWN` followed by two full IPv6 addresses and ports, CRLF included. */
const MAX_LINE_LENGTH = 107
const CR = 0x0d
const LF = 0x0a

const OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
/** Only plain dotted-quad: legacy forms like `010.1.1.1` (octal) or `10.1` would name another address than the text suggests. */
const DOTTED_QUAD = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`)
const PORT = /^(0|[1-9][0-9]{0,4})$/

/** Expects bytes that begin like PROXY_V1_PREFIX (parseProxyHeader checks that). */
export const parseProxyV1 = (bytes: Uint8Array): ProxyParse => {
  const window = bytes.subarray(0, MAX_LINE_LENGTH)
  const lineBreak = window.findIndex((byte) => byte === CR || byte === LF)
  if (lineBreak === -1) {
    return window.length < MAX_LINE_LENGTH ? INCOMPLETE : invalid(`no CRLF within ${MAX_LINE_LENGTH} bytes`)
  }
  if (window[lineBreak] !== CR) return invalid("the line ends with a bare LF, not CRLF")
  const afterCr = window[lineBreak + 1]
  if (afterCr === undefined) {
    return window.length < MAX_LINE_LENGTH ? INCOMPLETE : invalid(`the line is longer than ${MAX_LINE_LENGTH} bytes`)
  }
  if (afterCr !== LF) return invalid("CR is not followed by LF")
  // latin1 decodes every byte, so garbage stays garbage instead of failing the decoder.
  const line = new TextDecoder("latin1").decode(window.subarray(0, lineBreak))
  return readLine(line, lineBreak + 2)
}

const readLine = (line: string, length: number): ProxyParse => {
  if (line === "PROXY UNKNOWN" || line.startsWith("PROXY UNKNOWN ")) {
    return parsed({ transport: "unknown", source: undefined, destination: undefined }, length)
  }
  const fields = line.split(" ")
  if (fields.length !== 6) return invalid("expected PROXY, protocol, two addresses and two ports, separated by single spaces")
  const [, protocol = "", sourceIp = "", destinationIp = "", sourcePort = "", destinationPort = ""] = fields
  const isAddress = ADDRESS_CHECKS.get(protocol)
  if (isAddress === undefined) return invalid(`unknown protocol "${protocol}"`)
  if (!isAddress(sourceIp) || !isAddress(destinationIp)) return invalid(`an address is not ${protocol} text`)
  if (!isPort(sourcePort) || !isPort(destinationPort)) return invalid("a port is not a decimal number from 0 to 65535")
  return parsed(
    {
      transport: protocol === "TCP4" ? "tcp4" : "tcp6",
      source: endpoint(sourceIp, sourcePort),
      destination: endpoint(destinationIp, destinationPort)
    },
    length
  )
}

const isIpv4Text = (text: string): boolean => DOTTED_QUAD.test(text)

/** ipaddr.js also accepts zone ids (`fe80::1%eth0`) and legacy IPv4 in the embedded tail; the PROXY line does not. */
const isIpv6Text = (text: string): boolean =>
  /^[0-9A-Fa-f:.]+$/.test(text) &&
  ipaddr.IPv6.isValid(text) &&
  (!text.includes(".") || isIpv4Text(text.slice(text.lastIndexOf(":") + 1)))

const ADDRESS_CHECKS: ReadonlyMap<string, (text: string) => boolean> = new Map([
  ["TCP4", isIpv4Text],
  ["TCP6", isIpv6Text]
])

const isPort = (text: string): boolean => PORT.test(text) && Number(text) <= 65535

const endpoint = (ip: string, port: string): Endpoint => ({ ip: ipaddr.process(ip).toString(), port: Number(port) })

const parsed = (addresses: Pick<ProxyHeader, "transport" | "source" | "destination">, length: number): ProxyParse => ({
  _tag: "Parsed",
  header: { version: 1, command: "proxy", ...addresses },
  length
})

const INCOMPLETE: ProxyParse = { _tag: "Incomplete" }

const invalid = (reason: string): ProxyParse => ({ _tag: "Invalid", reason: `PROXY v1: ${reason}` })
