/** Whether a mailbox may be carried, and if not, a short reason fit for an SMTP reply text. */
export type AddressVerdict = { readonly valid: true } | { readonly valid: false; readonly reason: string }

export const VALID: AddressVerdict = { valid: true }

export const invalid = (reason: string): AddressVerdict => ({ valid: false, reason })
