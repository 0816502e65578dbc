/** Where a session comes from and arrives at, as the JSON's `connection` reports it. */
export interface ConnectionInfo {
  readonly localIp: string
  readonly localPort: number
  readonly remoteIp: string
  readonly remotePort: number
  readonly secure: boolean
  readonly user: string | undefined
}
