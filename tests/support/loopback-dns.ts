import { createSocket } from "node:dgram"
import type { Socket } from "node:dgram"
import { createServer } from "node:net"
import type { Server, Socket as TcpSocket } from "node:net"
import * as packet from "dns-packet"
import type { Answer, DecodedPacket, RecordType } from "dns-packet"
import type { MxRecord } from "../../application/ports/dns.ts"
import type { Zone, ZoneEntry } from "./memory-dns.ts"

/**
 * A small authoritative DNS server on 127.0.0.1 (UDP and TCP on the same free port) that serves a
 * zone in memory, as `memory-dns.ts` describes it: a name not in the zone is NXDOMAIN, a name
 * without records of the type asked is an empty answer, `{ fail: "ESERVFAIL" }` is SERVFAIL,
 * `{ fail: "EREFUSED" }` REFUSED, `"hang"` (or `{ fail: "ETIMEOUT" }`) no answer at all. Names go
 * on the wire as they are: any octet in a label. A name with a CNAME (and no record of the type
 * asked) is answered as a recursive resolver does: the chain's CNAME records, then the records of
 * its end (a loop is SERVFAIL). An answer over 512 bytes on UDP is truncated
 * (TC), so that the client asks again over TCP. `delayMs` holds every answer back that long.
 */
export interface LoopbackDns {
  readonly port: number
  /** `127.0.0.1:port`, as dns-servers takes it */
  readonly address: string
  /** every question, as `TYPE name`, in order */
  readonly asked: ReadonlyArray<string>
  delayMs: number
  stop(): Promise<void>
}

const TTL_SECONDS = 300
const UDP_LIMIT = 512
const RCODES: Readonly<Record<string, number>> = { ESERVFAIL: 2, ENOTFOUND: 3, EREFUSED: 5 }

/** A TXT string longer than a character-string's 255 octets goes out as several. */
const characterStrings = (text: string): Array<string> => {
  const parts: Array<string> = []
  for (let i = 0; i < text.length; i += 255) parts.push(text.slice(i, i + 255))
  return parts.length === 0 ? [""] : parts
}

const record = (name: string, type: RecordType, value: unknown): Answer => {
  switch (type) {
    case "TXT": return { name, type, ttl: TTL_SECONDS, data: (value as ReadonlyArray<string>).flatMap(characterStrings) }
    case "MX": {
      const mx = value as MxRecord
      return { name, type, ttl: TTL_SECONDS, data: { preference: mx.priority, exchange: mx.exchange } }
    }
    default: return { name, type, ttl: TTL_SECONDS, data: value as string } as Answer
  }
}

/** the CNAME hops a recursive resolver follows before it gives up with SERVFAIL */
const MAX_CNAME_HOPS = 8

/** The response to one query, or undefined for none at all. */
const respond = (zone: Zone, query: DecodedPacket, udp: boolean): Buffer | undefined => {
  const question = query.questions?.[0]
  if (question === undefined) return undefined
  const lookup = (name: string) => zone[name.toLowerCase().replace(/\.$/, "")]
  // as a recursive resolver answers: a name that is an alias (and has no record of the type asked)
  // gives the CNAME records of the chain, then the records of its end; a loop or too long a chain is SERVFAIL
  const chain: Array<Answer> = []
  let name = question.name
  let records = lookup(name)
  let entry: ZoneEntry | undefined = records?.[question.type]
  for (let alias = records?.CNAME; entry === undefined && question.type !== "CNAME" && Array.isArray(alias); alias = records?.CNAME) {
    const target = String(alias[0]).replace(/\.$/, "")
    chain.push(record(name, "CNAME", target))
    if (chain.length > MAX_CNAME_HOPS || chain.some((hop) => hop.name.toLowerCase() === target.toLowerCase())) {
      chain.length = 0
      records = {}
      entry = { fail: "ESERVFAIL" }
      break
    }
    name = target
    records = lookup(name)
    entry = records?.[question.type]
  }
  if (entry === "hang" || (entry !== undefined && "fail" in entry && RCODES[entry.fail] === undefined)) return undefined
  const rcode = records === undefined ? RCODES.ENOTFOUND ?? 3 : entry !== undefined && "fail" in entry ? RCODES[entry.fail] ?? 2 : 0
  const answers = [...chain, ...(entry === undefined || "fail" in entry ? [] : [...entry].map((value) => record(name, question.type, value)))]
  const flags = packet.AUTHORITATIVE_ANSWER | packet.RECURSION_AVAILABLE | (query.flags ?? 0) & packet.RECURSION_DESIRED | rcode
  const response = { type: "response" as const, id: query.id ?? 0, flags, questions: [question], answers }
  const bytes = packet.encode(response)
  return udp && bytes.length > UDP_LIMIT ? packet.encode({ ...response, flags: flags | packet.TRUNCATED_RESPONSE, answers: [] }) : bytes
}

const decodeOrUndefined = (bytes: Buffer): DecodedPacket | undefined => {
  try {
    return packet.decode(bytes)
  } catch {
    return undefined
  }
}

const listenUdp = (socket: Socket, port: number) =>
  new Promise<number>((resolve, reject) => {
    socket.once("error", reject)
    socket.bind(port, "127.0.0.1", () => {
      socket.off("error", reject)
      resolve(socket.address().port)
    })
  })

const listenTcp = (server: Server, port: number) =>
  new Promise<boolean>((resolve) => {
    server.once("error", () => resolve(false))
    server.listen(port, "127.0.0.1", () => resolve(true))
  })

export const startLoopbackDns = async (zone: Zone): Promise<LoopbackDns> => {
  const asked: Array<string> = []
  const state = { delayMs: 0 }
  const answer = (bytes: Buffer, udp: boolean, send: (response: Buffer) => void) => {
    const query = decodeOrUndefined(bytes)
    const question = query?.questions?.[0]
    if (query === undefined || question === undefined) return
    asked.push(`${question.type} ${question.name}`)
    const response = respond(zone, query, udp)
    if (response === undefined) return
    if (state.delayMs > 0) setTimeout(() => send(response), state.delayMs)
    else send(response)
  }

  const connections = new Set<TcpSocket>()
  const tcp = createServer((connection) => {
    connections.add(connection)
    connection.on("close", () => connections.delete(connection))
    let received = Buffer.alloc(0)
    connection.on("error", () => connection.destroy())
    connection.on("data", (bytes) => {
      received = Buffer.concat([received, bytes])
      while (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        const length = received.readUInt16BE(0)
        answer(received.subarray(2, 2 + length), false, (response) => {
          const prefix = Buffer.alloc(2)
          prefix.writeUInt16BE(response.length)
          if (!connection.destroyed) connection.write(Buffer.concat([prefix, response]))
        })
        received = received.subarray(2 + length)
      }
    })
  })
  // UDP on a free port, then TCP on the same one; another process may hold that TCP port: try again
  for (let attempt = 0; ; attempt++) {
    const udp = createSocket("udp4")
    const port = await listenUdp(udp, 0)
    if (await listenTcp(tcp, port)) {
      udp.on("message", (bytes, peer) => answer(bytes, true, (response) => udp.send(response, peer.port, peer.address)))
      return {
        port,
        address: `127.0.0.1:${port}`,
        asked,
        get delayMs() {
          return state.delayMs
        },
        set delayMs(ms: number) {
          state.delayMs = ms
        },
        stop: () =>
          new Promise<void>((resolve) => {
            udp.close()
            tcp.close(() => resolve())
            for (const connection of connections) connection.destroy()
          })
      }
    }
    udp.close()
    if (attempt === 10) throw new Error("no free port for UDP and TCP at once")
  }
}
