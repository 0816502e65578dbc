import type { TLSSocket } from "node:tls"
import { normalizeIp } from "../../domain/ip/ip-range.ts"
import type { ConnectionInfo, TlsInfo } from "../../domain/session/connection.ts"

const ip = (address: string) => normalizeIp(address) ?? address

/** The addresses a connection stands for: the socket's own, or those its PROXY header gave. */
export interface Endpoints {
  readonly remoteAddress: string
  readonly remotePort: number
  readonly localAddress: string
  readonly localPort: number
}

/** The negotiated protocol and cipher of a TLS socket whose handshake is done. */
export const tlsInfo = (socket: TLSSocket): TlsInfo => ({
  protocol: socket.getProtocol() ?? "TLS",
  cipher: socket.getCipher()?.name ?? "unknown"
})

export const connectionInfo = (endpoints: Endpoints, tls: TlsInfo | undefined): ConnectionInfo => ({
  localIp: ip(endpoints.localAddress),
  localPort: endpoints.localPort,
  remoteIp: ip(endpoints.remoteAddress),
  remotePort: endpoints.remotePort,
  tls,
  user: undefined
})
