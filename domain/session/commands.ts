import type { ConnectionInfo } from "./connection.ts"

/** What a client (or the publishing step) asks of a session. */
export type SessionCommand =
  | { readonly _tag: "Connect"; readonly connection: ConnectionInfo }
  | { readonly _tag: "Ehlo"; readonly name: string }
  /** `address` is "" for the null sender `<>`; `size` is the SIZE= parameter when given */
  | { readonly _tag: "Mail"; readonly address: string; readonly size: number | undefined }
  | { readonly _tag: "Rcpt"; readonly address: string }
  | { readonly _tag: "Data" }
  /** the body has been received in full: `size` bytes */
  | { readonly _tag: "DataEnd"; readonly size: number }
  /** every recipient's JSON is durable; one message id per recipient, in recipient order */
  | { readonly _tag: "Published"; readonly messageIds: ReadonlyArray<string> }
  | { readonly _tag: "PublishFailed"; readonly reason: string }
  | { readonly _tag: "Rset" }
  | { readonly _tag: "Quit" }

export const Command = {
  connect: (connection: ConnectionInfo): SessionCommand => ({ _tag: "Connect", connection }),
  ehlo: (name: string): SessionCommand => ({ _tag: "Ehlo", name }),
  mail: (address: string, size?: number): SessionCommand => ({ _tag: "Mail", address, size }),
  rcpt: (address: string): SessionCommand => ({ _tag: "Rcpt", address }),
  data: { _tag: "Data" } as SessionCommand,
  dataEnd: (size: number): SessionCommand => ({ _tag: "DataEnd", size }),
  published: (messageIds: ReadonlyArray<string>): SessionCommand => ({ _tag: "Published", messageIds }),
  publishFailed: (reason: string): SessionCommand => ({ _tag: "PublishFailed", reason }),
  rset: { _tag: "Rset" } as SessionCommand,
  quit: { _tag: "Quit" } as SessionCommand
} as const
