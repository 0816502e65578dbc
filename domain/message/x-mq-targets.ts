/**
 * Which JSON property an `x-mq-*` header sets, and as which JSON type, from the header's name
 * without the `x-mq-` prefix, lower-cased: MailerQ's `mime-headers.md` and `json-messages.md`.
 * A property the docs do not type stays the string it was written as (`x-mq-customer-ref: 00123`
 * is "00123").
 */
export type MqValueType =
  /** as written */
  | "text"
  /** `true`, `1`, `yes` or `false`, `0`, `no` (the docs write `x-mq-inlinecss: 1` for `"inlinecss": true`) */
  | "boolean"
  /** a whole number (`maxattempts`, a smarthost `port`, `priority`) */
  | "integer"
  /** a timestamp as written, or a whole number of seconds as a number (`maxdelivertime`) */
  | "time-or-seconds"
  /** `300,600,3600`: an array of whole numbers of seconds (`retries`) */
  | "seconds-list"

export type MqTarget =
  /** every header adds its items to the list; `separator` undefined: each header is one item, kept whole */
  | { readonly kind: "list"; readonly property: "ips" | "tags"; readonly separator: RegExp | undefined }
  /** the last header wins; `key`: the value goes inside the `property` object */
  | { readonly kind: "value"; readonly property: string; readonly key: string | undefined; readonly type: MqValueType }

const list = (property: "ips" | "tags", separator: RegExp | undefined): MqTarget => ({ kind: "list", property, separator })
const value = (property: string, type: MqValueType = "text", key?: string): MqTarget => ({ kind: "value", property, key, type })

const NAMED: ReadonlyMap<string, MqTarget> = new Map([
  ["ip", list("ips", /[\s,;]+/)],
  // mime-headers.md "Tags": one tag per x-mq-tag header, spaces and commas and all ("Customer Name")
  ["tag", list("tags", undefined)],
  ["envelope", value("envelope")],
  ["pool", value("pool")],
  ["security", value("security")],
  ["delayed", value("nextattempt", "text", "time")],
  ["maxdelivertime", value("maxdelivertime", "time-or-seconds")],
  ["maxattempts", value("maxattempts", "integer")],
  ["retries", value("retries", "seconds-list")],
  ["priority", value("priority", "integer")],
  ["inlinecss", value("inlinecss", "boolean")],
  ["keepmime", value("keepmime", "boolean")],
  ["force", value("force", "boolean")],
  ["dsn-notify", value("dsn", "text", "notify")],
  ["dsn-ret", value("dsn", "text", "ret")],
  ["dsn-orcpt", value("dsn", "text", "orcpt")],
  ["dsn-envid", value("dsn", "text", "envid")],
  ["smarthost-hostname", value("smarthost", "text", "hostname")],
  ["smarthost-port", value("smarthost", "integer", "port")],
  ["smarthost-username", value("smarthost", "text", "username")],
  ["smarthost-password", value("smarthost", "text", "password")],
  ["results-queue", value("queues", "text", "results")],
  ["failure-queue", value("queues", "text", "failure")],
  ["success-queue", value("queues", "text", "success")],
  ["retry-queue", value("queues", "text", "retry")],
  ["dsn-queue", value("queues", "text", "dsn")]
])

/** Properties the server itself sets: a client's header must not forge them. */
const SERVER_OWNED: ReadonlySet<string> = new Set([
  "message-id", "received", "hostname", "recipient", "mime", "connection", "checks", "local", "report"
])

/**
 * Properties only the named headers above may build (`x-mq-ips: x` would otherwise replace the
 * list with a string, `x-mq-dsn: x` the object with a string), and JSON objects no header can write.
 */
const BUILT_FROM_NAMED_HEADERS: ReadonlySet<string> = new Set([
  "ips", "tags", "dsn", "smarthost", "queues", "nextattempt", "headers", "dkim", "data", "key"
])

const PROPERTY_NAME = /^[a-z0-9][a-z0-9_-]*$/

/** The target of `x-mq-<name>`, or undefined when such a header must set nothing. */
export const mqTarget = (name: string): MqTarget | undefined => {
  const named = NAMED.get(name)
  if (named !== undefined) return named
  if (!PROPERTY_NAME.test(name) || SERVER_OWNED.has(name) || BUILT_FROM_NAMED_HEADERS.has(name)) return undefined
  return value(name)
}
