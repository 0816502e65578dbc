import { isAddressLiteral, validateAddressLiteral } from "./address-literal.ts"
import { type AddressVerdict, invalid } from "./address-verdict.ts"
import { validateDomain } from "./domain-name.ts"
import { validateLocalPart } from "./local-part.ts"
import { splitMailbox } from "./split-mailbox.ts"
import { validateWholeAddress } from "./whole-address.ts"

/** RFC 5321 §4.5.3.1.3: a path is at most 256 octets, and two of them are its angle brackets. */
export const MAX_ADDRESS_OCTETS = 254

const NON_ASCII = /[^\x00-\x7f]/

/** RFC 5321 §4.1.2 Mailbox, extended by RFC 6531 when the client uses SMTPUTF8. */
export const validateStrictMailbox = (address: string, utf8: boolean): AddressVerdict => {
  const whole = validateWholeAddress(address, MAX_ADDRESS_OCTETS)
  if (!whole.valid) return whole
  if (!utf8 && NON_ASCII.test(address)) return invalid("address contains non-ASCII characters, which need SMTPUTF8")
  const split = splitMailbox(address)
  if (!split.split) return invalid(split.reason)
  const localPart = validateLocalPart(split.localPart, utf8)
  if (!localPart.valid) return localPart
  return isAddressLiteral(split.domain) ? validateAddressLiteral(split.domain) : validateDomain(split.domain, utf8)
}
