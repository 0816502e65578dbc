import { hostname as machineHostname } from "node:os"
import { Effect, Layer } from "effect"
import { AmqpPublisher } from "../adapters/amqp/amqp-publisher.ts"
import { RandomMessageIds } from "../adapters/ids/random-message-ids.ts"
import { SmtpListenerLayer } from "../adapters/smtp/smtp-listener.ts"
import { SpoolPublisher } from "../adapters/spool/spool-publisher.ts"
import { IntakeSettings } from "../application/ports/intake-settings.ts"
import type { Settings } from "../domain/config/settings.ts"
import { DEFAULT_MAX_RECIPIENTS } from "../domain/session/policy.ts"
import type { SessionPolicy } from "../domain/session/policy.ts"
import { changeFeedFor, managedListsStoreLayer } from "../adapters/database/store-from-url.ts"
import { CachedReverseDns } from "../adapters/dns/reverse-dns.ts"
import { NodeDns } from "../adapters/dns/node-dns.ts"
import { MailauthSenderAuthentication } from "../adapters/mailauth/mailauth-authentication.ts"
import { SpamdScanner } from "../adapters/spamd/spamd-client.ts"
import { ManagementServerLayer } from "../adapters/http/management-api.ts"
import { ManagedListsCache } from "../application/managed-lists-cache.ts"
import { ConnectionBudgetLayer } from "../application/connection-budget-keeper.ts"
import type { ConnectionBudget } from "../application/ports/connection-budget.ts"
import type { AuthAttempts } from "../application/ports/auth-attempts.ts"
import type { DaemonMetrics } from "../application/ports/metrics-reading.ts"
import type { Publisher } from "../application/ports/publisher.ts"
import { LocalDaemonMetrics } from "../application/read-metrics.ts"
import type { BudgetLimits } from "../domain/connections/connection-budget.ts"
import { AuthAttemptsLayer } from "../application/auth-attempts-keeper.ts"
import { InMemoryMetrics } from "../adapters/metrics/in-memory-metrics.ts"
import { parseAuthBackend } from "../domain/auth/auth-backend.ts"
import { authenticatorLayer } from "./authenticator.ts"
import { TlsReloadOnSighup } from "./tls-reload.ts"
import { loadTlsMaterial } from "./tls/tls-material.ts"
import type { TlsFiles } from "./tls/tls-material.ts"

export const sessionPolicy = (settings: Settings, fallbackHostname = machineHostname()): SessionPolicy => ({
  hostname: settings.smtpHostname ?? fallbackHostname,
  allowedRanges: settings.smtpRange,
  maxSize: settings.smtpMaxsize,
  maxRecipients: DEFAULT_MAX_RECIPIENTS,
  addressValidation: settings.smtpValidateAddress,
  authRequired: settings.smtpAuth !== undefined,
  protection: settings.smtpProtection
})

/** Broker when rabbitmq-address is set, otherwise the embedded spool (SPEC §7). */
const publisherLayer = (settings: Settings) =>
  settings.rabbitmqAddress === undefined
    ? SpoolPublisher.layer({ directory: settings.spoolDirectory })
    : AmqpPublisher.layer({
      url: settings.rabbitmqAddress,
      queues: [...new Set([settings.rabbitmqInbox, settings.rabbitmqLocal ?? settings.rabbitmqInbox, settings.rabbitmqReports ?? settings.rabbitmqInbox])],
      queueType: settings.rabbitmqQueueType,
      failOnQueueMismatchAtStart: true
    })

const intakeSettings = (settings: Settings, policy: SessionPolicy) =>
  Layer.succeed(IntakeSettings, IntakeSettings.of({
    policy,
    inboxQueue: settings.rabbitmqInbox,
    localQueue: settings.rabbitmqLocal ?? settings.rabbitmqInbox,
    reportsQueue: settings.rabbitmqReports,
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
  }))

/** A whole message may take twice smtp-timeout (10 minutes by default), however steadily it trickles in. */
export const dataDeadlineMs = (settings: Settings) => 2 * settings.smtpTimeout * 1000

/** How often each node checks the store for changes made elsewhere (another node, the CLI). */
const LISTS_REFRESH_MS = 1_000

/** The managed lists, served from memory; the store itself stays available to the management API. */
const managedLists = (settings: Settings) =>
  ManagedListsCache({ refreshMs: LISTS_REFRESH_MS, changes: changeFeedFor(settings.databaseAddress) }).pipe(
    Layer.provideMerge(managedListsStoreLayer(settings.databaseAddress))
  )

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

/** The budget of a single process (smtp-threads: 1); with more, the workers ask the primary's (`cluster/`). */
export const localConnectionBudget = (settings: Settings) =>
  ConnectionBudgetLayer(budgetLimits(settings), admissionWaitMs(settings))

/**
 * What the processes of one daemon share: the connection budget, the AUTH attempts and the metrics
 * a scrape shows. A single process keeps them itself; a cluster worker asks the primary (`cluster/`).
 * Built where the process's Publisher and Metrics are provided.
 */
export type SharedState = Layer.Layer<ConnectionBudget | AuthAttempts | DaemonMetrics, never, Publisher>

/** smtp-threads: 1 */
export const localSharedState = (settings: Settings): SharedState =>
  LocalDaemonMetrics.pipe(Layer.provideMerge(Layer.merge(localConnectionBudget(settings), AuthAttemptsLayer)))

/** The label of the AUTH failures: the kind of smtp-auth backend, or "none". */
export const authBackendLabel = (settings: Settings) =>
  settings.smtpAuth === undefined ? "none" : parseAuthBackend(settings.smtpAuth)?.kind ?? "none"

/** The management console, API and health probes, when management-port is set. */
const managementServer = (settings: Settings) =>
  settings.managementPort === undefined
    ? Layer.empty
    : ManagementServerLayer({ ip: settings.managementIp, port: settings.managementPort, token: settings.managementToken })

const tlsFiles = (settings: Settings): TlsFiles | undefined =>
  settings.smtpCertificate === undefined || settings.smtpKey === undefined
    ? undefined
    : { certificate: settings.smtpCertificate, key: settings.smtpKey, ciphers: settings.smtpCiphers }

/**
 * The whole daemon: SMTP listeners wired to the use cases and the configured publisher. The shared
 * state (budget, AUTH attempts, metrics as scraped) is the process's own, or, in a cluster worker,
 * the primary's over IPC.
 */
export const daemonLayer = (settings: Settings, shared: SharedState) =>
  Layer.unwrap(Effect.gen(function*() {
    const policy = sessionPolicy(settings)
    const files = tlsFiles(settings)
    const tls = files === undefined ? undefined : yield* loadTlsMaterial(files)
    const own = Layer.mergeAll(
      publisherLayer(settings),
      RandomMessageIds,
      intakeSettings(settings, policy),
      authenticatorLayer(settings.smtpAuth),
      managedLists(settings),
      CachedReverseDns,
      // smtp-check: SPF, DKIM and DMARC over DNS, spam through spamd (nothing connects until a message is checked)
      NodeDns(),
      MailauthSenderAuthentication,
      SpamdScanner({ host: settings.spamassassinHost, port: settings.spamassassinPort }),
      // what this process counts, for GET /metrics; AUTH failures are labelled with the kind of smtp-auth backend
      InMemoryMetrics(authBackendLabel(settings))
    )
    const services = shared.pipe(Layer.provideMerge(own))
    const listeners = SmtpListenerLayer({
      host: settings.smtpIp,
      ports: settings.smtpPort,
      securePorts: settings.smtpSecurePort,
      tls,
      auth: settings.smtpAuth !== undefined,
      proxyRanges: settings.smtpProxy,
      policy,
      timeoutSeconds: settings.smtpTimeout,
      dataDeadlineMs: dataDeadlineMs(settings)
    })
    const servers = Layer.merge(listeners, managementServer(settings)).pipe(Layer.provide(services))
    return files === undefined ? servers : TlsReloadOnSighup(files).pipe(Layer.provideMerge(servers))
  }))
