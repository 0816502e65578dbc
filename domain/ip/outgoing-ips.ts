import { normalizeIp, rangesContain } from "./ip-range.ts"
import type { IpRange } from "./ip-range.ts"

/** smtp-default-ips, smtp-mappable-ips, smtp-unmappable-ips. */
export interface OutgoingIpRules {
  readonly defaultIps: ReadonlyArray<string>
  readonly mappable: ReadonlyArray<IpRange>
  readonly unmappable: ReadonlyArray<IpRange>
}

/** A local IP is mappable when it is inside some mappable range and inside no unmappable range. */
export const isMappable = (rules: OutgoingIpRules, localIp: string): boolean =>
  rangesContain(rules.mappable, localIp) && !rangesContain(rules.unmappable, localIp)

/**
 * SPEC §3, the IPs a message will be sent out from: an explicit x-mq-ip wins; else the local IP
 * the client connected to, if mappable; else smtp-default-ips; else (no rule gives one) the local IP.
 * Explicit entries that are not IP addresses are dropped; IPv4-mapped IPv6 is written as IPv4.
 */
export const outgoingIps = (
  rules: OutgoingIpRules,
  localIp: string,
  explicit: ReadonlyArray<string> = []
): ReadonlyArray<string> => {
  const chosen = explicit.flatMap((ip) => normalizeIp(ip) ?? [])
  if (chosen.length > 0) return chosen
  const local = normalizeIp(localIp) ?? localIp
  if (isMappable(rules, local)) return [local]
  if (rules.defaultIps.length > 0) return rules.defaultIps
  return [local]
}
