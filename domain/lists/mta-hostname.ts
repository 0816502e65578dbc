/** The MTA hostname configured for one local IP (SPEC §6). */
export interface MtaHostname {
  readonly ip: string
  readonly hostname: string
}
