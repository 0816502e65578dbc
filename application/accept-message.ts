import { Clock, Effect } from "effect"
import { addsAuthResults, runsChecks } from "../domain/checks/checks-config.ts"
import { withoutOurAuthResults } from "../domain/checks/forged-auth-results.ts"
import type { SpfVerdict } from "../domain/checks/verdicts.ts"
import { injectedIps, outgoingIps } from "../domain/ip/outgoing-ips.ts"
import { concatBytes, utf8 } from "../domain/message/json-bytes.ts"
import { dsnProperty } from "../domain/message/dsn-property.ts"
import { buildMessageDocuments } from "../domain/message/message-document.ts"
import type { MessageDocument } from "../domain/message/message-document.ts"
import { extractMqHeaders } from "../domain/message/x-mq-headers.ts"
import type { MqProperties } from "../domain/message/x-mq-headers.ts"
import { detectReport } from "../domain/reports/detect-report.ts"
import type { ConnectionInfo } from "../domain/session/connection.ts"
import type { Envelope, Recipient } from "../domain/session/state.ts"
import type { IntakeSettingsSnapshot } from "./ports/intake-settings.ts"
import { MessageIds } from "./ports/message-ids.ts"
import { Publisher } from "./ports/publisher.ts"
import type { Delivery } from "./ports/publisher.ts"
import { amqpPriority } from "../domain/message/amqp-priority.ts"
import { runChecks } from "./run-checks.ts"

export interface ReceivedMessage {
  /** our name in this session's greeting */
  readonly hostname: string
  readonly connection: ConnectionInfo
  readonly helo: string
  readonly envelope: Envelope
  readonly mime: Uint8Array
  /**
   * "command-line": injected by `smtp-intake send` (no IP it came in on; `--envelope`, when given,
   * goes over x-mq-envelope); absent: received over SMTP
   */
  readonly origin?: { readonly _tag: "command-line"; readonly explicitSender: boolean }
}

const NO_EXTRACTION = { properties: {} as MqProperties, ignored: [] as ReadonlyArray<string> }

const stringsOf = (value: unknown): ReadonlyArray<string> =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []

/** One queue's share of a message: its recipients and what their documents carry besides. */
interface Route {
  /** none: discarded (rabbitmq-inbox set empty) */
  readonly queue: string | undefined
  /** for local addresses (smtp-auth-results: local) */
  readonly local: boolean
  readonly recipients: ReadonlyArray<Recipient>
  readonly properties: Readonly<Record<string, unknown>>
}

/**
 * SPEC §6: mail to local addresses goes to rabbitmq-local marked `"local": true`, and when
 * rabbitmq-reports is set, a local message that is a DSN or DMARC report goes there instead,
 * with its `report`. Everything else goes to rabbitmq-inbox, or nowhere when that is set empty
 * (MailerQ's documented "discard", warned about at start).
 */
const routes = (
  settings: IntakeSettingsSnapshot,
  recipients: ReadonlyArray<Recipient>,
  mime: Uint8Array,
  properties: Readonly<Record<string, unknown>>
): ReadonlyArray<Route> => {
  // rabbitmq-refused: the whole message is kept there, with the refusal, and goes nowhere else
  if (recipients.some((r) => r.provisional)) {
    if (settings.refusedQueue === undefined) return []
    const refused = {
      code: 530,
      status: "5.7.0",
      description: "Authentication required",
      recipients: recipients.filter((r) => r.provisional).map((r) => r.address)
    }
    return [{ queue: settings.refusedQueue, local: false, recipients, properties: { ...properties, refused } }]
  }
  const local = recipients.filter((r) => r.local)
  const remote = recipients.filter((r) => !r.local)
  const report = local.length > 0 && settings.reportsQueue !== undefined ? detectReport(mime) : undefined
  const localRoute: Route = report === undefined || settings.reportsQueue === undefined
    ? { queue: settings.localQueue, local: true, recipients: local, properties: { ...properties, local: true } }
    : { queue: settings.reportsQueue, local: true, recipients: local, properties: { ...properties, local: true, report } }
  return [{ queue: settings.inboxQueue, local: false, recipients: remote, properties }, localRoute].filter((r) => r.recipients.length > 0)
}

/** A message every document of which the broker (or the spool) holds. */
export interface AcceptedMessage {
  /** in recipient order */
  readonly messageIds: ReadonlyArray<string>
  /** how long the publish waited for the confirms, ms: the broker's share of the time to the 250 */
  readonly brokerMs: number
}

/**
 * Turns a received message into one JSON document per recipient and publishes them all, under the
 * settings its session started with. Succeeds only when every document is durable.
 */
export const acceptMessage = Effect.fnUntraced(function*(
  message: ReceivedMessage,
  settings: IntakeSettingsSnapshot,
  /** SPF under way since MAIL FROM (see `session/early-spf.ts`) */
  spf?: Effect.Effect<SpfVerdict | undefined>
) {
  const ids = yield* MessageIds
  const publisher = yield* Publisher
  const extraction = settings.extractMqHeaders
    ? extractMqHeaders(message.mime)
    : { mime: message.mime, ...NO_EXTRACTION }
  if (extraction.ignored.length > 0) {
    yield* Effect.logWarning("x-mq headers ignored: server-owned or malformed names").pipe(
      Effect.annotateLogs({ client: message.connection.remoteIp, headers: extraction.ignored.join(",") })
    )
  }
  const { envelope: mqEnvelope, ips: mqIps, dsn: mqDsn, ...properties } = extraction.properties
  const { recipients } = message.envelope
  const idOf = new Map<Recipient, string>()
  for (const recipient of recipients) idOf.set(recipient, yield* ids.next)
  const epochMillis = yield* Clock.currentTimeMillis
  // smtp-check and smtp-auth-results (SPEC §8), on the message as the client sent it
  const checked = runsChecks(settings)
    ? yield* runChecks({
      mime: message.mime,
      sender: message.envelope.sender,
      helo: message.helo,
      clientIp: message.connection.remoteIp,
      hostname: message.hostname,
      spf
    }, settings)
    : undefined
  const checkProperties = checked !== undefined && settings.checks.length > 0 ? { checks: checked.checks } : {}
  const common = {
    hostname: message.hostname,
    helo: message.helo,
    connection: message.connection,
    sender: typeof mqEnvelope === "string" && message.origin?.explicitSender !== true ? mqEnvelope : message.envelope.sender,
    epochMillis,
    ips: message.origin === undefined
      ? outgoingIps(settings.outgoingIps, message.connection.localIp, stringsOf(mqIps))
      : injectedIps(settings.outgoingIps, stringsOf(mqIps)),
    mime: extraction.mime
  }
  const deliveries: Array<Delivery> = []
  for (const route of routes(settings, recipients, extraction.mime, { ...properties, ...checkProperties })) {
    if (route.queue === undefined) {
      yield* Effect.logInfo("message discarded for non-local recipients: rabbitmq-inbox is empty").pipe(
        Effect.annotateLogs({ client: message.connection.remoteIp, discarded: route.recipients.map((r) => idOf.get(r)).join(",") })
      )
      continue
    }
    const authResults = addsAuthResults(settings.authResults, route.local) ? checked?.authResults : undefined
    const documents: ReadonlyArray<MessageDocument> = buildMessageDocuments({
      ...common,
      mime: authResults === undefined
        ? common.mime
        : concatBytes([utf8(authResults), withoutOurAuthResults(common.mime, message.hostname)]),
      recipients: route.recipients.map((r) => r.address),
      messageIds: route.recipients.map((r) => idOf.get(r) ?? ""),
      dsn: route.recipients.map((r) => dsnProperty(message.envelope.dsn, r.dsn, mqDsn)),
      properties: route.properties
    })
    const priority = amqpPriority(route.properties["priority"])
    for (const d of documents) deliveries.push({ queue: route.queue, messageId: d.messageId, body: d.body, priority })
  }
  const publishing = yield* Clock.currentTimeNanos
  if (deliveries.length > 0) yield* publisher.publish(deliveries)
  const brokerMs = Number((yield* Clock.currentTimeNanos) - publishing) / 1e6
  const accepted: AcceptedMessage = { messageIds: recipients.map((r) => idOf.get(r) ?? ""), brokerMs }
  return accepted
})
