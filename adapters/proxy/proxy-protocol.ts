import type { Socket } from "node:net"
import { normalizeIp, rangesContain } from "../../domain/ip/ip-range.ts"
import type { IpRange } from "../../domain/ip/ip-range.ts"
import type { ProxyHeader } from "../../domain/proxy/proxy-header.ts"
import { readProxyHeader } from "./read-proxy-header.ts"

/** The addresses that stand for the connection instead of the socket's own. */
export interface ProxiedAddresses {
  readonly remoteAddress?: string
  readonly remotePort?: number
  readonly localAddress?: string
  readonly localPort?: number
}

/** SPEC §9: connections from smtp-proxy ranges start with a PROXY header; anyone else speaks SMTP. */
export const expectsProxyHeader = (ranges: ReadonlyArray<IpRange>, socket: Socket): boolean =>
  rangesContain(ranges, normalizeIp(socket.remoteAddress ?? "") ?? "")

const addressesOf = (header: ProxyHeader): ProxiedAddresses =>
  header.command === "local" || header.source === undefined || header.destination === undefined
    ? {}
    : {
      remoteAddress: header.source.ip,
      remotePort: header.source.port,
      localAddress: header.destination.ip,
      localPort: header.destination.port
    }

/**
 * Reads the PROXY header of a proxied connection: its source is the client and its destination
 * the address the client reached. LOCAL and UNKNOWN keep the socket's addresses.
 */
export const proxiedAddresses = (socket: Socket): Promise<ProxiedAddresses> => readProxyHeader(socket).then(addressesOf)
