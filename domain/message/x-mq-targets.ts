/**
 * Which JSON property an `x-mq-*` header sets (SPEC §2), from the header's name without the
 * `x-mq-` prefix, lower-cased.
 */
export type MqTarget =
  /** every header adds its items to the list */
  | { readonly kind: "list"; readonly property: "ips" | "tags"; readonly separator: RegExp }
  /** the last header wins; `typed` values become numbers and booleans where they look like one */
  | { readonly kind: "value"; readonly property: string; readonly key: string | undefined; readonly typed: boolean }

const list = (property: "ips" | "tags", separator: RegExp): MqTarget => ({ kind: "list", property, separator })
const text = (property: string, key?: string): MqTarget => ({ kind: "value", property, key, typed: false })
const typed = (property: string, key?: string): MqTarget => ({ kind: "value", property, key, typed: true })

const NAMED: ReadonlyMap<string, MqTarget> = new Map([
  ["ip", list("ips", /[\s,;]+/)],
  ["tag", list("tags", /,/)],
  ["envelope", text("envelope")],
  ["dsn-notify", text("dsn", "notify")],
  ["dsn-ret", text("dsn", "ret")],
  ["dsn-orcpt", text("dsn", "orcpt")],
  ["dsn-envid", text("dsn", "envid")],
  ["smarthost-hostname", text("smarthost", "hostname")],
  ["smarthost-port", typed("smarthost", "port")],
  ["smarthost-username", text("smarthost", "username")],
  ["smarthost-password", text("smarthost", "password")],
  ["results-queue", text("queues", "results")],
  ["failure-queue", text("queues", "failure")],
  ["success-queue", text("queues", "success")],
  ["retry-queue", text("queues", "retry")],
  ["pool", text("pool")]
  // maxdelivertime, maxattempts, delayed, retries, inlinecss and keepmime follow the general rule
])

/** Properties the server itself sets: a client's header must not forge them. */
const SERVER_OWNED: ReadonlySet<string> = new Set([
  "message-id", "received", "hostname", "recipient", "mime", "connection", "checks", "local", "report"
])

/**
 * Properties only the named headers above may build (`x-mq-ips: x` would otherwise replace the
 * list with a string, `x-mq-dsn: x` the object with a string).
 */
const BUILT_FROM_NAMED_HEADERS: ReadonlySet<string> = new Set(["ips", "tags", "dsn", "smarthost", "queues"])

const PROPERTY_NAME = /^[a-z0-9][a-z0-9_-]*$/

/** The target of `x-mq-<name>`, or undefined when such a header must set nothing. */
export const mqTarget = (name: string): MqTarget | undefined => {
  const named = NAMED.get(name)
  if (named !== undefined) return named
  if (!PROPERTY_NAME.test(name) || SERVER_OWNED.has(name) || BUILT_FROM_NAMED_HEADERS.has(name)) return undefined
  return typed(name)
}
