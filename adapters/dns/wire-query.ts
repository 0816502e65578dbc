import { randomInt } from "node:crypto"
import { createSocket } from "node:dgram"
import { connect } from "node:net"
import * as packet from "dns-packet"
import type { Answer, DecodedPacket, RecordType } from "dns-packet"
import type { DnsAnswer } from "../../application/ports/dns.ts"

/**
 * One DNS question sent as it is, over UDP (TCP when the answer is truncated), for the names
 * node:dns refuses to send. c-ares refuses any name that is not a host name (EBADNAME), but a DNS
 * label may hold any octet (RFC 1035 §3.1, RFC 2181 §11), and SPF builds names a host name cannot
 * be: RFC 7208 §7.1 lets a domain-spec hold any visible character except `%`
 * (`a:foo:bar/baz.example.com`), and a macro copies the sender's local part into a name.
 */

export interface WireAnswer {
  readonly answer: DnsAnswer
  /** the shortest TTL of the records, in seconds */
  readonly ttlSeconds: number
}

export interface NameServer {
  readonly host: string
  readonly port: number
}

export interface WireOptions {
  readonly timeoutMs: number
  readonly tries: number
}

const SUPPORTED: ReadonlySet<string> = new Set(["A", "AAAA", "TXT", "MX", "PTR", "CNAME"])
const MAX_LABEL_OCTETS = 63
/** a name on the wire: each label with its length octet, and the root's zero octet */
const MAX_NAME_OCTETS = 255

const failure = (code: string, message: string) => Object.assign(new Error(message), { code })

/** "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353", as node:dns `getServers()` and dns-servers write them */
export const nameServer = (text: string): NameServer => {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text)
  if (bracketed !== null) return { host: bracketed[1] ?? "", port: Number(bracketed[2] ?? 53) }
  const withPort = /^([^:]+):(\d+)$/.exec(text)
  if (withPort !== null) return { host: withPort[1] ?? "", port: Number(withPort[2]) }
  return { host: text, port: 53 }
}

/** The labels of a name as DNS can carry them, or undefined when it cannot (an empty or overlong label, too long a name). */
export const wireLabels = (name: string): ReadonlyArray<string> | undefined => {
  const labels = name.replace(/\.$/, "").split(".")
  const octets = labels.map((label) => Buffer.byteLength(label))
  if (octets.some((n) => n === 0 || n > MAX_LABEL_OCTETS)) return undefined
  return octets.reduce((sum, n) => sum + n + 1, 1) <= MAX_NAME_OCTETS ? labels : undefined
}

const recordData = (record: Answer): unknown => {
  switch (record.type) {
    case "TXT": return (Array.isArray(record.data) ? record.data : [record.data]).map((s) => (typeof s === "string" ? s : s.toString("utf8")))
    case "MX": return { exchange: record.data.exchange, priority: record.data.preference }
    default: return "data" in record ? record.data : undefined
  }
}

/** What the answer says, as node:dns would: the records of the type asked, or its error code. */
const readAnswer = (response: DecodedPacket, rrtype: string, name: string): WireAnswer => {
  const rcode = (response as { rcode?: string }).rcode ?? "NOERROR"
  if (rcode === "NXDOMAIN") throw failure("ENOTFOUND", `${rrtype} ${name}: no such name`)
  if (rcode !== "NOERROR") throw failure(`E${rcode}`, `${rrtype} ${name}: ${rcode}`)
  const records = (response.answers ?? []).filter((r) => r.type === rrtype)
  if (records.length === 0) throw failure("ENODATA", `${rrtype} ${name}: no ${rrtype} record`)
  return {
    answer: records.map(recordData) as unknown as DnsAnswer,
    ttlSeconds: Math.min(...records.map((r) => ("ttl" in r ? r.ttl ?? 0 : 0)))
  }
}

/** Whether a response answers this very question (the id is random, the question must be ours too). */
const answers = (response: DecodedPacket, id: number, name: string, rrtype: string): boolean => {
  const question = response.questions?.[0]
  return response.id === id && response.type === "response" && question !== undefined &&
    question.type === rrtype && question.name.toLowerCase() === name.toLowerCase().replace(/\.$/, "")
}

/** A socket of its own per question (a source port the system picks at random), connected to the server, so that only it can answer. */
const overUdp = (server: NameServer, query: Buffer, accept: (r: DecodedPacket) => boolean, timeoutMs: number) =>
  new Promise<DecodedPacket>((resolve, reject) => {
    const socket = createSocket(server.host.includes(":") ? "udp6" : "udp4")
    const done = (end: () => void) => {
      clearTimeout(timer)
      socket.close()
      end()
    }
    const timer = setTimeout(() => done(() => reject(failure("ETIMEOUT", `no answer from ${server.host} within ${timeoutMs} ms`))), timeoutMs)
    socket.on("error", (error) => done(() => reject(error)))
    socket.on("message", (bytes) => {
      let response: DecodedPacket
      try {
        response = packet.decode(bytes)
      } catch {
        return
      }
      // anything else (a late answer to an earlier try, a spoofed one) is not ours: keep waiting
      if (accept(response)) done(() => resolve(response))
    })
    socket.connect(server.port, server.host, () => socket.send(query))
  })

const overTcp = (server: NameServer, query: Buffer, accept: (r: DecodedPacket) => boolean, timeoutMs: number) =>
  new Promise<DecodedPacket>((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port })
    let received = Buffer.alloc(0)
    socket.setTimeout(timeoutMs, () => socket.destroy(failure("ETIMEOUT", `no answer from ${server.host} within ${timeoutMs} ms`)))
    socket.on("error", reject)
    socket.on("close", () => reject(failure("ECONNRESET", `${server.host} closed the connection`)))
    socket.on("connect", () => {
      const length = Buffer.alloc(2)
      length.writeUInt16BE(query.length)
      socket.write(Buffer.concat([length, query]))
    })
    socket.on("data", (bytes) => {
      received = Buffer.concat([received, bytes])
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return
      let response: DecodedPacket | undefined
      try {
        response = packet.decode(received.subarray(2, 2 + received.readUInt16BE(0)))
      } catch {
        response = undefined
      }
      socket.destroy()
      if (response !== undefined && accept(response)) resolve(response)
      else reject(failure("EBADRESP", `${server.host} answered something else`))
    })
  })

/**
 * Asks the servers in turn, `tries` rounds, each try waiting `timeoutMs`. A name DNS cannot carry
 * is ENOTFOUND: nothing by that name can exist, which SPF takes as a domain that does not exist
 * (RFC 7208 §4.3: a malformed domain is "none", like NXDOMAIN; §5: a mechanism naming one does not match).
 */
export const wireQuery = async (
  servers: ReadonlyArray<NameServer>,
  name: string,
  rrtype: string,
  options: WireOptions
): Promise<WireAnswer> => {
  if (!SUPPORTED.has(rrtype)) throw failure("ENOTIMP", `${rrtype} lookups are not supported`)
  const labels = wireLabels(name)
  if (labels === undefined) throw failure("ENOTFOUND", `${rrtype} ${name}: not a name DNS can carry`)
  const question = { type: rrtype as RecordType, name: labels.join(".") }
  let last: unknown = failure("ECONNREFUSED", "no name servers")
  for (let attempt = 0; attempt < options.tries; attempt++) {
    for (const server of servers) {
      const id = randomInt(0, 0x10000)
      const query = packet.encode({ type: "query", id, flags: packet.RECURSION_DESIRED, questions: [question] })
      const accept = (response: DecodedPacket) => answers(response, id, question.name, rrtype)
      try {
        const udp = await overUdp(server, query, accept, options.timeoutMs)
        const response = udp.flag_tc ? await overTcp(server, query, accept, options.timeoutMs) : udp
        return readAnswer(response, rrtype, name)
      } catch (error) {
        const code = (error as { code?: unknown }).code
        // an answer (no such name, no such record) is final; a silent or refusing server is not
        if (code === "ENOTFOUND" || code === "ENODATA") throw error
        last = error
      }
    }
  }
  throw last
}
