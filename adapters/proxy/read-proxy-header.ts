import type { Socket } from "node:net"
import { parseProxyHeader } from "../../domain/proxy/proxy-header.ts"
import type { ProxyHeader } from "../../domain/proxy/proxy-header.ts"

/**
 * Reads a PROXY v1/v2 header off a socket in paused mode, so that not one byte after the header
 * is lost: whatever follows it is put back for the SMTP session. Rejects when the bytes are not a
 * header, or the peer goes away first (a silent peer is closed by the caller's timeout).
 */
export const readProxyHeader = (socket: Socket): Promise<ProxyHeader> =>
  new Promise((resolve, reject) => {
    let received = new Uint8Array(0)
    const cleanup = () => {
      socket.off("readable", onReadable)
      socket.off("close", onGone)
      socket.off("end", onGone)
      socket.off("error", onError)
    }
    const fail = (reason: string) => {
      cleanup()
      reject(new Error(reason))
    }
    const onGone = () => fail("connection closed before a complete PROXY header")
    const onError = (error: Error) => fail(`connection failed before a complete PROXY header: ${error.message}`)
    const onReadable = () => {
      let chunk: Buffer | null
      while ((chunk = socket.read() as Buffer | null) !== null) {
        const joined = new Uint8Array(received.length + chunk.length)
        joined.set(received)
        joined.set(chunk, received.length)
        received = joined
        const parsed = parseProxyHeader(received)
        if (parsed._tag === "Incomplete") continue
        cleanup()
        if (parsed._tag === "Invalid") return reject(new Error(`invalid PROXY header: ${parsed.reason}`))
        const rest = received.subarray(parsed.length)
        if (rest.length > 0) socket.unshift(Buffer.from(rest))
        return resolve(parsed.header)
      }
    }
    socket.on("readable", onReadable)
    socket.once("close", onGone)
    socket.once("end", onGone)
    socket.once("error", onError)
  })
