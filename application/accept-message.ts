import { Clock, Effect } from "effect"
import { outgoingIps } from "../domain/ip/outgoing-ips.ts"
import { buildMessageDocuments } from "../domain/message/message-document.ts"
import { extractMqHeaders } from "../domain/message/x-mq-headers.ts"
import type { MqProperties } from "../domain/message/x-mq-headers.ts"
import type { ConnectionInfo } from "../domain/session/connection.ts"
import type { Envelope } from "../domain/session/state.ts"
import { IntakeSettings } from "./ports/intake-settings.ts"
import { MessageIds } from "./ports/message-ids.ts"
import { Publisher } from "./ports/publisher.ts"

export interface ReceivedMessage {
  readonly connection: ConnectionInfo
  readonly helo: string
  readonly envelope: Envelope
  readonly mime: Uint8Array
}

const NO_EXTRACTION = { properties: {} as MqProperties, ignored: [] as ReadonlyArray<string> }

const stringsOf = (value: unknown): ReadonlyArray<string> =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []

/**
 * Turns a received message into one JSON document per recipient and publishes them all.
 * Succeeds with the message ids (in recipient order) only when every document is durable.
 */
export const acceptMessage = Effect.fn("acceptMessage")(function*(message: ReceivedMessage) {
  const settings = yield* IntakeSettings
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
  const { envelope: mqEnvelope, ips: mqIps, ...properties } = extraction.properties
  const messageIds: Array<string> = []
  for (let i = 0; i < message.envelope.recipients.length; i++) messageIds.push(yield* ids.next)
  const documents = buildMessageDocuments({
    hostname: settings.policy.hostname,
    helo: message.helo,
    connection: message.connection,
    sender: typeof mqEnvelope === "string" ? mqEnvelope : message.envelope.sender,
    recipients: message.envelope.recipients,
    messageIds,
    epochMillis: yield* Clock.currentTimeMillis,
    ips: outgoingIps(settings.outgoingIps, message.connection.localIp, stringsOf(mqIps)),
    mime: extraction.mime,
    properties
  })
  yield* publisher.publish(documents.map((d) => ({ queue: settings.inboxQueue, messageId: d.messageId, body: d.body })))
  return messageIds
})
