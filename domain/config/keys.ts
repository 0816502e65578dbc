import { parseHardcodedUsers } from "../auth/auth-backend.ts"
import type { Settings } from "./settings.ts"
import {
  formatBoolean, formatChoices, formatIpRanges, formatPorts, formatSize, optional, parseAmqpUrl, parseAuthUrl,
  parseBoolean, parseChoice, parseChoices, parseDatabaseUrl, parseHost, parseHostname, parseIp,
  parseIpRanges, parseIps, parseNameServers, formatNameServers, parsePath, parsePort, parsePorts, parsePortsOrNone, parsePositiveInteger, parseQueueName,
  parseSize, parseText, parseToken, zeroMeans
} from "./values.ts"
import { parseExchangeName, parseMaxPriority } from "./values.ts"
import type { Parsed } from "./values.ts"

/**
 * How a value is shown in logs and `describeSettings`:
 * - "password-in-url": `amqp://user:****@host/`
 * - "passwords-in-urls": the same for each of comma-separated URLs (a RabbitMQ cluster)
 * - "auth-credentials": smtp-auth: hardcoded passwords and URL passwords/secrets become `****`
 * - "whole-value": `****`
 */
export type Secret = "no" | "password-in-url" | "passwords-in-urls" | "auth-credentials" | "whole-value"

/**
 * What a running daemon does with a key's new value on SIGHUP:
 * - "live": applied to new connections and sessions; live sessions keep the value they started with
 * - "restart": bound at start (ports, queues, stores, workers): a change is only reported, and
 *   takes a restart
 * - "live-while-set": "live" between two values (a renewed certificate), "restart" when the key
 *   is set or unset (TLS turned on or off)
 */
export type Reload = "live" | "restart" | "live-while-set"

/** A property whose values can all stand as a value of type T. */
type PropertyHolding<T> = {
  [K in keyof Settings]: [Settings[K]] extends [T] ? K : never
}[keyof Settings]

/** One config key: its spellings, where it lands in Settings, how it is read and written back. */
export interface KeySpec<P extends keyof Settings> {
  /** canonical spelling, as in SPEC §1 */
  readonly name: string
  /** MailerQ's alternative spellings */
  readonly aliases: ReadonlyArray<string>
  readonly property: P
  // Method syntax on purpose: it lets a KeySpec<"smtpPort"> stand in the table's union of specs.
  parse(text: string): Parsed<Settings[P]>
  format(value: NonNullable<Settings[P]>): string
  readonly default: Settings[P]
  /** when the key is not given, it takes this other key's resolved value instead of `default` */
  readonly defaultFrom?: keyof Settings
  /** what an unset (or empty-list) value means, for `describeSettings` */
  readonly whenUnset?: string
  /** an empty value is a setting of its own, not "use the default" (rabbitmq-inbox: empty discards) */
  readonly emptyIsAValue?: boolean
  readonly secret: Secret
  /** false: the key is validated, but any value other than its default refuses to start */
  readonly supported: boolean
  /** what a changed value does on SIGHUP (see `Reload`) */
  readonly reload: Reload
}

export type AnyKeySpec = { [P in keyof Settings]: KeySpec<P> }[keyof Settings]

type KeyDefinition<P extends keyof Settings> =
  & Omit<KeySpec<P>, "property" | "aliases" | "secret" | "defaultFrom">
  & Partial<Pick<KeySpec<P>, "aliases" | "secret">>
  & { readonly defaultFrom?: PropertyHolding<Settings[P]> }

const key = <P extends keyof Settings>(property: P, definition: KeyDefinition<P>): KeySpec<P> => ({
  aliases: [],
  secret: "no",
  ...definition,
  property
})

/** What MailerQ connects to when rabbitmq-address is empty (rabbitmq-config.md). */
export const MAILERQ_DEFAULT_RABBITMQ_ADDRESS = "amqp://guest:guest@localhost/"

const asIs = (value: string): string => value
const joinIps = (ips: ReadonlyArray<string>): string => ips.join(";")
/** MailerQ's 0 (and an empty value) is no limit. */
const connections = optional(zeroMeans(undefined, parsePositiveInteger(1_000_000, "connections"), "0 or nothing for no limit"))

/** Every key smtp-intake reads, in the order of SPEC §1. Flip `supported` as features land. */
export const configKeys = [
  key("smtpIp", {
    name: "smtp-ip", parse: optional(parseIp), format: asIs, default: undefined,
    whenUnset: "listen on all addresses", supported: true, reload: "restart"
  }),
  key("smtpPort", {
    name: "smtp-port", parse: parsePorts, format: formatPorts, default: [25], supported: true, reload: "restart"
  }),
  key("smtpSecurePort", {
    name: "smtp-secure-port", parse: parsePortsOrNone, format: formatPorts, default: [],
    whenUnset: "no implicit-TLS ports", supported: true, reload: "restart"
  }),
  key("smtpCertificate", {
    name: "smtp-certificate", parse: optional(parsePath), format: asIs, default: undefined,
    whenUnset: "no TLS", supported: true, reload: "live-while-set"
  }),
  key("smtpKey", {
    name: "smtp-key", aliases: ["smtp-privatekey"], parse: optional(parsePath), format: asIs, default: undefined,
    whenUnset: "no TLS", supported: true, reload: "live-while-set"
  }),
  key("smtpCiphers", {
    name: "smtp-ciphers", parse: optional(parseText("an OpenSSL cipher string like HIGH:!aNULL")), format: asIs,
    default: undefined, whenUnset: "OpenSSL default", supported: true, reload: "live"
  }),
  key("smtpRange", {
    name: "smtp-range", parse: parseIpRanges, format: formatIpRanges, default: [],
    whenUnset: "nobody may connect", supported: true, reload: "live"
  }),
  key("smtpAuth", {
    name: "smtp-auth", parse: optional(parseAuthUrl), format: asIs, default: undefined, secret: "auth-credentials",
    whenUnset: "no authentication", supported: true, reload: "restart"
  }),
  key("smtpProxy", {
    name: "smtp-proxy", parse: parseIpRanges, format: formatIpRanges, default: [],
    whenUnset: "no PROXY protocol", supported: true, reload: "live"
  }),
  key("smtpDefaultIps", {
    name: "smtp-default-ips", aliases: ["smtp-defaultips"], parse: parseIps, format: joinIps, default: [],
    whenUnset: "unmappable mail goes out from the local IP", supported: true, reload: "live"
  }),
  key("smtpMappableIps", {
    name: "smtp-mappable-ips", parse: parseIpRanges, format: formatIpRanges, default: [],
    whenUnset: "none", supported: true, reload: "live"
  }),
  key("smtpUnmappableIps", {
    name: "smtp-unmappable-ips", parse: parseIpRanges, format: formatIpRanges, default: [],
    whenUnset: "none", supported: true, reload: "live"
  }),
  key("smtpCheck", {
    name: "smtp-check", parse: parseChoices(["spf", "dkim", "dmarc", "spam"]), format: formatChoices, default: [],
    whenUnset: "no checks", supported: true, reload: "live"
  }),
  key("smtpAuthResults", {
    name: "smtp-auth-results", parse: parseChoices(["local", "nonlocal"]), format: formatChoices, default: [],
    whenUnset: "no Authentication-Results header", supported: true, reload: "live"
  }),
  key("smtpValidateAddress", {
    name: "smtp-validate-address", parse: parseChoice(["strict", "loose"]), format: asIs, default: "strict",
    supported: true, reload: "live"
  }),
  key("smtpConnections", {
    name: "smtp-connections", parse: connections, format: String, default: undefined,
    whenUnset: "unlimited", supported: true, reload: "live"
  }),
  key("smtpConnectionsIn", {
    name: "smtp-connections-in", parse: connections, format: String, default: undefined,
    whenUnset: "unlimited", supported: true, reload: "live"
  }),
  key("smtpConnectionsOut", {
    name: "smtp-connections-out", parse: connections, format: String, default: undefined,
    whenUnset: "unlimited", supported: true, reload: "live"
  }),
  key("smtpMaxsize", {
    name: "smtp-maxsize", parse: parseSize, format: formatSize, default: 100 * 1024 ** 2, supported: true, reload: "live"
  }),
  key("smtpThreads", {
    name: "smtp-threads", parse: parsePositiveInteger(256, "threads"), format: String, default: 1, supported: true,
    reload: "restart"
  }),
  key("smtpTimeout", {
    name: "smtp-timeout", parse: zeroMeans(0, parsePositiveInteger(86_400, "seconds"), "0 for no timeout"), format: String,
    default: 300, supported: true, reload: "live"
  }),
  key("smtpDataMemory", {
    name: "smtp-data-memory", parse: optional(parseSize), format: formatSize, default: undefined,
    whenUnset: "a quarter of the machine's memory", supported: true, reload: "restart"
  }),
  key("smtpErrorLimit", {
    name: "smtp-error-limit", parse: parsePositiveInteger(1_000_000, "errors"), format: String, default: 20,
    supported: true, reload: "live"
  }),
  key("smtpJunkLimit", {
    name: "smtp-junk-limit", parse: parsePositiveInteger(1_000_000, "commands"), format: String, default: 100,
    supported: true, reload: "live"
  }),
  key("smtpProtection", {
    name: "smtp-protection", parse: parseBoolean, format: formatBoolean, default: false, supported: true, reload: "live"
  }),
  key("smtpHostname", {
    name: "smtp-hostname", parse: optional(parseHostname), format: asIs, default: undefined,
    whenUnset: "the reverse DNS name of the local IP, else the machine's hostname", supported: true, reload: "live"
  }),
  key("smtpExtract", {
    name: "smtp-extract", parse: parseBoolean, format: formatBoolean, default: true, supported: true, reload: "live"
  }),
  key("dsnAdvertise", {
    name: "dsn-advertise", parse: parseBoolean, format: formatBoolean, default: false, supported: true, reload: "live"
  }),
  key("rabbitmqAddress", {
    name: "rabbitmq-address", parse: optional(parseAmqpUrl), format: asIs, default: undefined,
    secret: "passwords-in-urls", whenUnset: `${MAILERQ_DEFAULT_RABBITMQ_ADDRESS} (MailerQ's default; the embedded spool when embedded-spool-directory is set)`,
    supported: true, reload: "restart"
  }),
  key("rabbitmqInbox", {
    name: "rabbitmq-inbox", parse: optional(parseQueueName), format: asIs, default: "outbox", defaultFrom: "rabbitmqOutbox",
    emptyIsAValue: true, whenUnset: "empty: mail to non-local recipients is discarded", supported: true, reload: "restart"
  }),
  key("rabbitmqOutbox", {
    name: "rabbitmq-outbox", parse: parseQueueName, format: asIs, default: "outbox", supported: true, reload: "restart"
  }),
  key("rabbitmqLocal", {
    name: "rabbitmq-local", parse: optional(parseQueueName), format: asIs, default: undefined,
    whenUnset: "local messages go to rabbitmq-inbox (rabbitmq-outbox when the inbox is empty)", supported: true, reload: "restart"
  }),
  key("rabbitmqReports", {
    name: "rabbitmq-reports", parse: optional(parseQueueName), format: asIs, default: undefined,
    whenUnset: "reports are treated as other local messages", supported: true, reload: "restart"
  }),
  key("rabbitmqMaxMessageSize", {
    name: "rabbitmq-max-message-size", parse: optional(parseSize), format: formatSize, default: undefined,
    whenUnset: "the broker's default for its version", supported: true, reload: "restart"
  }),
  key("rabbitmqQueueType", {
    name: "rabbitmq-queue-type", parse: parseChoice(["classic", "quorum"]), format: asIs, default: "classic",
    supported: true, reload: "restart"
  }),
  key("dnsServers", {
    name: "dns-servers", parse: parseNameServers, format: formatNameServers, default: [],
    whenUnset: "the system's name servers (/etc/resolv.conf)", supported: true, reload: "restart"
  }),
  key("spamassassinHost", {
    name: "spamassassin-host", parse: parseHost, format: asIs, default: "localhost", supported: true, reload: "live"
  }),
  key("spamassassinPort", {
    name: "spamassassin-port", parse: parsePort, format: String, default: 783, supported: true, reload: "live"
  }),
  key("databaseAddress", {
    name: "database-address", aliases: ["database"], parse: parseDatabaseUrl, format: asIs,
    default: "sqlite:///var/lib/smtp-intake/intake.db", secret: "password-in-url", supported: true, reload: "restart"
  }),
  key("managementPort", {
    name: "management-port", parse: optional(parsePort), format: String, default: undefined,
    whenUnset: "no management console", supported: true, reload: "restart"
  }),
  key("managementIp", {
    name: "management-ip", parse: parseIp, format: asIs, default: "127.0.0.1", supported: true, reload: "restart"
  }),
  key("managementToken", {
    name: "management-token", parse: optional(parseToken), format: asIs, default: undefined, secret: "whole-value",
    whenUnset: "no token", supported: true, reload: "restart"
  }),
  // ---- the broker as MailerQ finds it (issue 15b) ----
  key("embeddedSpoolDirectory", {
    name: "embedded-spool-directory", parse: optional(parsePath), format: asIs, default: undefined,
    whenUnset: "publish to RabbitMQ", supported: true, reload: "restart"
  }),
  key("spoolDirectory", {
    name: "spool-directory", parse: optional(parsePath), format: asIs, default: undefined,
    // nothing reads it, so a new value takes no restart
    whenUnset: "none (MailerQ's pickup directory; smtp-intake neither watches nor writes it)", supported: true,
    reload: "live"
  }),
  key("rabbitmqVerify", {
    name: "rabbitmq-verify", parse: parseBoolean, format: formatBoolean, default: true, supported: true, reload: "restart"
  }),
  key("rabbitmqDeclare", {
    name: "rabbitmq-declare", parse: parseBoolean, format: formatBoolean, default: true, supported: true, reload: "restart"
  }),
  key("rabbitmqDurable", {
    name: "rabbitmq-durable", parse: parseBoolean, format: formatBoolean, default: true, supported: true, reload: "restart"
  }),
  key("rabbitmqLazy", {
    name: "rabbitmq-lazy", parse: parseBoolean, format: formatBoolean, default: false, supported: true, reload: "restart"
  }),
  key("rabbitmqMaxpriority", {
    name: "rabbitmq-maxpriority", parse: parseMaxPriority, format: String, default: undefined,
    whenUnset: "no priority queues", supported: true, reload: "restart"
  }),
  key("rabbitmqExchange", {
    name: "rabbitmq-exchange", parse: optional(parseExchangeName), format: asIs, default: undefined,
    whenUnset: "the default exchange", supported: true, reload: "restart"
  }),
  key("rabbitmqEncoding", {
    name: "rabbitmq-encoding", parse: optional(parseChoice(["gzip"])), format: asIs, default: undefined,
    whenUnset: "plain JSON", supported: true, reload: "restart"
  }),
  key("rabbitmqPersistent", {
    name: "rabbitmq-persistent", parse: parseBoolean, format: formatBoolean, default: true, supported: true, reload: "restart"
  }),
  key("rabbitmqRefused", {
    name: "rabbitmq-refused", parse: optional(parseQueueName), format: asIs, default: undefined,
    whenUnset: "messages refused for want of AUTH are not kept", supported: true, reload: "restart"
  })
]

// Compile-time check that the table covers every property of Settings.
type Uncovered = Exclude<keyof Settings, (typeof configKeys)[number]["property"]>
const everySettingHasAKey: [Uncovered] extends [never] ? true : Uncovered = true
void everySettingHasAKey

const byName = new Map<string, AnyKeySpec>(
  configKeys.flatMap((spec): Array<[string, AnyKeySpec]> => [spec.name, ...spec.aliases].map((name) => [name, spec]))
)

/** The key a (lower-case) name or alias means. */
export const findKey = (name: string): AnyKeySpec | undefined => byName.get(name)

/** Every accepted spelling: names and aliases. */
export const allKeyNames: ReadonlyArray<string> = [...byName.keys()]

// ---- masking secrets -----------------------------------------------------------------

const MASK = "****"

/** `scheme://user:password@host/...` -> `scheme://user:****@host/...`; anything else unchanged. */
export const maskUrlPassword = (text: string): string => {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(text)
  if (match === null) return text
  const [, scheme = "", authority = "", rest = ""] = match
  const at = authority.lastIndexOf("@")
  const colon = authority.indexOf(":")
  if (at === -1 || colon === -1 || colon > at) return text
  return `${scheme}${authority.slice(0, colon)}:${MASK}${authority.slice(at)}${rest}`
}

const maskAuthCredentials = (text: string): string => {
  const match = /^hardcoded:\/\/(.*)$/is.exec(text)
  if (match === null) return maskUrlPassword(text)
  const users = parseHardcodedUsers(match[1] ?? "")
  return users === undefined ? `hardcoded://${MASK}` : `hardcoded://${users.map(({ user }) => `${user}:${MASK}`).join(",")}`
}

export const maskSecret = (secret: Secret, text: string): string => {
  switch (secret) {
    case "no":
      return text
    case "password-in-url":
      return maskUrlPassword(text)
    case "passwords-in-urls":
      return text.split(",").map(maskUrlPassword).join(",")
    case "auth-credentials":
      return maskAuthCredentials(text)
    case "whole-value":
      return MASK
  }
}
