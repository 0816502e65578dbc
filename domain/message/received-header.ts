import type { TlsInfo } from "../session/connection.ts"
import { rfc5322Date } from "./timestamps.ts"

export interface ReceivedTrace {
  /** the name the client gave in EHLO/HELO */
  readonly helo: string
  readonly remoteIp: string
  /** our name, as in the greeting */
  readonly hostname: string
  readonly tls: TlsInfo | undefined
  readonly authenticated: boolean
  readonly messageId: string
  readonly recipient: string
  readonly epochMillis: number
}

/** RFC 3848 transmission types. */
const protocol = (trace: ReceivedTrace) => `ESMTP${trace.tls === undefined ? "" : "S"}${trace.authenticated ? "A" : ""}`

const addressLiteral = (ip: string) => (ip.includes(":") ? `[IPv6:${ip}]` : `[${ip}]`)

/** A client-chosen HELO name must not be able to break the header apart or inject another. */
const safeHelo = (helo: string) => helo.replace(/[^\x21-\x7e]/g, "?").replace(/[()\\]/g, "?").slice(0, 255)

/** The trace header (RFC 5321 §4.4) prepended to the message, folded, CRLF-terminated. */
export const receivedHeader = (trace: ReceivedTrace): string =>
  `Received: from ${safeHelo(trace.helo)} (${addressLiteral(trace.remoteIp)})\r\n` +
  (trace.tls === undefined ? "" : `\t(using ${trace.tls.protocol} with cipher ${trace.tls.cipher})\r\n`) +
  `\tby ${trace.hostname} with ${protocol(trace)} id ${trace.messageId}\r\n` +
  `\tfor <${trace.recipient.replace(/[\r\n<>]/g, "")}>; ${rfc5322Date(trace.epochMillis)}\r\n`
