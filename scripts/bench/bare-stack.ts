/**
 * The yardstick for the libraries smtp-intake is built on: the least a program using smtp-server
 * and amqplib must do to take a message and answer 250 only once RabbitMQ confirmed it. No
 * validation, no ids, no Received header, no logging, no Effect. Run as its own process by the
 * bench: `node scripts/bench/bare-stack.ts PORT QUEUE BROKER_URL`. With QUEUE `-` it publishes nothing
 * and answers 250 at once: smtp-server alone, by hand (docs/PERFORMANCE.md).
 *
 * smtp-server keeps its fixed 100 ms wait before each greeting here: that is the library as it
 * comes, and what (b) costs any program that uses it unchanged.
 */
import amqp from "amqplib"
import { SMTPServer } from "smtp-server"

const [port, queue, url] = process.argv.slice(2)
if (port === undefined || queue === undefined || url === undefined) throw new Error("usage: bare-stack.ts PORT QUEUE BROKER_URL")

const publishing = queue !== "-"
const connection = publishing ? await amqp.connect(url, { noDelay: true }) : undefined
const channel = connection === undefined ? undefined : await connection.createConfirmChannel()
await channel?.assertQueue(queue, { durable: true })

const server = new SMTPServer({
  disableReverseLookup: true,
  authOptional: true,
  logger: false,
  onData(stream, session, callback) {
    const chunks: Array<Buffer> = []
    stream.on("data", (chunk: Buffer) => chunks.push(chunk))
    stream.on("end", () => {
      const mailFrom = session.envelope.mailFrom
      const body = Buffer.from(JSON.stringify({
        envelope: mailFrom === false ? "" : mailFrom.address,
        recipient: session.envelope.rcptTo[0]?.address ?? "",
        mime: Buffer.concat(chunks).toString("utf8")
      }))
      if (channel === undefined) return callback(null, "queued")
      channel.sendToQueue(queue, body, { persistent: true, contentType: "application/json" }, (error) =>
        callback(error ? new Error("not confirmed") : null, "queued"))
    })
  }
})
server.listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\n"))
process.once("SIGTERM", () => {
  server.close(() => void (connection?.close() ?? Promise.resolve()).finally(() => process.exit(0)))
})
