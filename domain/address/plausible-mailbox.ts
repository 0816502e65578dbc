const encoder = new TextEncoder()
const utf8Length = (text: string): number => encoder.encode(text).length

/**
 * The least an address must be to be carried at all: one `@` with something on both sides,
 * no whitespace or control characters, at most 254 octets (RFC 5321 §4.5.3.1.3).
 */
export const isPlausibleMailbox = (address: string): boolean => {
  if (address.length === 0 || utf8Length(address) > 254) return false
  if (/[\s\x00-\x1f\x7f]/u.test(address)) return false
  const at = address.lastIndexOf("@")
  return at > 0 && at < address.length - 1 && address.indexOf("@") === at
}
