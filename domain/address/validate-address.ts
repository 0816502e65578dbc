import type { AddressVerdict } from "./address-verdict.ts"
import { validateLooseMailbox } from "./loose-mailbox.ts"
import { validateStrictMailbox } from "./strict-mailbox.ts"

export type { AddressVerdict } from "./address-verdict.ts"

/** smtp-validate-address: `strict` (RFC 5321) or `loose`. */
export type AddressValidationMode = "strict" | "loose"

export interface AddressValidationOptions {
  readonly mode: AddressValidationMode
  /** The client gave SMTPUTF8 on MAIL FROM (RFC 6531): UTF-8 is allowed in the local part and in U-labels. */
  readonly utf8: boolean
}

/**
 * Whether a MAIL FROM or RCPT TO address may be carried. The null sender `<>` is the caller's
 * to handle; the empty string is invalid. Pure and total: never throws.
 */
export const validateMailbox = (address: string, options: AddressValidationOptions): AddressVerdict =>
  options.mode === "strict" ? validateStrictMailbox(address, options.utf8) : validateLooseMailbox(address)
