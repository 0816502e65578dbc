/**
 * The floor for any SMTP server written for Node.js on this machine: the least that takes a
 * message over SMTP and answers 250 only once RabbitMQ confirmed it. Node's `net` and amqplib, no
 * SMTP library: one reply per command line (220, 250, 354, 221), the message's bytes kept until
 * CRLF "." CRLF and published as they came (no JSON, no dot-unstuffing, no checks, no logging).
 * What it reaches is what Node.js, the kernel's loopback and the broker leave for a server that
 * does all of its work in no time at all; any real server is slower. Run as its own process by the
 * bench: `node scripts/bench/node-floor.ts PORT QUEUE BROKER_URL` (QUEUE `-`: answer 250 at once).
 */
import { createServer } from "node:net"
import type { Socket } from "node:net"
import amqp from "amqplib"

const [port, queue, url] = process.argv.slice(2)
if (port === undefined || queue === undefined || url === undefined) throw new Error("usage: node-floor.ts PORT QUEUE BROKER_URL")

const connection = queue === "-" ? undefined : await amqp.connect(url, { noDelay: true })
const channel = connection === undefined ? undefined : await connection.createConfirmChannel()
await channel?.assertQueue(queue, { durable: true })

const END = Buffer.from("\r\n.\r\n")

const serve = (socket: Socket) => {
  socket.setNoDelay(true)
  let pending: Buffer = Buffer.alloc(0)
  let data: Array<Buffer> | undefined
  const published = (body: Buffer) => {
    if (channel === undefined) return void socket.write("250 queued\r\n")
    channel.sendToQueue(queue, body, { persistent: true, contentType: "application/octet-stream" }, (error) =>
      socket.write(error ? "451 not confirmed\r\n" : "250 queued\r\n"))
  }
  socket.on("data", (chunk: Buffer) => {
    if (data !== undefined) {
      data.push(chunk)
      // the message ends with a chunk that ends in CRLF "." CRLF (smtp-source sends no pipelined commands after it)
      const tail = chunk.length >= END.length ? chunk.subarray(-END.length) : Buffer.concat(data).subarray(-END.length)
      if (!tail.equals(END)) return
      const body = Buffer.concat(data)
      data = undefined
      return published(body)
    }
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    let lf: number
    while ((lf = pending.indexOf(10)) !== -1) {
      const verb = pending.subarray(0, 4).toString("latin1").toUpperCase()
      pending = pending.subarray(lf + 1)
      if (verb === "DATA") {
        socket.write("354 go on\r\n")
        data = pending.length > 0 ? [pending] : []
        pending = Buffer.alloc(0)
        return
      }
      if (verb === "QUIT") return void socket.end("221 bye\r\n")
      socket.write(verb === "EHLO" ? "250-floor\r\n250 8BITMIME\r\n" : "250 ok\r\n")
    }
  })
  socket.on("error", () => {})
  socket.write("220 floor ESMTP\r\n")
}

const server = createServer(serve)
server.listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\n"))
process.once("SIGTERM", () => {
  server.close(() => void (connection?.close() ?? Promise.resolve()).finally(() => process.exit(0)))
})
