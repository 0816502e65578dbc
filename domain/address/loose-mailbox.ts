import { type AddressVerdict, invalid, VALID } from "./address-verdict.ts"
import { validateWholeAddress } from "./whole-address.ts"

export const MAX_LOOSE_ADDRESS_OCTETS = 1024

/**
 * Odd real-world addresses (`john..doe@example.com`, `a@b@c`) are carried so a later stage can
 * deal with them; only what no stage could use is refused.
 */
export const validateLooseMailbox = (address: string): AddressVerdict => {
  const whole = validateWholeAddress(address, MAX_LOOSE_ADDRESS_OCTETS)
  if (!whole.valid) return whole
  const at = address.lastIndexOf("@")
  if (at === -1) return invalid("address has no @")
  if (at === 0) return invalid("address has nothing before the @")
  if (at === address.length - 1) return invalid("address has nothing after the @")
  return VALID
}
