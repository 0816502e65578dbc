import { isSecure } from "../session/connection.ts"
import type { ConnectionInfo } from "../session/connection.ts"
import { concatBytes, escapeJsonStringBytes, jsonStringOfUtf8, utf8, utf8Joined } from "./json-bytes.ts"
import { receivedHeader } from "./received-header.ts"
import { receivedTimestamp } from "./timestamps.ts"

/** Everything known about one accepted message, for building its per-recipient JSON documents. */
export interface AcceptedMessage {
  readonly hostname: string
  readonly helo: string
  readonly connection: ConnectionInfo
  readonly sender: string
  readonly recipients: ReadonlyArray<string>
  /** one per recipient, in the same order */
  readonly messageIds: ReadonlyArray<string>
  readonly epochMillis: number
  /** none: the JSON has no `ips`, and delivery may use any IP (a local IP that is not mappable, no defaults) */
  readonly ips: ReadonlyArray<string> | undefined
  /** the message as received (after dot-unstuffing and x-mq-* extraction) */
  readonly mime: Uint8Array
  /** properties from x-mq-* headers other than envelope and ips, which are resolved into `sender` and `ips` */
  readonly properties: Readonly<Record<string, unknown>>
  /** each recipient's `dsn` object (sending-bounces.md), in recipient order; none: no `dsn` property */
  readonly dsn?: ReadonlyArray<Readonly<Record<string, string>> | undefined>
}

export interface MessageDocument {
  readonly messageId: string
  readonly recipient: string
  /** the JSON, as bytes */
  readonly body: Uint8Array
}

const connectionJson = (c: ConnectionInfo) => ({
  "local-ip": c.localIp,
  "local-port": c.localPort,
  "remote-ip": c.remoteIp,
  "remote-port": c.remotePort,
  "secure": isSecure(c),
  ...(c.user === undefined ? {} : { user: c.user })
})

const SERVER_PROPERTIES = new Set(["message-id", "received", "hostname", "envelope", "recipient", "mime", "ips", "connection", "dsn"])

/** The server's own properties are written once, by the server; nothing else may repeat one. */
const withoutServerProperties = (properties: Readonly<Record<string, unknown>>) =>
  Object.fromEntries(Object.entries(properties).filter(([name]) => !SERVER_PROPERTIES.has(name)))

/**
 * SPEC §2: one JSON document per recipient, with a Received header for that recipient prepended
 * to the mime. The (possibly large) mime is escaped once and shared by all recipients' documents;
 * UTF-8 mail (nearly all of it) becomes one string per document, encoded once, with no copies of
 * its parts in between.
 */
export const buildMessageDocuments = (message: AcceptedMessage): ReadonlyArray<MessageDocument> => {
  const mimeJson = jsonStringOfUtf8(message.mime)
  let escapedBytes: Uint8Array | undefined
  const received = receivedTimestamp(message.epochMillis)
  const extra = JSON.stringify(withoutServerProperties(message.properties)).slice(1, -1)
  const tail = `"${message.ips === undefined ? "" : `,"ips":${JSON.stringify(message.ips)}`},"connection":${JSON.stringify(connectionJson(message.connection))}` +
    `${extra === "" ? "" : `,${extra}`}}`
  return message.recipients.map((recipient, i) => {
    const messageId = message.messageIds[i] ?? ""
    const dsn = message.dsn?.[i]
    const head = JSON.stringify({
      "message-id": messageId,
      received,
      hostname: message.hostname,
      envelope: message.sender,
      recipient,
      ...(dsn === undefined ? {} : { dsn })
    })
    const trace = receivedHeader({
      helo: message.helo,
      remoteIp: message.connection.remoteIp,
      hostname: message.hostname,
      tls: message.connection.tls,
      authenticated: message.connection.user !== undefined,
      messageId,
      recipient,
      epochMillis: message.epochMillis
    })
    const start = `${head.slice(0, -1)},"mime":`
    // the trace's string without its closing quote, then the mime's without its opening one
    if (mimeJson !== undefined) return { messageId, recipient, body: utf8Joined([start, JSON.stringify(trace).slice(0, -1), mimeJson.slice(1, -1), tail]) }
    escapedBytes ??= escapeJsonStringBytes(message.mime)
    const body = concatBytes([utf8(`${start}"`), escapeJsonStringBytes(utf8(trace)), escapedBytes, utf8(tail)])
    return { messageId, recipient, body }
  })
}
