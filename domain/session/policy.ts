import type { AddressValidationMode } from "../address/validate-address.ts"
import type { IpRange } from "../ip/ip-range.ts"

/** The settings the session rules depend on. */
export interface SessionPolicy {
  /** name in the greeting and the Received header */
  readonly hostname: string
  /** who may connect; empty admits nobody */
  readonly allowedRanges: ReadonlyArray<IpRange>
  /** bytes */
  readonly maxSize: number
  readonly maxRecipients: number
  /** smtp-validate-address */
  readonly addressValidation: AddressValidationMode
  /** smtp-auth is set: an unauthenticated client may only send to local addresses */
  readonly authRequired: boolean
  /** smtp-protection: clients on the blocked list are refused */
  readonly protection: boolean
}

/** RFC 5321 §4.5.3.1.8 asks for at least 100; a mailing-list submission may carry many more. */
export const DEFAULT_MAX_RECIPIENTS = 1000
