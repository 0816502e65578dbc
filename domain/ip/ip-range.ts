import ipaddr from "ipaddr.js"

/** One CIDR range (a single address is a /32 or /128), kept with the text it was written as. */
export interface IpRange {
  readonly text: string
  readonly network: string
  readonly prefix: number
}

/**
 * Remembers the answers of a pure function of a string, up to `limit` of them (then starts over):
 * every connection asks about the same few local addresses and mostly repeat clients, and
 * parsing an address is the costly part of a range check.
 */
const remembered = <A>(limit: number, compute: (text: string) => A): ((text: string) => A) => {
  const answers = new Map<string, A>()
  return (text) => {
    if (answers.has(text)) return answers.get(text) as A
    if (answers.size >= limit) answers.clear()
    const answer = compute(text)
    answers.set(text, answer)
    return answer
  }
}

const REMEMBERED_ADDRESSES = 4096

/** IPv4-mapped IPv6 (::ffff:1.2.3.4) is the IPv4 address it carries: clients on a dual-stack socket arrive that way. */
export const normalizeIp = (text: string): string | undefined => normalizedIp(text)

const parsedIp = remembered(REMEMBERED_ADDRESSES, (normalized: string) => ipaddr.parse(normalized))

const normalizedIp = remembered(REMEMBERED_ADDRESSES, (text: string): string | undefined => {
  const trimmed = text.trim().replace(/^\[(.*)\]$/, "$1")
  // Only dotted-quad IPv4: legacy forms like `10.1`, `0x7f.0.0.1` or `010.0.0.0` (octal: 8.0.0.0)
  // would let an smtp-range admit a network the operator did not mean.
  if (!ipaddr.IPv4.isValidFourPartDecimal(trimmed) && !ipaddr.IPv6.isValid(trimmed)) return undefined
  if (/(^|\.)0\d/.test(trimmed) && !trimmed.includes(":")) return undefined
  try {
    return ipaddr.process(trimmed).toString()
  } catch {
    return undefined
  }
})

export const isIp = (text: string): boolean => normalizeIp(text) !== undefined

export const parseIpRange = (text: string): IpRange | undefined => {
  const trimmed = text.trim()
  const slash = trimmed.indexOf("/")
  const addressText = slash === -1 ? trimmed : trimmed.slice(0, slash)
  const address = normalizeIp(addressText)
  if (address === undefined) return undefined
  const kind = ipaddr.parse(address).kind()
  const max = kind === "ipv4" ? 32 : 128
  let prefix = max
  if (slash !== -1) {
    const prefixText = trimmed.slice(slash + 1)
    if (!/^\d{1,3}$/.test(prefixText)) return undefined
    prefix = Number(prefixText)
    // A mapped IPv6 range (::ffff:10.0.0.0/104) is the IPv4 range it maps.
    if (kind === "ipv4" && ipaddr.parse(addressText).kind() === "ipv6") prefix -= 96
    if (prefix < 0 || prefix > max) return undefined
  }
  return { text: trimmed, network: address, prefix }
}

export const rangeContains = (range: IpRange, ip: string): boolean => {
  const address = normalizeIp(ip)
  if (address === undefined) return false
  const parsed = parsedIp(address)
  const network = parsedIp(range.network)
  if (parsed.kind() !== network.kind()) return false
  return parsed.match(network, range.prefix)
}

export const rangesContain = (ranges: ReadonlyArray<IpRange>, ip: string): boolean =>
  ranges.some((range) => rangeContains(range, ip))
