import { brokerNodes } from "../../domain/broker/broker-nodes.ts"

/** What may be shown about a broker URL: host and port, never the credentials. */
export interface BrokerAddress {
  /** "host:port", for logs */
  readonly display: string
  /** the URL to connect with: as given, plus a heartbeat when it sets none */
  readonly connectUrl: string
  /** removes the password from a text that might echo it (e.g. a library error message) */
  redact(text: string): string
}

const DEFAULT_HEARTBEAT_SECONDS = "10"

export const parseBrokerAddress = (url: string): BrokerAddress => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { display: "(unparsable rabbitmq-address)", connectUrl: url, redact: (text) => text.replaceAll(url, "<url>") }
  }
  const defaultPort = parsed.protocol === "amqps:" ? "5671" : "5672"
  const display = `${parsed.hostname || "localhost"}:${parsed.port || defaultPort}`
  if (!parsed.searchParams.has("heartbeat")) parsed.searchParams.set("heartbeat", DEFAULT_HEARTBEAT_SECONDS)
  const secrets = [parsed.password, safeDecode(parsed.password)].filter((s) => s.length > 0)
  return {
    display,
    connectUrl: parsed.toString(),
    redact: (text) => secrets.reduce((acc, secret) => acc.replaceAll(secret, "***"), text)
  }
}

const safeDecode = (s: string): string => {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** The nodes of a rabbitmq-address (one, or a cluster's), in the order they are tried. */
export interface BrokerCluster {
  readonly nodes: ReadonlyArray<BrokerAddress>
  /** every node, for logs that concern the cluster as a whole */
  readonly all: BrokerAddress
}

export const parseBrokerCluster = (address: string): BrokerCluster => {
  const nodes = brokerNodes(address).map(parseBrokerAddress)
  const all: BrokerAddress = {
    display: nodes.map((node) => node.display).join(", "),
    connectUrl: address,
    redact: (text) => nodes.reduce((acc, node) => node.redact(acc), text)
  }
  return { nodes: nodes.length > 0 ? nodes : [parseBrokerAddress(address)], all }
}
