import { Clock, Effect } from "effect"
import { buildMessageDocuments } from "../domain/message/message-document.ts"
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

/**
 * Turns a received message into one JSON document per recipient and publishes them all.
 * Succeeds with the message ids (in recipient order) only when every document is durable.
 */
export const acceptMessage = Effect.fn("acceptMessage")(function*(message: ReceivedMessage) {
  const settings = yield* IntakeSettings
  const ids = yield* MessageIds
  const publisher = yield* Publisher
  const messageIds: Array<string> = []
  for (let i = 0; i < message.envelope.recipients.length; i++) messageIds.push(yield* ids.next)
  const documents = buildMessageDocuments({
    hostname: settings.policy.hostname,
    helo: message.helo,
    connection: message.connection,
    sender: message.envelope.sender,
    recipients: message.envelope.recipients,
    messageIds,
    epochMillis: yield* Clock.currentTimeMillis,
    ips: [message.connection.localIp],
    mime: message.mime
  })
  yield* publisher.publish(documents.map((d) => ({ queue: settings.inboxQueue, messageId: d.messageId, body: d.body })))
  return messageIds
})
