import type { ConnectionInfo, TlsInfo } from "./connection.ts"
import type { DsnParsed, MailDsn, RecipientDsn } from "./dsn-parameters.ts"

/** Why an AUTH exchange did not authenticate anybody. */
export type AuthRefusal =
  /** the backend said the credentials are wrong */
  | "rejected"
  /** too many failures from this IP */
  | "throttled"
  /** the backend (or the throttle's store) could not answer */
  | "unavailable"
  /** the client sent `*` (RFC 4954 §4) */
  | "cancelled"
  /** the client's response is not base64, or not what the mechanism expects */
  | "malformed"

/** Why a session ends without the client asking for it. */
export type Departure =
  /** the client closed or reset the connection */
  | "disconnected"
  /** the TLS handshake after STARTTLS (or of an implicit-TLS port) failed */
  | "tls-failed"

/**
 * What a client (or the session's own machinery: the TLS handshake, the publisher, a timer) tells
 * a session. Everything the client sends on the wire arrives here as one of these, parsed by
 * `command-line.ts`; nothing is answered without the decider.
 */
export type SessionCommand =
  /** `blocked`: the client's IP is on the blocked list; `spokeTooSoon`: it sent before the greeting */
  | { readonly _tag: "Connect"; readonly connection: ConnectionInfo; readonly blocked: boolean; readonly spokeTooSoon: boolean }
  /** the TLS handshake (STARTTLS, or of an implicit-TLS port) completed */
  | { readonly _tag: "Secured"; readonly tls: TlsInfo }
  /** EHLO (`extended`) or HELO */
  | { readonly _tag: "Ehlo"; readonly name: string; readonly extended: boolean }
  /** `address` is "" for the null sender `<>`; `size` is the SIZE= parameter; `utf8` the SMTPUTF8 one (RFC 6531) */
  | {
    readonly _tag: "Mail"
    readonly address: string
    readonly size: number | undefined
    readonly utf8: boolean
    /** the names of every parameter given, upper case */
    readonly parameters: ReadonlyArray<string>
    /** BODY=, upper case, when given */
    readonly body?: string | undefined
    /** RET and ENVID (RFC 3461), when given: parsed, or why not */
    readonly dsn?: DsnParsed<MailDsn> | undefined
  }
  /** `local`: the address is on the local-address list; `dsn`: NOTIFY and ORCPT, when given */
  | {
    readonly _tag: "Rcpt"
    readonly address: string
    readonly local: boolean
    readonly parameters: ReadonlyArray<string>
    readonly dsn?: DsnParsed<RecipientDsn> | undefined
  }
  | { readonly _tag: "StartTls" }
  /** AUTH <mechanism> [initial-response]; the response itself never reaches the decider */
  | { readonly _tag: "Auth"; readonly mechanism: string; readonly initialResponse: boolean }
  /** the SASL mechanism needs another response from the client (LOGIN asks for the password) */
  | { readonly _tag: "AuthChallenge"; readonly prompt: string }
  /** the AUTH exchange succeeded for `user` */
  | { readonly _tag: "Authenticated"; readonly user: string }
  | { readonly _tag: "AuthRefused"; readonly reason: AuthRefusal }
  /** `memoryFull`: the daemon's memory budget for message data is spent */
  | { readonly _tag: "Data"; readonly memoryFull?: boolean }
  /**
   * the body has been received in full: `size` bytes after dot-unstuffing; `bareLineEnding`: it holds a
   * CR or LF that is not part of a CRLF; `nul`: it holds a NUL byte
   */
  | {
    readonly _tag: "DataEnd"
    readonly size: number
    readonly bareLineEnding: boolean
    readonly nul: boolean
    /** the memory budget ran out while it arrived: it was counted, not kept */
    readonly overBudget?: boolean
  }
  /** every recipient's JSON is durable; one message id per recipient, in recipient order */
  /** every document confirmed; `brokerMs`: how long the publisher waited for the broker's confirms */
  | { readonly _tag: "Published"; readonly messageIds: ReadonlyArray<string>; readonly brokerMs: number }
  | { readonly _tag: "PublishFailed"; readonly reason: string }
  /** the publisher can never take the message: its largest document is `size` bytes, the broker takes `limit` */
  | { readonly _tag: "PublishRefused"; readonly size: number; readonly limit: number }
  | { readonly _tag: "Rset" }
  | { readonly _tag: "Noop" }
  | { readonly _tag: "Help" }
  | { readonly _tag: "Vrfy" }
  | { readonly _tag: "Expn" }
  | { readonly _tag: "Quit" }
  /** a verb this server does not know */
  | { readonly _tag: "Unknown"; readonly verb: string }
  /** a known verb whose arguments do not parse */
  | { readonly _tag: "Malformed"; readonly verb: string; readonly reason: string }
  /** an HTTP request line: a web page trying to talk SMTP through a browser */
  | { readonly _tag: "HttpRequest" }
  /** a command line longer than the limit, without its end yet */
  | { readonly _tag: "LineTooLong" }
  /** the client was silent for smtp-timeout (`during: "command"`), or its DATA took too long in all */
  | { readonly _tag: "TimedOut"; readonly during: "command" | "data" }
  /** the daemon is stopping */
  | { readonly _tag: "ShuttingDown" }
  | { readonly _tag: "Disconnected"; readonly reason: Departure }

export type CommandTag = SessionCommand["_tag"]

export const Command = {
  connect: (connection: ConnectionInfo, blocked = false, spokeTooSoon = false): SessionCommand => ({
    _tag: "Connect",
    connection,
    blocked,
    spokeTooSoon
  }),
  secured: (tls: TlsInfo): SessionCommand => ({ _tag: "Secured", tls }),
  ehlo: (name: string, extended = true): SessionCommand => ({ _tag: "Ehlo", name, extended }),
  mail: (
    address: string,
    options: {
      size?: number | undefined
      utf8?: boolean
      parameters?: ReadonlyArray<string>
      body?: string
      dsn?: DsnParsed<MailDsn> | undefined
    } = {}
  ): SessionCommand => ({
    _tag: "Mail",
    address,
    size: options.size,
    utf8: options.utf8 ?? false,
    parameters: options.parameters ?? [],
    body: options.body,
    ...(options.dsn === undefined ? {} : { dsn: options.dsn })
  }),
  rcpt: (address: string, local = false, parameters: ReadonlyArray<string> = [], dsn?: DsnParsed<RecipientDsn>): SessionCommand => ({
    _tag: "Rcpt",
    address,
    local,
    parameters,
    ...(dsn === undefined ? {} : { dsn })
  }),
  startTls: { _tag: "StartTls" } as SessionCommand,
  auth: (mechanism: string, initialResponse = false): SessionCommand => ({ _tag: "Auth", mechanism, initialResponse }),
  authChallenge: (prompt: string): SessionCommand => ({ _tag: "AuthChallenge", prompt }),
  authenticated: (user: string): SessionCommand => ({ _tag: "Authenticated", user }),
  authRefused: (reason: AuthRefusal): SessionCommand => ({ _tag: "AuthRefused", reason }),
  data: { _tag: "Data" } as SessionCommand,
  dataEnd: (size: number, bareLineEnding = false, nul = false, overBudget = false): SessionCommand => ({
    _tag: "DataEnd",
    size,
    bareLineEnding,
    nul,
    overBudget
  }),
  published: (messageIds: ReadonlyArray<string>, brokerMs = 0): SessionCommand => ({ _tag: "Published", messageIds, brokerMs }),
  publishFailed: (reason: string): SessionCommand => ({ _tag: "PublishFailed", reason }),
  publishRefused: (size: number, limit: number): SessionCommand => ({ _tag: "PublishRefused", size, limit }),
  rset: { _tag: "Rset" } as SessionCommand,
  noop: { _tag: "Noop" } as SessionCommand,
  help: { _tag: "Help" } as SessionCommand,
  vrfy: { _tag: "Vrfy" } as SessionCommand,
  expn: { _tag: "Expn" } as SessionCommand,
  quit: { _tag: "Quit" } as SessionCommand,
  unknown: (verb: string): SessionCommand => ({ _tag: "Unknown", verb }),
  malformed: (verb: string, reason: string): SessionCommand => ({ _tag: "Malformed", verb, reason }),
  httpRequest: { _tag: "HttpRequest" } as SessionCommand,
  lineTooLong: { _tag: "LineTooLong" } as SessionCommand,
  timedOut: (during: "command" | "data"): SessionCommand => ({ _tag: "TimedOut", during }),
  shuttingDown: { _tag: "ShuttingDown" } as SessionCommand,
  disconnected: (reason: Departure): SessionCommand => ({ _tag: "Disconnected", reason })
} as const
