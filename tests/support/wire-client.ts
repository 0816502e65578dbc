import { connect } from "node:net"
import type { Socket } from "node:net"
import { connect as tlsConnect } from "node:tls"

/**
 * A raw SMTP client for in-process tests: writes bytes as given (pipelined or not), reads whole
 * replies (multi-line aware), and can take the connection into TLS after a 220 to STARTTLS.
 */
export interface WireClient {
  readonly send: (data: string | Uint8Array) => void
  /** the next whole reply, its lines joined with CRLF; "(closed)" once the server closed the connection */
  readonly reply: (timeoutMs?: number) => Promise<string>
  readonly startTls: () => Promise<void>
  readonly closed: () => boolean
  readonly close: () => void
}

const REPLY = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/

/** `early`: bytes written at once, before the connection is even established (a client that talks first). */
export const wireClient = (port: number, early?: string): Promise<WireClient> =>
  new Promise((resolve, reject) => {
    let socket: Socket = connect({ port, host: "127.0.0.1" })
    if (early !== undefined) socket.write(early)
    let buffer = ""
    let closed = false
    let wake: (() => void) | undefined
    const listen = (s: Socket) => {
      s.on("data", (chunk: Buffer) => {
        buffer += chunk.toString("latin1")
        wake?.()
      })
      s.on("close", () => {
        closed = true
        wake?.()
      })
      s.on("error", () => {})
    }
    listen(socket)
    socket.once("connect", () =>
      resolve({
        send: (data) => void socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data),
        reply: async (timeoutMs = 10_000) => {
          const deadline = Date.now() + timeoutMs
          for (;;) {
            const m = REPLY.exec(buffer)
            if (m !== null) {
              buffer = buffer.slice(m[0].length)
              return m[0]
            }
            if (closed) return buffer === "" ? "(closed)" : `(closed) ${buffer}`
            if (Date.now() > deadline) throw new Error(`no reply within ${timeoutMs} ms; have ${JSON.stringify(buffer)}`)
            await new Promise<void>((wakeUp) => {
              wake = wakeUp
              setTimeout(wakeUp, 100)
            })
          }
        },
        startTls: () =>
          new Promise<void>((secured, failed) => {
            socket.removeAllListeners("data")
            socket.removeAllListeners("close")
            const tls = tlsConnect({ socket, rejectUnauthorized: false })
            tls.once("secureConnect", () => {
              socket = tls
              listen(tls)
              secured()
            })
            tls.once("error", failed)
          }),
        closed: () => closed,
        close: () => socket.destroy()
      })
    )
    socket.once("error", reject)
  })
