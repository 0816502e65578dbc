import type { ConnectionInfo } from "./connection.ts"

/** An accepted recipient; `local` when it is on the local-address list (SPEC §6). */
export interface Recipient {
  readonly address: string
  readonly local: boolean
}

export interface Envelope {
  /** "" is the null sender */
  readonly sender: string
  readonly recipients: ReadonlyArray<Recipient>
  /** the client asked for SMTPUTF8: addresses may hold UTF-8 (RFC 6531) */
  readonly utf8: boolean
}

/**
 * idle: nothing yet. connected: greeted with 220, no EHLO yet. ready: EHLO done, no transaction.
 * mail: MAIL accepted, collecting RCPTs. data: 354 sent, body arriving. publishing: body complete,
 * waiting for the publisher. closed: the session is over.
 */
export type SessionState =
  | { readonly phase: "idle" }
  | { readonly phase: "connected"; readonly connection: ConnectionInfo }
  | { readonly phase: "ready"; readonly connection: ConnectionInfo; readonly helo: string }
  | { readonly phase: "mail"; readonly connection: ConnectionInfo; readonly helo: string; readonly envelope: Envelope }
  | { readonly phase: "data"; readonly connection: ConnectionInfo; readonly helo: string; readonly envelope: Envelope }
  | {
    readonly phase: "publishing"
    readonly connection: ConnectionInfo
    readonly helo: string
    readonly envelope: Envelope
    readonly size: number
  }
  | { readonly phase: "closed" }

export const initialState: SessionState = { phase: "idle" }
