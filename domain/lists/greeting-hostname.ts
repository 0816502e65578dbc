/**
 * The name in the greeting (SPEC §6, the seed's algorithm): the MTA hostname configured for the
 * local IP the client reached, else smtp-hostname, else the reverse DNS name of that local IP,
 * else the machine's hostname.
 */
export const greetingHostname = (candidates: {
  readonly mtaHostname: string | undefined
  readonly configured: string | undefined
  readonly reverseDns: string | undefined
  readonly machine: string
}): string => candidates.mtaHostname ?? candidates.configured ?? candidates.reverseDns ?? candidates.machine
