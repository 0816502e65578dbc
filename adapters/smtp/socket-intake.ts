import { randomBytes } from "node:crypto"
import type { Socket } from "node:net"
import type { SMTPServer } from "smtp-server"
import type { IpRange } from "../../domain/ip/ip-range.ts"
import { expectsProxyHeader, proxiedAddresses } from "../proxy/proxy-protocol.ts"
import { greetingNames } from "./greeting-names.ts"
import type { ProxiedAddresses } from "../proxy/proxy-protocol.ts"

/** The two smtp-server internals that run between accepting a socket and starting its session. */
interface IntakeInternals {
  _expectsProxyHeader(socket: Socket): boolean
  _handleProxy(socket: Socket, callback: (error: Error | null, options?: { id: string } & ProxiedAddresses) => void): void
}

export interface SocketIntake {
  /** smtp-proxy as it stands now: read for each new socket */
  readonly proxyRanges: () => ReadonlyArray<IpRange>
  /** resolves true once the connection has a slot in the budget; false when it was refused or left */
  readonly admit: (socket: Socket, id: string) => Promise<boolean>
  readonly onProxyRefused: (peer: string, reason: string) => void
  /** the name to greet a client with that reached this local IP */
  readonly greetingName: (localIp: string) => Promise<string>
}

const ignoreEarlyError = () => {}

/** smtp-server's own session id form: 16 base-32 characters. */
const sessionId = () => BigInt(`0x${randomBytes(10).toString("hex")}`).toString(32).padStart(16, "0")

/**
 * What happens to a new socket before smtp-server starts a session on it: it waits for a slot in
 * the connection budget (held: no greeting, nothing read), then, from an smtp-proxy peer, its PROXY
 * header is read. smtp-server's own PROXY support knows v1 and exact IPs only, so both of its hooks
 * are replaced; its guard still closes a proxied socket that sends no header within smtp-timeout.
 */
export const installSocketIntake = (server: SMTPServer, intake: SocketIntake): void => {
  const internals = server as unknown as IntakeInternals
  internals._expectsProxyHeader = (socket) => expectsProxyHeader(intake.proxyRanges(), socket)
  internals._handleProxy = (socket, callback) => {
    // Until smtp-server's session takes the socket over with its own 'error' listener, a reset by
    // the peer (held for a slot, mid PROXY header, while its greeting name is looked up) would be an
    // uncaught 'error' event and stop the daemon. The 'close' that follows ends every wait.
    socket.on("error", ignoreEarlyError)
    const id = sessionId()
    const proxied = internals._expectsProxyHeader(socket)
    intake.admit(socket, id).then(async (admitted) => {
      if (!admitted) return callback(new Error("connection not admitted"))
      let addresses: ProxiedAddresses = {}
      if (proxied) {
        try {
          addresses = await proxiedAddresses(socket)
        } catch (error) {
          intake.onProxyRefused(`${socket.remoteAddress}:${socket.remotePort}`, (error as Error).message)
          socket.destroy()
          return callback(error as Error)
        }
      }
      greetingNames.set(id, await intake.greetingName(addresses.localAddress ?? socket.localAddress ?? ""))
      callback(null, { id, ...addresses })
    }, (error: Error) => {
      socket.destroy()
      callback(error)
    })
  }
}
