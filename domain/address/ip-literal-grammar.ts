/** The IP address forms of RFC 5321 §4.1.3 address literals. */

// Snum = 1*3DIGIT ; a decimal integer value in the range 0 through 255
// A leading zero is refused: many resolvers read `010` as octal (8), not the 10 RFC 5321 means.
const isSnum = (text: string): boolean => /^(0|[1-9][0-9]{0,2})$/.test(text) && Number(text) <= 255

/** IPv4-address-literal = Snum 3("." Snum) */
export const isIpv4AddressLiteral = (text: string): boolean => {
  const snums = text.split(".")
  return snums.length === 4 && snums.every(isSnum)
}

// IPv6-hex = 1*4HEXDIG
const isIpv6Hex = (text: string): boolean => /^[0-9A-Fa-f]{1,4}$/.test(text)

const IPV6_GROUPS = 8

/**
 * IPv6-full = IPv6-hex 7(":" IPv6-hex); IPv6-comp = [groups] "::" [groups].
 * The "::" may stand for a single zero group: RFC 5321 says at least two, but RFC 4291 allows
 * one and erratum 4315 (held for the next revision of RFC 5321) corrects the grammar to match.
 */
const isIpv6Groups = (text: string): boolean => {
  const halves = text.split("::")
  if (halves.length > 2) return false
  const groups = halves.flatMap((half) => half === "" ? [] : half.split(":"))
  if (!groups.every(isIpv6Hex)) return false
  return halves.length === 2 ? groups.length < IPV6_GROUPS : groups.length === IPV6_GROUPS
}

/** IPv6-addr = IPv6-full / IPv6-comp / IPv6v4-full / IPv6v4-comp */
export const isIpv6Addr = (text: string): boolean => {
  const lastGroup = text.slice(text.lastIndexOf(":") + 1)
  if (!lastGroup.includes(".")) return isIpv6Groups(text)
  // IPv6v4-full / IPv6v4-comp: the IPv4-address-literal stands in for the last two groups.
  return isIpv4AddressLiteral(lastGroup) && isIpv6Groups(`${text.slice(0, text.length - lastGroup.length)}0:0`)
}
