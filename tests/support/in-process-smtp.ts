import { Effect, Layer, Logger, ManagedRuntime } from "effect"
import { TestClock } from "effect/testing"
import { SmtpListenerLayer, SmtpListeners } from "../../adapters/smtp/smtp-listener.ts"
import type { TlsMaterial } from "../../adapters/smtp/tls-options.ts"
import { ConnectionBudgetLayer } from "../../application/connection-budget-keeper.ts"
import { AuthAttempts } from "../../application/ports/auth-attempts.ts"
import { BlockedAddresses } from "../../application/ports/blocked-addresses.ts"
import { Dns, DnsFailure } from "../../application/ports/dns.ts"
import { IntakeSettings } from "../../application/ports/intake-settings.ts"
import type { IntakeSettingsSnapshot } from "../../application/ports/intake-settings.ts"
import { LocalAddresses } from "../../application/ports/local-addresses.ts"
import { MessageIds } from "../../application/ports/message-ids.ts"
import { MtaHostnames } from "../../application/ports/mta-hostnames.ts"
import { Publisher, PublishFailed } from "../../application/ports/publisher.ts"
import type { Delivery } from "../../application/ports/publisher.ts"
import { ReverseDns } from "../../application/ports/reverse-dns.ts"
import { SenderAuthentication } from "../../application/ports/sender-authentication.ts"
import { SessionJournals } from "../../application/ports/session-journals.ts"
import type { JournalQuery, SessionJournal } from "../../application/ports/session-journals.ts"
import { SpamScanFailed, SpamScanner } from "../../application/ports/spam-scanner.ts"
import { makeJournalRing } from "../../application/session-journals-keeper.ts"
import { parseIpRange } from "../../domain/ip/ip-range.ts"
import type { IpRange } from "../../domain/ip/ip-range.ts"
import { DEFAULT_MAX_ERRORS, DEFAULT_MAX_JUNK } from "../../domain/session/policy.ts"
import type { SessionPolicy } from "../../domain/session/policy.ts"
import { fakeAuthenticator } from "./doubles/fake-authenticator.ts"

/**
 * The real SMTP listener, connection loop, session and acceptMessage, in the test process, on a
 * loopback port of its own (port 0): with an in-memory Publisher, fixed message ids and Effect's
 * TestClock (every JSON says 1970), and the fake authenticator (alice/right). No broker, no daemon.
 */
export interface InProcessSmtp {
  readonly port: number
  /** the documents published so far, in order */
  readonly deliveries: ReadonlyArray<Delivery>
  /** every log line, as JSON */
  readonly logs: ReadonlyArray<Record<string, unknown>>
  /** the next publishes fail (451) while this is true */
  failPublish: boolean
  readonly journals: (query?: JournalQuery) => Promise<ReadonlyArray<SessionJournal>>
  readonly stop: () => Promise<void>
}

export interface InProcessOptions {
  readonly policy?: Partial<SessionPolicy>
  /** STARTTLS with this material (and AUTH if `policy.authRequired`) */
  readonly tls?: TlsMaterial
  /** addresses on the local-address list */
  readonly local?: ReadonlyArray<string>
  readonly timeoutSeconds?: number
  readonly dataDeadlineMs?: number
  readonly proxyRanges?: ReadonlyArray<string>
  /** the memory budget for message data in flight */
  readonly dataMemoryBytes?: number
  /** a publish whose documents contain this text fails (451), as a broker that refuses would */
  readonly failWhenMimeHas?: string
  /** what the use cases read besides the policy (queues, outgoing IPs, ...) */
  readonly settings?: Partial<Omit<IntakeSettingsSnapshot, "policy">>
}

const range = (text: string): IpRange => {
  const parsed = parseIpRange(text)
  if (parsed === undefined) throw new Error(`bad range ${text}`)
  return parsed
}

export const HARNESS_HOSTNAME = "mx.harness.test"

export const startInProcessSmtp = async (options: InProcessOptions = {}): Promise<InProcessSmtp> => {
  const deliveries: Array<Delivery> = []
  const logs: Array<Record<string, unknown>> = []
  let counter = 0
  const policy: SessionPolicy = {
    hostname: HARNESS_HOSTNAME,
    allowedRanges: [range("127.0.0.0/8"), range("::1")],
    maxSize: 10_000,
    maxRecipients: 5,
    addressValidation: "strict",
    authRequired: false,
    keepRefused: false,
    protection: false,
    tlsOffered: options.tls !== undefined,
    maxErrors: DEFAULT_MAX_ERRORS,
    maxJunk: DEFAULT_MAX_JUNK,
    ...options.policy
  }
  const snapshot: IntakeSettingsSnapshot = {
    policy,
    inboxQueue: "inbox",
    localQueue: "local",
    reportsQueue: undefined,
    refusedQueue: policy.keepRefused ? "refused" : undefined,
    outgoingIps: { defaultIps: [], mappable: [], unmappable: [] },
    extractMqHeaders: true,
    configuredHostname: HARNESS_HOSTNAME,
    machineHostname: "machine.harness.test",
    checks: [],
    authResults: [],
    ...options.settings
  }
  const local = new Set((options.local ?? []).map((a) => a.toLowerCase()))
  const harness = {
    failPublish: false
  }
  const journals = makeJournalRing(1_000)
  const services = Layer.mergeAll(
    Layer.succeed(IntakeSettings, IntakeSettings.of({ current: Effect.succeed(snapshot) })),
    Layer.succeed(MessageIds, MessageIds.of({ next: Effect.sync(() => `id${String(++counter).padStart(6, "0")}`) })),
    Layer.succeed(Publisher, Publisher.of({
      publish: (batch) =>
        Effect.suspend(() => {
          const marked = options.failWhenMimeHas !== undefined &&
            batch.some((d) => Buffer.from(d.body).toString("latin1").includes(options.failWhenMimeHas!))
          if (harness.failPublish || marked) return Effect.fail(new PublishFailed({ message: "the test's publisher refuses" }))
          deliveries.push(...batch)
          return Effect.void
        }),
      isReady: Effect.succeed(true)
    })),
    Layer.succeed(LocalAddresses, LocalAddresses.of({ isLocal: (address) => Effect.succeed(local.has(address.toLowerCase())) })),
    Layer.succeed(BlockedAddresses, BlockedAddresses.of({ isBlocked: () => Effect.succeed(false) })),
    Layer.succeed(MtaHostnames, MtaHostnames.of({ hostnameFor: () => Effect.succeed(undefined) })),
    Layer.succeed(ReverseDns, ReverseDns.of({ nameOf: () => Effect.succeed(undefined) })),
    // no throttle here: its rules have their own tests, and a delay would wait on the TestClock
    Layer.succeed(AuthAttempts, AuthAttempts.of({
      assess: () => Effect.succeed({ _tag: "Allowed", delayMs: 0 } as const),
      recordFailure: () => Effect.void,
      recordSuccess: () => Effect.void
    })),
    fakeAuthenticator().layer,
    Layer.succeed(Dns, Dns.of({ resolve: () => Effect.fail(new DnsFailure({ code: "ENOTFOUND", message: "no DNS in the harness" })) })),
    Layer.succeed(SenderAuthentication, SenderAuthentication.of({ authenticate: () => Effect.die("no checks in the harness"), spf: () => Effect.die("no checks in the harness") })),
    Layer.succeed(SpamScanner, SpamScanner.of({ scan: () => Effect.fail(new SpamScanFailed({ message: "no spamd in the harness" })) })),
    ConnectionBudgetLayer({ total: undefined, incoming: undefined, outgoing: undefined, maxWaiting: 1_000 }, 1_000),
    Layer.succeed(SessionJournals, journals)
  )
  const capture = Logger.layer([Logger.map(Logger.formatJson, (line) => void logs.push(JSON.parse(line) as Record<string, unknown>))])
  const listener = SmtpListenerLayer({
    host: "127.0.0.1",
    ports: [0],
    securePorts: [],
    auth: policy.authRequired,
    tls: options.tls,
    proxyRanges: (options.proxyRanges ?? []).map(range),
    hostname: HARNESS_HOSTNAME,
    timeoutSeconds: options.timeoutSeconds ?? 30,
    dataDeadlineMs: options.dataDeadlineMs ?? 60_000,
    dataMemoryBytes: options.dataMemoryBytes ?? 64 * 1024 * 1024
  })
  const runtime = ManagedRuntime.make(
    listener.pipe(Layer.provideMerge(services), Layer.provide(capture), Layer.provide(TestClock.layer()))
  )
  const listeners = await runtime.runPromise(Effect.service(SmtpListeners))
  const port = listeners.boundPorts[0]?.port ?? 0
  return Object.assign(harness, {
    port,
    deliveries,
    logs,
    journals: (query: JournalQuery = {}) => Effect.runPromise(journals.find(query)),
    stop: () => runtime.dispose()
  })
}
