import { hostname as machineHostname, totalmem } from "node:os"
import type { ListenerSettings } from "../adapters/smtp/smtp-listener.ts"
import type { TlsMaterial } from "../adapters/smtp/tls-options.ts"
import type { SpamdOptions } from "../adapters/spamd/spamd-client.ts"
import type { IntakeSettingsSnapshot } from "../application/ports/intake-settings.ts"
import type { Settings } from "../domain/config/settings.ts"
import type { BudgetLimits } from "../domain/connections/connection-budget.ts"
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
  maxJunk: settings.smtpJunkLimit
})

export const intakeSnapshot = (settings: Settings): IntakeSettingsSnapshot => ({
  policy: sessionPolicy(settings),
  inboxQueue: settings.rabbitmqInbox,
  localQueue: settings.rabbitmqLocal ?? settings.rabbitmqInbox,
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

/** A whole message may take twice smtp-timeout (10 minutes by default), however steadily it trickles in. */
export const dataDeadlineMs = (settings: Settings) => 2 * settings.smtpTimeout * 1000

export const listenerSettings = (settings: Settings, tls: TlsMaterial | undefined): ListenerSettings => ({
  tls,
  proxyRanges: settings.smtpProxy,
  hostname: ownHostname(settings),
  timeoutSeconds: settings.smtpTimeout,
  dataDeadlineMs: dataDeadlineMs(settings)
})

/**
 * This process's share of smtp-data-memory (by default a quarter of the machine's memory): with
 * smtp-threads, each worker has its part.
 */
export const dataMemoryBytes = (settings: Settings, machineMemory = totalmem()): number =>
  Math.floor((settings.smtpDataMemory ?? machineMemory / 4) / settings.smtpThreads)

/** How many held connections may wait for a slot at once; later ones get 421 at once. */
const MAX_WAITING_CONNECTIONS = 1000

/** A held connection waits at most smtp-timeout, and never more than a minute, before its 421. */
export const admissionWaitMs = (settings: Settings) => Math.min(settings.smtpTimeout, 60) * 1000

export const budgetLimits = (settings: Settings): BudgetLimits => ({
  total: settings.smtpConnections,
  incoming: settings.smtpConnectionsIn,
  outgoing: settings.smtpConnectionsOut,
  maxWaiting: MAX_WAITING_CONNECTIONS
})

export const spamdOptions = (settings: Settings): SpamdOptions => ({ host: settings.spamassassinHost, port: settings.spamassassinPort })
