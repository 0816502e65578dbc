import type { Socket } from "node:net"
import type { IpRange } from "../../domain/ip/ip-range.ts"
import { expectsProxyHeader, proxiedAddresses } from "../proxy/proxy-protocol.ts"
import type { ProxiedAddresses } from "../proxy/proxy-protocol.ts"
import type { Endpoints } from "./connection-info.ts"
import { nextId } from "../ids/random-message-ids.ts"

export interface SocketIntake {
  /** smtp-proxy as it stands now: read for each new socket */
  readonly proxyRanges: () => ReadonlyArray<IpRange>
  /** resolves true once the connection has a slot in the budget; false when it was refused or left */
  readonly admit: (socket: Socket, id: string) => Promise<boolean>
  readonly onProxyRefused: (socket: Socket, reason: string) => void
  /** the name to greet a client with that reached this local IP */
  readonly greetingName: (localIp: string) => Promise<string>
  /** how long a proxy may take to send its header */
  readonly timeoutMs: () => number
}

/** A connection admitted: its id, the addresses it stands for, and the name it is greeted with. */
export interface Admitted {
  readonly id: string
  readonly endpoints: Endpoints
  readonly hostname: string
}

const ignoreEarlyError = () => {}

/** 16 URL-safe random characters, from the same pooled draw as the message ids (one CSPRNG call per 512). */
const sessionId = nextId

const endpointsOf = (socket: Socket, proxied: ProxiedAddresses): Endpoints => ({
  remoteAddress: proxied.remoteAddress ?? socket.remoteAddress ?? "",
  remotePort: proxied.remotePort ?? socket.remotePort ?? 0,
  localAddress: proxied.localAddress ?? socket.localAddress ?? "",
  localPort: proxied.localPort ?? socket.localPort ?? 0
})

/**
 * What happens to a new socket before its session starts: it waits for a slot in the connection
 * budget (held: no greeting, nothing read), then, from an smtp-proxy peer, its PROXY header is read
 * (within smtp-timeout), and the greeting name of the local IP reached is worked out. Resolves
 * undefined when the connection is not to be served (refused, or gone).
 */
export const takeIn = async (socket: Socket, intake: SocketIntake): Promise<Admitted | undefined> => {
  // A reset by the peer while it waits here would otherwise be an uncaught 'error' event and stop
  // the daemon. The 'close' that follows ends every wait.
  socket.on("error", ignoreEarlyError)
  const id = sessionId()
  const proxied = expectsProxyHeader(intake.proxyRanges(), socket)
  try {
    if (!(await intake.admit(socket, id))) return undefined
    let addresses: ProxiedAddresses = {}
    if (proxied) {
      const silent = setTimeout(() => socket.destroy(), intake.timeoutMs())
      try {
        addresses = await proxiedAddresses(socket)
      } catch (error) {
        intake.onProxyRefused(socket, (error as Error).message)
        socket.destroy()
        return undefined
      } finally {
        clearTimeout(silent)
      }
    }
    const endpoints = endpointsOf(socket, addresses)
    const hostname = await intake.greetingName(endpoints.localAddress)
    return socket.destroyed ? undefined : { id, endpoints, hostname }
  } catch {
    socket.destroy()
    return undefined
  }
}
