import { type AddressVerdict, invalid, VALID } from "./address-verdict.ts"
import { isIpv4AddressLiteral, isIpv6Addr } from "./ip-literal-grammar.ts"

export const isAddressLiteral = (domain: string): boolean => domain.startsWith("[")

// ABNF literal text is case-insensitive, so "ipv6:" is the same tag.
const IPV6_TAG = /^IPv6:/i

/**
 * address-literal = "[" ( IPv4-address-literal / IPv6-address-literal / General-address-literal ) "]"
 * No General-address-literal tag has ever been registered, so none can be delivered to.
 */
export const validateAddressLiteral = (literal: string): AddressVerdict => {
  if (!literal.endsWith("]") || literal.length < 2) return invalid("address literal is missing its closing bracket")
  const inner = literal.slice(1, -1)
  if (IPV6_TAG.test(inner)) {
    return isIpv6Addr(inner.slice("IPv6:".length)) ? VALID : invalid("address literal is not a valid IPv6 address")
  }
  if (inner.includes(":")) return invalid("general address literals are not supported, only IPv4 and IPv6")
  return isIpv4AddressLiteral(inner) ? VALID : invalid("address literal is not a valid IPv4 address")
}
