import { parseAuthBackend } from "../auth/auth-backend.ts"
import { normalizeIp, parseIpRange } from "../ip/ip-range.ts"
import type { IpRange } from "../ip/ip-range.ts"
import { brokerNodes } from "../broker/broker-nodes.ts"

/**
 * Small pure parsers for config values. Each takes the value text (already trimmed of
 * comments) and either gives the typed value or says what form was expected; the caller
 * turns that into `"<text>" is not valid; expected <expected>`.
 */
export type Parsed<A> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly expected: string }

export type ValueParser<A> = (text: string) => Parsed<A>

export const valid = <A>(value: A): Parsed<A> => ({ ok: true, value })
export const invalid = (expected: string): Parsed<never> => ({ ok: false, expected })

/** An empty value means "not set" for keys whose default is "none". */
export const optional = <A>(parser: ValueParser<A>): ValueParser<A | undefined> => (text) =>
  text.trim() === "" ? valid(undefined) : parser(text)

const hasControlCharacter = (text: string): boolean => /[\u0000-\u001f\u007f]/.test(text)

// ---- ports -------------------------------------------------------------------------

/** More ports than this in one setting is surely a typo (1024-10240 instead of 1024-1040). */
export const MAX_PORTS = 1000

const PORTS_EXPECTED = "ports like 25,2525,1024-1026 (each 1-65535)"

const portNumber = (text: string): number | undefined => {
  if (!/^\d{1,5}$/.test(text)) return undefined
  const port = Number(text)
  return port >= 1 && port <= 65535 ? port : undefined
}

export const parsePort: ValueParser<number> = (text) => {
  const port = portNumber(text.trim())
  return port === undefined ? invalid("a port number from 1 to 65535") : valid(port)
}

/** `25,2525,1024-1026`: single ports and ranges, in the order written, each port once. */
export const parsePorts: ValueParser<ReadonlyArray<number>> = (text) => {
  const ports: Array<number> = []
  for (const part of text.split(",")) {
    const match = /^(\d+)\s*(?:-\s*(\d+))?$/.exec(part.trim())
    if (match === null) return invalid(PORTS_EXPECTED)
    const low = portNumber(match[1] ?? "")
    const high = match[2] === undefined ? low : portNumber(match[2])
    if (low === undefined || high === undefined) return invalid(PORTS_EXPECTED)
    if (high < low) return invalid(`${PORTS_EXPECTED}; a range goes from low to high`)
    if (high - low + 1 > MAX_PORTS) return invalid(`${PORTS_EXPECTED}; a range spans at most ${MAX_PORTS} ports`)
    for (let port = low; port <= high; port++) if (!ports.includes(port)) ports.push(port)
  }
  if (ports.length > MAX_PORTS) return invalid(`${PORTS_EXPECTED}; at most ${MAX_PORTS} ports in all`)
  return valid(ports)
}

/** Like parsePorts, but an empty value is no ports at all (smtp-secure-port). */
export const parsePortsOrNone: ValueParser<ReadonlyArray<number>> = (text) =>
  text.trim() === "" ? valid([]) : parsePorts(text)

export const formatPorts = (ports: ReadonlyArray<number>): string => ports.join(",")

// ---- IP addresses and ranges -------------------------------------------------------

const IPV4_PART = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"
const IPV4 = new RegExp(`^${IPV4_PART}(?:\\.${IPV4_PART}){3}$`)

/**
 * An address written the way operators mean it: IPv4 as four decimal parts, IPv6 in hex.
 * The legacy forms inet_aton also takes (`10.1`, `0x7f.0.0.1`, and `010.0.0.1`, which is 8.0.0.1)
 * are refused: in smtp-range they would admit other networks than the one the operator had in mind.
 */
const isIpText = (text: string): boolean => {
  if (!text.includes(":")) return IPV4.test(text) && normalizeIp(text) !== undefined
  const dotted = /:(\d+(?:\.\d+)+)$/.exec(text)?.[1]
  return /^[\da-f:.]+$/i.test(text) && (dotted === undefined || IPV4.test(dotted)) && normalizeIp(text) !== undefined
}

const withoutBrackets = (text: string): string => text.trim().replace(/^\[(.*)\]$/, "$1")

/** A bind address: an IPv4 or IPv6 address, kept as written (brackets dropped). */
export const parseIp: ValueParser<string> = (text) => {
  const address = withoutBrackets(text)
  return isIpText(address) ? valid(address) : invalid("an IP address like 1.2.3.4 or ::1")
}

const semicolonItems = (text: string): ReadonlyArray<string> =>
  text.split(";").map((item) => item.trim()).filter((item) => item !== "")

const NOT_COMMAS = "separated by ';' (not ',')"

/** `1.2.3.0/24;4.5.6.7`: CIDR ranges or single addresses; empty is an empty list. */
export const parseIpRanges: ValueParser<ReadonlyArray<IpRange>> = (text) => {
  const expected = "IP addresses or CIDR ranges separated by ';', like 192.168.0.0/16;10.1.2.3"
  if (text.includes(",")) return invalid(`IP addresses or CIDR ranges ${NOT_COMMAS}, like 192.168.0.0/16;10.1.2.3`)
  const ranges: Array<IpRange> = []
  for (const item of semicolonItems(text)) {
    const range = isIpText(withoutBrackets(item.replace(/\/\d*$/, ""))) ? parseIpRange(item) : undefined
    if (range === undefined) return invalid(expected)
    ranges.push(range)
  }
  return valid(ranges)
}

export const formatIpRanges = (ranges: ReadonlyArray<IpRange>): string => ranges.map((range) => range.text).join(";")

/** `1.2.3.4;4.5.6.7`: plain addresses (no ranges); IPv4-mapped IPv6 becomes IPv4. */
export const parseIps: ValueParser<ReadonlyArray<string>> = (text) => {
  const expected = "IP addresses (no ranges) separated by ';', like 1.2.3.4;4.5.6.7"
  if (text.includes(",")) return invalid(`IP addresses ${NOT_COMMAS}, like 1.2.3.4;4.5.6.7`)
  const ips: Array<string> = []
  for (const item of semicolonItems(text)) {
    const ip = isIpText(withoutBrackets(item)) ? normalizeIp(item) : undefined
    if (ip === undefined) return invalid(expected)
    if (!ips.includes(ip)) ips.push(ip)
  }
  return valid(ips)
}

/**
 * `127.0.0.1;[::1]:5353;10.0.0.53:53`: name servers by IP, with a port or not (an IPv6 address
 * with a port in brackets), written back as node:dns takes them (`::1`, `[::1]:5353`, `1.2.3.4:53`
 * without a port when it is 53). A server named by a host name would need DNS to be found.
 */
export const parseNameServers: ValueParser<ReadonlyArray<string>> = (text) => {
  const expected = "name server IP addresses, each with a port or not, separated by ';', like 127.0.0.1;[::1]:5353"
  if (text.includes(",")) return invalid(`name server IP addresses ${NOT_COMMAS}, like 127.0.0.1;[::1]:5353`)
  const servers: Array<string> = []
  for (const item of semicolonItems(text)) {
    const match = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(item) ?? /^([^:]+):(\d{1,5})$/.exec(item) ?? /^(.+)()$/.exec(item)
    const ip = match?.[1] ?? ""
    const port = match?.[2] === undefined || match[2] === "" ? 53 : portNumber(match[2])
    if (!isIpText(ip) || port === undefined) return invalid(expected)
    const server = port === 53 ? ip : ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`
    if (!servers.includes(server)) servers.push(server)
  }
  return valid(servers)
}

export const formatNameServers = (servers: ReadonlyArray<string>): string => servers.join(";")

// ---- numbers, sizes, booleans ------------------------------------------------------

export const MAX_SIZE = 2 ** 32

const SIZE_UNITS: Readonly<Record<string, number>> = {
  "": 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3
}

/** `100MB`, `10 KB`, `1gb`, `512`: K, M and G are multiples of 1024; more than 0, at most 4GB. */
export const parseSize: ValueParser<number> = (text) => {
  const expected = "a size like 100MB, 10KB, 1GB or 512 (bytes), more than 0 and at most 4GB"
  const match = /^(\d{1,13})\s*([a-z]*)$/i.exec(text.trim())
  if (match === null) return invalid(expected)
  const unit = SIZE_UNITS[(match[2] ?? "").toLowerCase()]
  if (unit === undefined) return invalid(expected)
  const bytes = Number(match[1]) * unit
  return bytes > 0 && bytes <= MAX_SIZE ? valid(bytes) : invalid(expected)
}

/** The largest unit that divides exactly: 104857600 -> 100MB, 1536 -> 1536 (bytes). */
export const formatSize = (bytes: number): string => {
  for (const [suffix, unit] of [["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]] as const) {
    if (bytes % unit === 0) return `${bytes / unit}${suffix}`
  }
  return String(bytes)
}

const TRUE_WORDS = ["true", "yes", "on", "1"]
const FALSE_WORDS = ["false", "no", "off", "0"]

export const parseBoolean: ValueParser<boolean> = (text) => {
  const word = text.trim().toLowerCase()
  if (TRUE_WORDS.includes(word)) return valid(true)
  if (FALSE_WORDS.includes(word)) return valid(false)
  return invalid("true or false (also yes/no, on/off, 1/0)")
}

export const formatBoolean = (value: boolean): string => (value ? "true" : "false")

/** MailerQ's `0` where its docs give it a meaning (no limit, no timeout): `meaning` for 0, `parser` for the rest. */
export const zeroMeans = <A, Z>(zero: Z, parser: ValueParser<A>, saying: string): ValueParser<A | Z> => (text) => {
  if (/^0+$/.test(text.trim())) return valid(zero)
  const parsed = parser(text)
  return parsed.ok ? parsed : invalid(`${parsed.expected}, or ${saying}`)
}

/** A whole number from 1 to `max`; `unit` names what is counted in the message. */
export const parsePositiveInteger = (max: number, unit: string): ValueParser<number> => (text) => {
  const trimmed = text.trim()
  const number = /^\d{1,16}$/.test(trimmed) ? Number(trimmed) : Number.NaN
  return number >= 1 && number <= max ? valid(number) : invalid(`a whole number of ${unit} from 1 to ${max}`)
}

// ---- words and lists of words -------------------------------------------------------

export const parseChoice = <A extends string>(choices: ReadonlyArray<A>): ValueParser<A> => (text) => {
  const word = text.trim().toLowerCase()
  const choice = choices.find((candidate) => candidate === word)
  return choice === undefined ? invalid(`one of ${choices.join(", ")}`) : valid(choice)
}

/** `spf,dkim`: a comma-separated subset, each once, in the order written; empty is none. */
export const parseChoices = <A extends string>(choices: ReadonlyArray<A>): ValueParser<ReadonlyArray<A>> => (text) => {
  const picked: Array<A> = []
  for (const item of text.split(",").map((part) => part.trim().toLowerCase()).filter((part) => part !== "")) {
    const choice = choices.find((candidate) => candidate === item)
    if (choice === undefined) return invalid(`a comma-separated list of ${choices.join(", ")}`)
    if (!picked.includes(choice)) picked.push(choice)
  }
  return valid(picked)
}

export const formatChoices = (values: ReadonlyArray<string>): string => values.join(",")

// ---- names and paths -----------------------------------------------------------------

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens; never all-numeric like an IP. */
export const isHostname = (text: string): boolean =>
  text.length <= 253 &&
  text.split(".").every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i.test(label)) &&
  !/^\d+$/.test(text.slice(text.lastIndexOf(".") + 1))

export const parseHostname: ValueParser<string> = (text) => {
  const name = text.trim()
  return isHostname(name) ? valid(name) : invalid("a host name like mx1.example.com")
}

/** Where a service lives: a host name or an IP address. */
export const parseHost: ValueParser<string> = (text) => {
  const host = withoutBrackets(text)
  return isHostname(host) || isIpText(host)
    ? valid(host)
    : invalid("a host name or IP address like localhost or 127.0.0.1")
}

export const parsePath: ValueParser<string> = (text) => {
  const path = text.trim()
  return path === "" || hasControlCharacter(path) ? invalid("a file or directory path") : valid(path)
}

/** Free text without control characters (smtp-ciphers: an OpenSSL cipher string). */
export const parseText = (expected: string): ValueParser<string> => (text) => {
  const value = text.trim()
  return value === "" || hasControlCharacter(value) ? invalid(expected) : valid(value)
}

export const MIN_TOKEN_LENGTH = 16

export const parseToken: ValueParser<string> = (text) => {
  const token = text.trim()
  return token.length >= MIN_TOKEN_LENGTH && /^[\x21-\x7e]+$/.test(token)
    ? valid(token)
    : invalid(`a token of at least ${MIN_TOKEN_LENGTH} printable characters without spaces`)
}

/** A RabbitMQ queue name: 1-255 bytes, no control characters, not `amq.` (reserved by the broker). */
export const parseQueueName: ValueParser<string> = (text) => {
  const name = text.trim()
  const expected = "a queue name of 1 to 255 bytes without control characters, not starting with amq."
  if (name === "" || hasControlCharacter(name) || new TextEncoder().encode(name).length > 255) return invalid(expected)
  return name.startsWith("amq.") ? invalid(expected) : valid(name)
}

// ---- URLs -------------------------------------------------------------------------------

const parseUrl = (text: string): URL | undefined => {
  try {
    return new URL(text)
  } catch {
    return undefined
  }
}

const PERCENT_ENCODE = "percent-encode special characters in the user name and password (# as %23, @ as %40, / as %2F)"

const isAmqpNode = (node: string): boolean => {
  const url = parseUrl(node)
  return url !== undefined && (url.protocol === "amqp:" || url.protocol === "amqps:") && url.hostname !== ""
}

/**
 * `amqp://user:pass@host:port/vhost` or `amqps://...`; a cluster as addresses separated by commas,
 * or hosts separated by semicolons (`amqp://user:pass@host1;host2/vhost`).
 */
export const parseAmqpUrl: ValueParser<string> = (text) => {
  const value = text.trim()
  const nodes = brokerNodes(value)
  return nodes.length > 0 && nodes.every(isAmqpNode)
    ? valid(value)
    : invalid(
      `an address like amqp://user:password@host:5672/vhost or amqps://..., for a cluster several separated by ` +
        `commas or hosts separated by semicolons (amqp://user:password@host1;host2/vhost); ${PERCENT_ENCODE}`
    )
}

/** `sqlite:///absolute/path`, `postgresql://user:pass@host/db` (also `postgres://`) or `mysql://user:pass@host/db`. */
export const parseDatabaseUrl: ValueParser<string> = (text) => {
  const value = text.trim()
  const expected =
    "sqlite:///absolute/path/file.db, sqlite://./relative/file.db, postgresql://user:password@host:5432/database " +
    "or mysql://user:password@host:3306/database"
  if (value.startsWith("sqlite://")) {
    const path = value.slice("sqlite://".length)
    const absoluteOrRelative = (path.startsWith("/") && path.length > 1) || (path.startsWith("./") && path.length > 2)
    return absoluteOrRelative && !hasControlCharacter(path) ? valid(value) : invalid(expected)
  }
  const url = parseUrl(value)
  return url !== undefined && ["postgresql:", "postgres:", "mysql:"].includes(url.protocol) && url.hostname !== ""
    ? valid(value)
    : invalid(expected)
}

export const AUTH_SCHEMES = ["hardcoded", "ldap", "ldaps", "radius", "users", "http", "https", "file", "exec"] as const

const AUTH_EXPECTED =
  "an auth backend: hardcoded://user:password,user2:password2, ldap://host:389/base_dn, " +
  "radius://identifier:secret@host:1812, users://name,prefix*, http(s)://host/path, file:///path or exec:///path"

/** One of MailerQ's auth backend URLs (SPEC §4); checked for form only, never contacted here. */
export const parseAuthUrl: ValueParser<string> = (text) => {
  const value = text.trim()
  const match = /^([a-z]+):\/\/(.*)$/i.exec(value)
  const scheme = (match?.[1] ?? "").toLowerCase()
  if (!AUTH_SCHEMES.some((known) => known === scheme) || hasControlCharacter(value)) return invalid(AUTH_EXPECTED)
  return parseAuthBackend(value) === undefined ? invalid(AUTH_EXPECTED) : valid(value)
}

// ---- the broker as MailerQ finds it (issue 15b) --------------------------------------------------

/** A RabbitMQ exchange name: 1-255 bytes, no control characters, not `amq.` (the broker's own). */
export const parseExchangeName: ValueParser<string> = (text) => {
  const name = text.trim()
  const expected = "an exchange name of 1 to 255 bytes without control characters, not starting with amq."
  if (name === "" || hasControlCharacter(name) || new TextEncoder().encode(name).length > 255) return invalid(expected)
  return name.startsWith("amq.") ? invalid(expected) : valid(name)
}

/** rabbitmq-maxpriority: 1 to 255 levels (RabbitMQ's range); 0 or empty is no priority queue. */
export const parseMaxPriority: ValueParser<number | undefined> = (text) => {
  const trimmed = text.trim()
  if (trimmed === "" || trimmed === "0") return valid(undefined)
  const number = /^\d{1,3}$/.test(trimmed) ? Number(trimmed) : Number.NaN
  return number >= 1 && number <= 255 ? valid(number) : invalid("a number of priority levels from 1 to 255 (0: none)")
}
