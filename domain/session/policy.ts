import type { AddressValidationMode } from "../address/validate-address.ts"
import type { IpRange } from "../ip/ip-range.ts"

/** The settings the session rules depend on. */
export interface SessionPolicy {
  /** name in the greeting and the Received header */
  readonly hostname: string
  /** who may connect; empty admits nobody */
  readonly allowedRanges: ReadonlyArray<IpRange>
  /** bytes */
  readonly maxSize: number
  readonly maxRecipients: number
  /** smtp-validate-address */
  readonly addressValidation: AddressValidationMode
  /**
   * smtp-auth is set: AUTH is offered (once the connection is encrypted), and an unauthenticated
   * client may only send to local addresses
   */
  readonly authRequired: boolean
  /**
   * rabbitmq-refused is set: a recipient refused for want of AUTH is accepted provisionally, and a
   * message with such a recipient is refused after DATA (530, as at RCPT) and kept in that queue
   */
  readonly keepRefused: boolean
  /** smtp-protection: clients on the blocked list are refused */
  readonly protection: boolean
  /** there is a certificate: STARTTLS is offered on a plain connection */
  readonly tlsOffered: boolean
  /** smtp-error-limit: refused commands without a message delivered; the next refusal ends the session */
  readonly maxErrors: number
  /** smtp-junk-limit: NOOP/RSET/VRFY/EXPN/HELP without a message delivered; the next one ends the session */
  readonly maxJunk: number
  /** dsn-advertise: DSN (RFC 3461) is offered in EHLO, and RET, ENVID, NOTIFY, ORCPT are taken */
  readonly dsnOffered?: boolean
}

/** Postfix's smtpd_hard_error_limit and smtpd_junk_command_limit. */
export const DEFAULT_MAX_ERRORS = 20
export const DEFAULT_MAX_JUNK = 100

/** RFC 5321 §4.5.3.1.8 asks for at least 100; a mailing-list submission may carry many more. */
export const DEFAULT_MAX_RECIPIENTS = 1000

/** Unrecognized commands a session may send; the last of them ends it (as smtp-server and Postfix do). */
export const MAX_UNRECOGNIZED_COMMANDS = 10

/** SASL mechanisms offered after STARTTLS. */
export const AUTH_MECHANISMS: ReadonlyArray<string> = ["PLAIN", "LOGIN"]
