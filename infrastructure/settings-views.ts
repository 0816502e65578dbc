import { hostname as machineHostname, totalmem } from "node:os"
import type { NodeDnsOptions } from "../adapters/dns/node-dns.ts"
import type { ListenerSettings } from "../adapters/smtp/smtp-listener.ts"
import type { TlsMaterial } from "../adapters/smtp/tls-options.ts"
import type { SpamdOptions } from "../adapters/spamd/spamd-client.ts"
import type { IntakeSettingsSnapshot } from "../application/ports/intake-settings.ts"
import type { Settings } from "../domain/config/settings.ts"
import { DEFAULT_MAX_RECIPIENTS } from "../domain/session/policy.ts"
import type { SessionPolicy } from "../domain/session/policy.ts"

/** What each part of the daemon takes from the settings: at start, and again on every reload. */

/** Our name: smtp-hostname, else the machine's (per-IP MTA hostnames are chosen per connection). */
const ownHostname = (settings: Settings, fallbackHostname = machineHostname()) => settings.smtpHostname ?? fallbackHostname

export const sessionPolicy = (settings: Settings, fallbackHostname = machineHostname()): SessionPolicy => ({
  hostname: ownHostname(settings, fallbackHostname),
  allowedRanges: settings.smtpRange,
  maxSize: settings.smtpMaxsize,
  maxRecipients: DEFAULT_MAX_RECIPIENTS,
  addressValidation: settings.smtpValidateAddress,
  authRequired: settings.smtpAuth !== undefined,
  keepRefused: settings.rabbitmqRefused !== undefined,
  protection: settings.smtpProtection,
  tlsOffered: settings.smtpCertificate !== undefined && settings.smtpKey !== undefined,
  maxErrors: settings.smtpErrorLimit,
  maxJunk: settings.smtpJunkLimit,
  dsnOffered: settings.dsnAdvertise
})

/**
 * Local mail: rabbitmq-local, else the inbox; with the inbox set empty (non-local mail discarded),
 * the outbox, as MailerQ's `rabbitmq-config.md` has it ("or to the outbox queue if no inbox was set").
 */
const localQueue = (settings: Settings): string => settings.rabbitmqLocal ?? settings.rabbitmqInbox ?? settings.rabbitmqOutbox

/** Every queue a message may be published to: declared at start. */
export const queuesPublishedTo = (settings: Settings): ReadonlyArray<string> => {
  const queues = [settings.rabbitmqInbox, localQueue(settings), settings.rabbitmqReports, settings.rabbitmqRefused]
  return [...new Set(queues.filter((queue) => queue !== undefined))]
}

export const intakeSnapshot = (settings: Settings): IntakeSettingsSnapshot => ({
  policy: sessionPolicy(settings),
  inboxQueue: settings.rabbitmqInbox,
  localQueue: localQueue(settings),
  reportsQueue: settings.rabbitmqReports,
  refusedQueue: settings.rabbitmqRefused,
  outgoingIps: {
    defaultIps: settings.smtpDefaultIps,
    mappable: settings.smtpMappableIps,
    unmappable: settings.smtpUnmappableIps
  },
  extractMqHeaders: settings.smtpExtract,
  configuredHostname: settings.smtpHostname,
  machineHostname: machineHostname(),
  checks: settings.smtpCheck,
  authResults: settings.smtpAuthResults
})

/**
 * smtp-timeout in seconds; MailerQ's 0 (no timeout) is the longest a Node.js timer can wait,
 * about 24 days (a longer delay would fire at once).
 */
const LONGEST_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 2000)
const timeoutSeconds = (settings: Settings): number => settings.smtpTimeout === 0 ? LONGEST_TIMER_SECONDS : settings.smtpTimeout

/** A whole message may take twice smtp-timeout (10 minutes by default), however steadily it trickles in. */
export const dataDeadlineMs = (settings: Settings) => 2 * timeoutSeconds(settings) * 1000

export const listenerSettings = (settings: Settings, tls: TlsMaterial | undefined): ListenerSettings => ({
  tls,
  proxyRanges: settings.smtpProxy,
  hostname: ownHostname(settings),
  timeoutSeconds: timeoutSeconds(settings),
  dataDeadlineMs: dataDeadlineMs(settings)
})

/**
 * This process's share of smtp-data-memory (by default a quarter of the machine's memory): with
 * smtp-threads, each worker has its part.
 */
export const dataMemoryBytes = (settings: Settings, machineMemory = totalmem()): number =>
  Math.floor((settings.smtpDataMemory ?? machineMemory / 4) / settings.smtpThreads)

/** How many held connections may wait for a slot at once; later ones get 421 at once. */
// the connection budget's, in the domain: the simulator reads them from a config too
export { admissionWaitMs, budgetLimits } from "../domain/connections/budget-settings.ts"

export const spamdOptions = (settings: Settings): SpamdOptions => ({ host: settings.spamassassinHost, port: settings.spamassassinPort })

/** dns-servers, else the system's name servers */
export const dnsOptions = (settings: Settings): NodeDnsOptions =>
  settings.dnsServers.length === 0 ? {} : { servers: settings.dnsServers }
