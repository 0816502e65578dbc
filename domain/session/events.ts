import type { MailDsn, RecipientDsn } from "./dsn-parameters.ts"
import type { AuthRefusal, Departure } from "./commands.ts"
import type { ConnectionInfo, TlsInfo } from "./connection.ts"
import type { Reply } from "./reply.ts"

/** Why a connection was refused at its start. */
export type ConnectionRefusal = "range" | "blocked" | "early-talker"

/** Why a message that arrived in full was refused (5xx at the end of DATA). */
export type MessageRefusal = "size" | "bare-line-ending" | "nul" | "too-large-for-broker" | "memory" | "authentication"

/** Why the server ended a session. */
export type Closing =
  | "quit"
  | "timeout"
  | "shutdown"
  | "too-many-unrecognized"
  | "too-many-errors"
  | "too-many-junk"
  | "line-too-long"
  | "http-request"

/**
 * What happened in a session: the record a session keeps (its journal), that its log lines and
 * metrics are derived from, and that `replay` turns back into its state. Every event that answers
 * the client carries the reply; none carries message content or credentials.
 */
export type SessionEvent =
  | { readonly _tag: "ConnectionAccepted"; readonly connection: ConnectionInfo; readonly reply: Reply }
  | {
    readonly _tag: "ConnectionRefused"
    readonly connection: ConnectionInfo
    readonly reason: ConnectionRefusal
    readonly reply: Reply
  }
  /** 220 to STARTTLS: the handshake starts, nothing is read as a command until it ends */
  | { readonly _tag: "TlsStarting"; readonly reply: Reply }
  /** RFC 3207 §4.2: the session starts over on the secured connection (EHLO again, no transaction) */
  | { readonly _tag: "ConnectionSecured"; readonly tls: TlsInfo }
  | { readonly _tag: "Greeted"; readonly name: string; readonly extended: boolean; readonly reply: Reply }
  /** an AUTH exchange began; no reply when the client gave its response with the command */
  | { readonly _tag: "AuthStarted"; readonly mechanism: string; readonly reply: Reply | undefined }
  | { readonly _tag: "AuthChallenged"; readonly reply: Reply }
  | { readonly _tag: "UserAuthenticated"; readonly user: string; readonly reply: Reply }
  | { readonly _tag: "AuthFailed"; readonly reason: AuthRefusal; readonly reply: Reply }
  /** `dsn`: RET and ENVID, when DSN is offered and they were given */
  | { readonly _tag: "SenderAccepted"; readonly address: string; readonly utf8: boolean; readonly dsn?: MailDsn; readonly reply: Reply }
  /**
   * `dsn`: NOTIFY and ORCPT, when DSN is offered and they were given; `provisional`: needs AUTH the
   * client did not give, taken only for rabbitmq-refused
   */
  | {
    readonly _tag: "RecipientAccepted"
    readonly address: string
    readonly local: boolean
    readonly provisional: boolean
    readonly dsn?: RecipientDsn
    readonly reply: Reply
  }
  | { readonly _tag: "DataStarted"; readonly reply: Reply }
  /** the body is complete and within limits: the message must now be published before anyone answers */
  | { readonly _tag: "MessageReceived"; readonly size: number }
  | { readonly _tag: "MessageQueued"; readonly messageIds: ReadonlyArray<string>; readonly brokerMs: number; readonly reply: Reply }
  | { readonly _tag: "MessageDeferred"; readonly reason: string; readonly reply: Reply }
  | { readonly _tag: "MessageRefused"; readonly reason: MessageRefusal; readonly size: number; readonly reply: Reply }
  /** a command answered without changing anything (NOOP, HELP, VRFY) */
  | { readonly _tag: "CommandAnswered"; readonly command: string; readonly reply: Reply }
  | { readonly _tag: "CommandRefused"; readonly command: string; readonly reply: Reply }
  | { readonly _tag: "CommandUnrecognized"; readonly verb: string; readonly reply: Reply }
  | { readonly _tag: "TransactionReset"; readonly reply: Reply }
  /** the server ends the session, with its last reply */
  | { readonly _tag: "SessionClosed"; readonly reason: Closing; readonly reply: Reply }
  /** the session ended without a word to the client */
  | { readonly _tag: "ClientLeft"; readonly reason: Departure }

export type EventTag = SessionEvent["_tag"]

/** The reply the client gets for a step: that of its last event that has one. */
export const replyOf = (events: ReadonlyArray<SessionEvent>): Reply | undefined => {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]
    if (event !== undefined && "reply" in event && event.reply !== undefined) return event.reply
  }
  return undefined
}
