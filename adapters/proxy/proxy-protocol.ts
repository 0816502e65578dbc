import { randomBytes } from "node:crypto"
import type { Socket } from "node:net"
import type { SMTPServer } from "smtp-server"
import { normalizeIp, rangesContain } from "../../domain/ip/ip-range.ts"
import type { IpRange } from "../../domain/ip/ip-range.ts"
import type { ProxyHeader } from "../../domain/proxy/proxy-header.ts"
import { readProxyHeader } from "./read-proxy-header.ts"

/** The addresses smtp-server's connection takes instead of the socket's own. */
interface SocketOptions {
  readonly id: string
  readonly remoteAddress?: string
  readonly remotePort?: number
  readonly localAddress?: string
  readonly localPort?: number
}

/** The two smtp-server internals that decide whether a socket starts with a PROXY header and read it. */
interface ProxyInternals {
  _expectsProxyHeader(socket: Socket): boolean
  _handleProxy(socket: Socket, callback: (error: Error | null, options?: SocketOptions) => void): void
}

/** smtp-server's own session id form: 16 base-32 characters. */
const sessionId = () => BigInt(`0x${randomBytes(10).toString("hex")}`).toString(32).padStart(16, "0")

const addressesOf = (header: ProxyHeader): Omit<SocketOptions, "id"> =>
  header.command === "local" || header.source === undefined || header.destination === undefined
    ? {}
    : {
      remoteAddress: header.source.ip,
      remotePort: header.source.port,
      localAddress: header.destination.ip,
      localPort: header.destination.port
    }

/**
 * SPEC §9: a connection from an smtp-proxy range must start with a PROXY v1 or v2 header, whose
 * addresses then stand for the client and the address it connected to; LOCAL and UNKNOWN keep the
 * socket's. Anyone else is plain SMTP, so a PROXY line from them is just a bad command.
 * smtp-server's own support knows v1 and exact IPs only, so its two hooks are replaced; its guard
 * still closes a proxied socket that sends no header within smtp-timeout.
 */
export const installProxyProtocol = (
  server: SMTPServer,
  ranges: ReadonlyArray<IpRange>,
  onRefused: (peer: string, reason: string) => void
): void => {
  const internals = server as unknown as ProxyInternals
  internals._expectsProxyHeader = (socket) => rangesContain(ranges, normalizeIp(socket.remoteAddress ?? "") ?? "")
  internals._handleProxy = (socket, callback) => {
    const id = sessionId()
    if (!internals._expectsProxyHeader(socket)) return void setImmediate(() => callback(null, { id }))
    readProxyHeader(socket).then(
      (header) => callback(null, { id, ...addressesOf(header) }),
      (error: Error) => {
        onRefused(`${socket.remoteAddress}:${socket.remotePort}`, error.message)
        socket.destroy()
        callback(error)
      }
    )
  }
}
