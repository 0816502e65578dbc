import { validateDomain } from "../address/domain-name.ts"
import { normalizeIp, parseIpRange } from "../ip/ip-range.ts"
import { LOCAL_ADDRESS_TYPES, ruleProblem } from "./local-address-rule.ts"
import type { LocalAddressRule, LocalAddressType } from "./local-address-rule.ts"
import type { MtaHostname } from "./mta-hostname.ts"

/** A request field turned into what the store takes, or why it cannot be. */
export type Parsed<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly error: string }

const ok = <A>(value: A): Parsed<A> => ({ ok: true, value })
const problem = <A>(error: string): Parsed<A> => ({ ok: false, error })

/** A string field, trimmed; a missing field reads as empty so the caller says "... is empty". */
export const stringField = (body: Readonly<Record<string, unknown>>, name: string): Parsed<string> => {
  const value = body[name]
  if (value === undefined || value === null) return ok("")
  if (typeof value !== "string") return problem(`${name} must be a string`)
  return ok(value.trim())
}

const isLocalAddressType = (text: string): text is LocalAddressType =>
  (LOCAL_ADDRESS_TYPES as ReadonlyArray<string>).includes(text)

/** `{ "pattern": "@example.com", "type": "exact" }`; the type defaults to exact. */
export const localAddressInput = (body: Readonly<Record<string, unknown>>): Parsed<LocalAddressRule> => {
  const pattern = stringField(body, "pattern")
  if (!pattern.ok) return pattern
  const type = stringField(body, "type")
  if (!type.ok) return type
  const typeText = type.value === "" ? "exact" : type.value.toLowerCase()
  if (!isLocalAddressType(typeText)) {
    return problem(`unknown type "${type.value}": must be one of ${LOCAL_ADDRESS_TYPES.join(", ")}`)
  }
  const rule: LocalAddressRule = { pattern: pattern.value, type: typeText }
  const why = ruleProblem(rule)
  return why === undefined ? ok(rule) : problem(why)
}

export const patternInput = (value: string | undefined): Parsed<string> => {
  const pattern = (value ?? "").trim()
  return pattern === "" ? problem("pattern is empty") : ok(pattern)
}

export const ipInput = (value: string | undefined): Parsed<string> => {
  const text = (value ?? "").trim()
  if (text === "") return problem("ip is empty")
  const ip = normalizeIp(text)
  return ip === undefined ? problem(`"${text}" is not an IP address`) : ok(ip)
}

export const hostnameInput = (value: string | undefined): Parsed<string> => {
  const hostname = (value ?? "").trim().toLowerCase()
  if (hostname === "") return problem("hostname is empty")
  const verdict = validateDomain(hostname, false)
  return verdict.valid ? ok(hostname) : problem(`bad hostname "${hostname}": ${verdict.reason}`)
}

/** `{ "ip": "192.0.2.10", "hostname": "mx1.example.com" }` */
export const mtaHostnameInput = (body: Readonly<Record<string, unknown>>): Parsed<MtaHostname> => {
  const ipField = stringField(body, "ip")
  if (!ipField.ok) return ipField
  const ip = ipInput(ipField.value)
  if (!ip.ok) return ip
  const hostnameField = stringField(body, "hostname")
  if (!hostnameField.ok) return hostnameField
  const hostname = hostnameInput(hostnameField.value)
  if (!hostname.ok) return hostname
  return ok({ ip: ip.value, hostname: hostname.value })
}

/** One IP or a CIDR range, kept as written (trimmed): the store lists it the way the operator wrote it. */
export const rangeInput = (value: string | undefined): Parsed<string> => {
  const text = (value ?? "").trim()
  if (text === "") return problem("range is empty")
  return parseIpRange(text) === undefined ? problem(`"${text}" is not an IP address or CIDR range`) : ok(text)
}
