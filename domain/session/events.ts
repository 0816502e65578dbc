import type { ConnectionInfo, TlsInfo } from "./connection.ts"
import type { Reply } from "./reply.ts"

/** What happened in a session. Every event but ConnectionSecured and MessageReceived carries the client's reply. */
export type SessionEvent =
  | { readonly _tag: "ConnectionAccepted"; readonly connection: ConnectionInfo; readonly reply: Reply }
  /** `range`: outside smtp-range; `blocked`: on the blocked list, with smtp-protection */
  | {
    readonly _tag: "ConnectionRefused"
    readonly connection: ConnectionInfo
    readonly reason: "range" | "blocked"
    readonly reply: Reply
  }
  /** RFC 3207 §4.2: the session starts over on the secured connection (EHLO again, no transaction) */
  | { readonly _tag: "ConnectionSecured"; readonly tls: TlsInfo }
  | { readonly _tag: "Greeted"; readonly name: string; readonly reply: Reply }
  | { readonly _tag: "UserAuthenticated"; readonly user: string; readonly reply: Reply }
  | { readonly _tag: "SenderAccepted"; readonly address: string; readonly utf8: boolean; readonly reply: Reply }
  | { readonly _tag: "RecipientAccepted"; readonly address: string; readonly local: boolean; readonly reply: Reply }
  | { readonly _tag: "DataStarted"; readonly reply: Reply }
  /** the body is complete and within limits: the message must now be published before anyone answers */
  | { readonly _tag: "MessageReceived"; readonly size: number }
  | { readonly _tag: "MessageQueued"; readonly messageIds: ReadonlyArray<string>; readonly reply: Reply }
  | { readonly _tag: "MessageDeferred"; readonly reason: string; readonly reply: Reply }
  | { readonly _tag: "MessageRefused"; readonly reply: Reply }
  | { readonly _tag: "CommandRefused"; readonly command: string; readonly reply: Reply }
  | { readonly _tag: "TransactionReset"; readonly reply: Reply }
  | { readonly _tag: "SessionClosed"; readonly reply: Reply }

export const replyOf = (events: ReadonlyArray<SessionEvent>): Reply | undefined => {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]
    if (event !== undefined && "reply" in event) return event.reply
  }
  return undefined
}
