import * as net from "node:net"

/** A loopback TCP proxy that a test can stall, cut (closing every socket) and reopen on the same port. */
export interface TcpForwarder {
  readonly port: number
  /** stops relaying what the target sends back (the connections stay open) */
  stall(): void
  /** stops listening and destroys every proxied socket on both sides */
  cut(): Promise<void>
  /** listens again on the same port */
  reopen(): Promise<void>
}

export const startTcpForwarder = async (target: { host: string; port: number }): Promise<TcpForwarder> => {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>()
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: target.host, port: target.port, noDelay: true })
    const pair = { client, upstream }
    pairs.add(pair)
    client.setNoDelay(true)
    for (const socket of [client, upstream]) {
      socket.on("error", () => socket.destroy())
      socket.on("close", () => {
        pairs.delete(pair)
        client.destroy()
        upstream.destroy()
      })
    }
    client.pipe(upstream)
    upstream.pipe(client)
  })
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject)
        resolve()
      })
    })
  await listen(0)
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("forwarder has no TCP address")
  const port = address.port

  return {
    port,
    stall: () => {
      for (const { client, upstream } of pairs) {
        upstream.unpipe(client)
        upstream.pause()
      }
    },
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        for (const { client, upstream } of pairs) {
          client.destroy()
          upstream.destroy()
        }
      }),
    reopen: () => listen(port)
  }
}
