import type { ConnectionInfo, TlsInfo } from "./connection.ts"

/** What a client (or the publishing step) asks of a session. */
export type SessionCommand =
  /** `blocked`: the client's IP is on the blocked list */
  | { readonly _tag: "Connect"; readonly connection: ConnectionInfo; readonly blocked: boolean }
  /** the TLS handshake (STARTTLS, or of an implicit-TLS port) completed */
  | { readonly _tag: "Secured"; readonly tls: TlsInfo }
  | { readonly _tag: "Ehlo"; readonly name: string }
  /** `address` is "" for the null sender `<>`; `size` is the SIZE= parameter; `utf8` the SMTPUTF8 one (RFC 6531) */
  | {
    readonly _tag: "Mail"
    readonly address: string
    readonly size: number | undefined
    readonly utf8: boolean
    /** the names of every parameter given, upper case */
    readonly parameters: ReadonlyArray<string>
  }
  /** `local`: the address is on the local-address list */
  | { readonly _tag: "Rcpt"; readonly address: string; readonly local: boolean; readonly parameters: ReadonlyArray<string> }
  /** the AUTH exchange succeeded for `user` */
  | { readonly _tag: "Authenticated"; readonly user: string }
  | { readonly _tag: "Data" }
  /**
   * the body has been received in full: `size` bytes; `bareLineEnding`: it holds a CR or LF that is
   * not part of a CRLF (the adapter scans the bytes as they arrive)
   */
  | { readonly _tag: "DataEnd"; readonly size: number; readonly bareLineEnding: boolean }
  /** every recipient's JSON is durable; one message id per recipient, in recipient order */
  | { readonly _tag: "Published"; readonly messageIds: ReadonlyArray<string> }
  | { readonly _tag: "PublishFailed"; readonly reason: string }
  | { readonly _tag: "Rset" }
  | { readonly _tag: "Quit" }

export const Command = {
  connect: (connection: ConnectionInfo, blocked = false): SessionCommand => ({ _tag: "Connect", connection, blocked }),
  secured: (tls: TlsInfo): SessionCommand => ({ _tag: "Secured", tls }),
  ehlo: (name: string): SessionCommand => ({ _tag: "Ehlo", name }),
  mail: (
    address: string,
    options: { size?: number | undefined; utf8?: boolean; parameters?: ReadonlyArray<string> } = {}
  ): SessionCommand => ({
    _tag: "Mail",
    address,
    size: options.size,
    utf8: options.utf8 ?? false,
    parameters: options.parameters ?? []
  }),
  rcpt: (address: string, local = false, parameters: ReadonlyArray<string> = []): SessionCommand => ({
    _tag: "Rcpt",
    address,
    local,
    parameters
  }),
  authenticated: (user: string): SessionCommand => ({ _tag: "Authenticated", user }),
  data: { _tag: "Data" } as SessionCommand,
  dataEnd: (size: number, bareLineEnding = false): SessionCommand => ({ _tag: "DataEnd", size, bareLineEnding }),
  published: (messageIds: ReadonlyArray<string>): SessionCommand => ({ _tag: "Published", messageIds }),
  publishFailed: (reason: string): SessionCommand => ({ _tag: "PublishFailed", reason }),
  rset: { _tag: "Rset" } as SessionCommand,
  quit: { _tag: "Quit" } as SessionCommand
} as const
