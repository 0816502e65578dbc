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
 * A message injected on the command line came in on no IP: an explicit x-mq-ip, else
 * smtp-default-ips, else none (MailerQ sends from any IP).
 */
export const injectedIps = (rules: OutgoingIpRules, explicit: ReadonlyArray<string> = []): ReadonlyArray<string> | undefined => {
  const chosen = explicit.flatMap((ip) => normalizeIp(ip) ?? [])
  if (chosen.length > 0) return chosen
  return rules.defaultIps.length > 0 ? rules.defaultIps : undefined
}

const noRules = (rules: OutgoingIpRules): boolean =>
  rules.defaultIps.length === 0 && rules.mappable.length === 0 && rules.unmappable.length === 0

/**
 * SPEC §3, the IPs a message will be sent out from: an explicit x-mq-ip wins; else the local IP
 * the client connected to, if mappable; else smtp-default-ips. With no rule configured at all, the
 * local IP (the seed: mail goes out from the IP it came in on). A local IP that is not mappable,
 * with no smtp-default-ips, gives none: `ips` is left out of the JSON, and MailerQ then sends from
 * its own defaults or any IP of the host (`json-messages.md`, "Local IP addresses"), never from
 * the unmappable IP itself. Explicit entries that are not IP addresses are dropped; IPv4-mapped
 * IPv6 is written as IPv4.
 */
export const outgoingIps = (
  rules: OutgoingIpRules,
  localIp: string,
  explicit: ReadonlyArray<string> = []
): ReadonlyArray<string> | undefined => {
  const chosen = explicit.flatMap((ip) => normalizeIp(ip) ?? [])
  if (chosen.length > 0) return chosen
  const local = normalizeIp(localIp) ?? localIp
  if (isMappable(rules, local) || noRules(rules)) return [local]
  if (rules.defaultIps.length > 0) return rules.defaultIps
  return undefined
}
