import type { ConnectionInfo } from "./connection.ts"
import type { MailDsn, RecipientDsn } from "./dsn-parameters.ts"

/**
 * An accepted recipient; `local` when it is on the local-address list (SPEC §6); `provisional`
 * when it needed AUTH the client did not give, and was taken only for rabbitmq-refused; `dsn`: its
 * NOTIFY and ORCPT.
 */
export interface Recipient {
  readonly address: string
  readonly local: boolean
  readonly provisional: boolean
  readonly dsn?: RecipientDsn
}

/** The message is taken in only to be kept in rabbitmq-refused, and refused after DATA. */
export const refusedForWantOfAuth = (envelope: Envelope): boolean => envelope.recipients.some((r) => r.provisional)

export interface Envelope {
  /** "" is the null sender */
  readonly sender: string
  readonly recipients: ReadonlyArray<Recipient>
  /** the client asked for SMTPUTF8: addresses may hold UTF-8 (RFC 6531) */
  readonly utf8: boolean
  /** RET and ENVID of MAIL (RFC 3461), when DSN is offered and they were given */
  readonly dsn?: MailDsn
}

/** What every open session carries, whatever its phase. */
interface Open {
  readonly connection: ConnectionInfo
  /** commands the session did not recognise so far (the 10th ends it) */
  readonly unrecognized: number
  /** refused commands since the session began or last delivered a message */
  readonly errors: number
  /** NOOP, RSET, VRFY, EXPN, HELP since the session began or last delivered a message */
  readonly junk: number
}

/**
 * idle: nothing yet. connected: greeted with 220, no EHLO yet. ready: EHLO done, no transaction.
 * auth: an AUTH exchange is under way (the client's next lines are SASL responses, not commands).
 * mail: MAIL accepted, collecting RCPTs. data: 354 sent, body arriving. publishing: body complete,
 * waiting for the publisher. securing: 220 to STARTTLS sent, the TLS handshake is under way.
 * closed: the session is over.
 */
export type SessionState =
  | { readonly phase: "idle" }
  | Open & { readonly phase: "connected" }
  | Open & { readonly phase: "securing" }
  | Open & { readonly phase: "ready"; readonly helo: string }
  | Open & { readonly phase: "auth"; readonly helo: string; readonly mechanism: string }
  | Open & { readonly phase: "mail"; readonly helo: string; readonly envelope: Envelope }
  | Open & { readonly phase: "data"; readonly helo: string; readonly envelope: Envelope }
  | Open & { readonly phase: "publishing"; readonly helo: string; readonly envelope: Envelope; readonly size: number }
  | { readonly phase: "closed" }

export type Phase = SessionState["phase"]

export const initialState: SessionState = { phase: "idle" }

/** The session is between commands and reads the client's next line as one. */
export const readsCommands = (state: SessionState): boolean =>
  state.phase === "connected" || state.phase === "ready" || state.phase === "mail"
