import { type AddressVerdict, invalid, VALID } from "./address-verdict.ts"
import { describeCharacter, isControlCharacter, isLongerThan } from "./characters.ts"

/** What every address must be, strict or loose: non-empty, not too long, no controls, well-formed Unicode. */
export const validateWholeAddress = (address: string, maxOctets: number): AddressVerdict => {
  if (address === "") return invalid("address is empty")
  if (isLongerThan(address, maxOctets)) return invalid(`address longer than ${maxOctets} octets`)
  for (const char of address) {
    if (isControlCharacter(char)) return invalid(`address contains control character ${describeCharacter(char)}`)
  }
  // A lone surrogate cannot come off the wire as UTF-8, and would not survive being published as JSON.
  if (!address.isWellFormed()) return invalid("address is not well-formed Unicode")
  return VALID
}
