import type { SMTPServerSession } from "smtp-server"
import { normalizeIp } from "../../domain/ip/ip-range.ts"
import type { ConnectionInfo } from "../../domain/session/connection.ts"

const ip = (address: string) => normalizeIp(address) ?? address

export const connectionInfo = (session: SMTPServerSession): ConnectionInfo => ({
  localIp: ip(session.localAddress),
  localPort: session.localPort,
  remoteIp: ip(session.remoteAddress),
  remotePort: session.remotePort,
  secure: session.secure,
  user: typeof session.user === "string" ? session.user : undefined
})
