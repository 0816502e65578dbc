import { endOfQuotedString } from "./local-part.ts"

export type MailboxSplit =
  | { readonly split: true; readonly localPart: string; readonly domain: string }
  | { readonly split: false; readonly reason: string }

/** Mailbox = Local-part "@" ( Domain / address-literal ), where a quoted local part may itself contain "@". */
export const splitMailbox = (address: string): MailboxSplit => {
  const at = address.startsWith("\"") ? endOfQuotedString(address) : address.indexOf("@")
  if (at === undefined) return { split: false, reason: "quoted local part is not closed" }
  if (at === -1 || at === address.length) return { split: false, reason: "address has no @" }
  if (address[at] !== "@") return { split: false, reason: "local part continues after its closing quote" }
  const domain = address.slice(at + 1)
  if (domain.includes("@")) return { split: false, reason: "address contains more than one @ outside quotes" }
  return { split: true, localPart: address.slice(0, at), domain }
}
