/** The TLS session, when there is one: the protocol version and cipher negotiated. */
export interface TlsInfo {
  readonly protocol: string
  readonly cipher: string
}

/** Where a session comes from and arrives at, as the JSON's `connection` reports it. */
export interface ConnectionInfo {
  readonly localIp: string
  readonly localPort: number
  readonly remoteIp: string
  readonly remotePort: number
  /** undefined for a plain-text connection */
  readonly tls: TlsInfo | undefined
  readonly user: string | undefined
}

export const isSecure = (connection: ConnectionInfo): boolean => connection.tls !== undefined
