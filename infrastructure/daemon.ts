import { Effect, Layer } from "effect"
import { AmqpPublisher } from "../adapters/amqp/amqp-publisher.ts"
import type { QueueMismatchAtStart } from "../adapters/amqp/amqp-publisher.ts"
import { RandomMessageIds } from "../adapters/ids/random-message-ids.ts"
import { SmtpListenerLayer } from "../adapters/smtp/smtp-listener.ts"
import { SpoolPublisher } from "../adapters/spool/spool-publisher.ts"
import type { SpoolUnavailable } from "../adapters/spool/spool-publisher.ts"
import { IntakeSettings } from "../application/ports/intake-settings.ts"
import type { Settings } from "../domain/config/settings.ts"
import { MAILERQ_DEFAULT_RABBITMQ_ADDRESS } from "../domain/config/keys.ts"
import { changeFeedFor, managedListsStoreLayer } from "../adapters/database/store-from-url.ts"
import { CachedReverseDns } from "../adapters/dns/reverse-dns.ts"
import { NodeDns } from "../adapters/dns/node-dns.ts"
import { MailauthSenderAuthentication } from "../adapters/mailauth/mailauth-authentication.ts"
import { SpamdScanner } from "../adapters/spamd/spamd-client.ts"
import { ManagedListsCache } from "../application/managed-lists-cache.ts"
import { ConnectionBudgetLayer } from "../application/connection-budget-keeper.ts"
import type { ConnectionBudget } from "../application/ports/connection-budget.ts"
import type { AuthAttempts } from "../application/ports/auth-attempts.ts"
import type { DaemonMetrics } from "../application/ports/metrics-reading.ts"
import type { Publisher } from "../application/ports/publisher.ts"
import { LocalDaemonMetrics } from "../application/read-metrics.ts"
import { AuthAttemptsLayer } from "../application/auth-attempts-keeper.ts"
import { InMemoryMetrics } from "../adapters/metrics/in-memory-metrics.ts"
import { SessionJournalsLayer } from "../application/session-journals-keeper.ts"
import { RefusalTallyLayer } from "../application/console/refusal-tally.ts"
import { LocalDaemonFacts, ProcessConsoleLayer } from "../application/console/daemon-facts.ts"
import type { DaemonFacts, ProcessConsoleReader } from "../application/ports/daemon-facts.ts"
import { parseAuthBackend } from "../domain/auth/auth-backend.ts"
import { authenticatorLayer } from "./authenticator.ts"
import { ReloadOnSighup } from "./daemon-reload.ts"
import { makeProcessFacts } from "./process-facts.ts"
import { makeRunningSettings } from "./running-settings.ts"
import { admissionWaitMs, budgetLimits, dataMemoryBytes, dnsOptions, listenerSettings, spamdOptions } from "./settings-views.ts"
import { loadTlsMaterial, tlsFilesOf } from "./tls/tls-material.ts"

// the cluster primary takes its budget from the same settings
export { admissionWaitMs, budgetLimits } from "./settings-views.ts"
import { queuesPublishedTo } from "./settings-views.ts"

/** The embedded spool when embedded-spool-directory is set (SPEC §7), otherwise RabbitMQ (by default MailerQ's localhost). */
export const publisherLayer = (settings: Settings) =>
  Layer.merge(publisherChosen(settings), publisher(settings))

/** Says so when MailerQ's default broker applies: a config that used to mean the spool now means localhost. */
const publisherChosen = (settings: Settings) =>
  settings.embeddedSpoolDirectory === undefined && settings.rabbitmqAddress === undefined
    ? Layer.effectDiscard(Effect.logInfo(
      `no rabbitmq-address: publishing to MailerQ's default ${MAILERQ_DEFAULT_RABBITMQ_ADDRESS} (set embedded-spool-directory for the embedded spool instead)`
    ))
    : Layer.empty

const publisher = (settings: Settings): Layer.Layer<Publisher, QueueMismatchAtStart | SpoolUnavailable> =>
  settings.embeddedSpoolDirectory !== undefined
    ? SpoolPublisher.layer({ directory: settings.embeddedSpoolDirectory })
    : AmqpPublisher.layer({
      url: settings.rabbitmqAddress ?? MAILERQ_DEFAULT_RABBITMQ_ADDRESS,
      queues: queuesPublishedTo(settings),
      queueType: settings.rabbitmqQueueType,
      maxMessageSize: settings.rabbitmqMaxMessageSize,
      failOnQueueMismatchAtStart: true,
      ...brokerAsMailerQDeclaresIt(settings)
    })

/** rabbitmq-durable, -lazy, -maxpriority, -exchange, -declare, -verify, -persistent, -encoding (issue 15b) */
const brokerAsMailerQDeclaresIt = (settings: Settings) => ({
  durable: settings.rabbitmqDurable,
  lazy: settings.rabbitmqLazy,
  maxPriority: settings.rabbitmqMaxpriority,
  exchange: settings.rabbitmqExchange,
  declare: settings.rabbitmqDeclare,
  verify: settings.rabbitmqVerify,
  persistent: settings.rabbitmqPersistent,
  encoding: settings.rabbitmqEncoding
})

/** How often each node checks the store for changes made elsewhere (another node, the CLI). */
const LISTS_REFRESH_MS = 1_000

/** The managed lists, served from memory; the store itself stays available to the management API. */
const managedLists = (settings: Settings) =>
  ManagedListsCache({ refreshMs: LISTS_REFRESH_MS, changes: changeFeedFor(settings.databaseAddress) }).pipe(
    Layer.provideMerge(managedListsStoreLayer(settings.databaseAddress))
  )

/**
 * The budget of a single process (smtp-threads: 1), its limits changed by a reload; with more, the
 * workers ask the primary's (`cluster/`).
 */
export const localConnectionBudget = (settings: Settings) =>
  ConnectionBudgetLayer(budgetLimits(settings), admissionWaitMs(settings))

/**
 * What the processes of one daemon share: the connection budget, the AUTH attempts, the metrics
 * a scrape shows, the session journals the API shows (the last 1,000 sessions of each process) and what the console shows of each process. A single process keeps them itself; a cluster worker asks the primary (`cluster/`).
 * Built where the process's Publisher and Metrics are provided.
 */
export type SharedState = Layer.Layer<ConnectionBudget | AuthAttempts | DaemonMetrics | DaemonFacts, never, Publisher | ProcessConsoleReader>

/** smtp-threads: 1 */
export const localSharedState = (settings: Settings): SharedState =>
  Layer.merge(LocalDaemonMetrics, LocalDaemonFacts).pipe(Layer.provideMerge(Layer.mergeAll(localConnectionBudget(settings), AuthAttemptsLayer, SessionJournalsLayer())))

/** The label of the AUTH failures: the kind of smtp-auth backend, or "none". */
export const authBackendLabel = (settings: Settings) =>
  settings.smtpAuth === undefined ? "none" : parseAuthBackend(settings.smtpAuth)?.kind ?? "none"

/** The management console, API and health probes, when management-port is set (Effect's HTTP server is loaded only then). */
const managementServer = ({ managementIp: ip, managementPort: port, managementToken: token }: Settings) =>
  port === undefined
    ? Layer.empty
    : Layer.unwrap(Effect.promise(() => import("../adapters/http/management-api.ts")).pipe(
      Effect.map(({ ManagementServerLayer }) => ManagementServerLayer({ ip, port, token }))
    ))

/**
 * The whole daemon: SMTP listeners wired to the use cases and the configured publisher, reloaded
 * on SIGHUP. The shared state (budget, AUTH attempts, metrics as scraped) is the process's own,
 * or, in a cluster worker, the primary's over IPC. The settings bound at start (ports, publisher, store, authenticator, management
 * server) are taken from `settings` once; the others are read from the running settings.
 */
export const daemonLayer = (settings: Settings, shared: SharedState) =>
  Layer.unwrap(Effect.gen(function*() {
    const files = tlsFilesOf(settings)
    const tls = files === undefined ? undefined : yield* loadTlsMaterial(files)
    const running = yield* makeRunningSettings(settings)
    const facts = makeProcessFacts(running)
    const own = Layer.mergeAll(
      publisherLayer(settings),
      RandomMessageIds,
      Layer.succeed(IntakeSettings, IntakeSettings.of({ current: running.intake })),
      authenticatorLayer(settings.smtpAuth),
      managedLists(settings),
      CachedReverseDns,
      // smtp-check: SPF, DKIM and DMARC over DNS, spam through spamd (nothing connects until a message is checked)
      NodeDns(dnsOptions(settings)),
      MailauthSenderAuthentication,
      SpamdScanner(Effect.map(running.settings, spamdOptions)),
      // what this process counts, for GET /metrics; AUTH failures are labelled with the kind of smtp-auth backend
      InMemoryMetrics(authBackendLabel(settings)),
      // for the console: the refusals of the last hour, this process's settings and last reload
      ProcessConsoleLayer(facts.read).pipe(Layer.provideMerge(RefusalTallyLayer))
    )
    const services = shared.pipe(Layer.provideMerge(own))
    const listeners = SmtpListenerLayer({
      ...listenerSettings(settings, tls),
      host: settings.smtpIp,
      ports: settings.smtpPort,
      securePorts: settings.smtpSecurePort,
      auth: settings.smtpAuth !== undefined,
      dataMemoryBytes: dataMemoryBytes(settings)
    })
    const servers = Layer.merge(listeners, managementServer(settings)).pipe(Layer.provideMerge(services))
    return ReloadOnSighup(settings, running, facts.record).pipe(Layer.provide(servers))
  }))
