import type { SMTPServerSession } from "smtp-server"
import { normalizeIp } from "../../domain/ip/ip-range.ts"
import type { ConnectionInfo, TlsInfo } from "../../domain/session/connection.ts"

const ip = (address: string) => normalizeIp(address) ?? address

/** The negotiated protocol and cipher, as smtp-server reports them once the handshake is done. */
export const tlsInfo = (session: SMTPServerSession): TlsInfo | undefined => {
  const options = session.tlsOptions as { version?: string; standardName?: string; name?: string } | false | undefined
  if (!session.secure || !options) return undefined
  return { protocol: options.version ?? "TLS", cipher: options.name ?? options.standardName ?? "unknown" }
}

export const connectionInfo = (session: SMTPServerSession): ConnectionInfo => ({
  localIp: ip(session.localAddress),
  localPort: session.localPort,
  remoteIp: ip(session.remoteAddress),
  remotePort: session.remotePort,
  tls: tlsInfo(session),
  user: typeof session.user === "string" ? session.user : undefined
})
