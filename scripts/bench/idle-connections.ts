import { connect } from "node:net"
import type { Socket } from "node:net"

export interface IdleConnections {
  /** connections that got their 220 greeting and are still open */
  readonly greeted: number
  /** why the first connection that failed did, if any did */
  readonly firstFailure: string | undefined
  readonly close: () => Promise<void>
}

/** One connection that resolves once greeted (or with the reason it was not). */
const openOne = (port: number, sockets: Set<Socket>, greeted: Set<Socket>): Promise<string | undefined> =>
  new Promise((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" })
    let seen = ""
    const done = (failure: string | undefined) => {
      socket.removeAllListeners("data")
      clearTimeout(timer)
      resolve(failure)
    }
    const timer = setTimeout(() => done("no greeting within 30 s"), 30_000)
    socket.on("data", (chunk: Buffer) => {
      seen += chunk.toString("latin1")
      if (!seen.includes("\r\n")) return
      if (seen.startsWith("220 ")) greeted.add(socket)
      done(seen.startsWith("220 ") ? undefined : `greeted with ${JSON.stringify(seen.trim())}`)
    })
    socket.on("error", (error) => done(error.message))
    socket.on("close", () => {
      sockets.delete(socket)
      greeted.delete(socket)
    })
    sockets.add(socket)
  })

/**
 * Opens `count` SMTP connections to the daemon, `batch` at a time, and leaves each one idle after
 * its greeting, the way a crowd of slow clients would sit on the server.
 */
export const openIdleConnections = async (port: number, count: number, batch = 500): Promise<IdleConnections> => {
  const sockets = new Set<Socket>()
  const greeted = new Set<Socket>()
  let firstFailure: string | undefined
  for (let opened = 0; opened < count && firstFailure === undefined; opened += batch) {
    const results = await Promise.all(Array.from({ length: Math.min(batch, count - opened) }, () => openOne(port, sockets, greeted)))
    firstFailure = results.find((failure) => failure !== undefined)
  }
  return {
    greeted: greeted.size,
    firstFailure,
    close: async () => {
      const closing = [...sockets].map((socket) => new Promise<void>((resolve) => {
        socket.once("close", () => resolve())
        socket.destroy()
      }))
      await Promise.all(closing)
    }
  }
}
