/**
 * RabbitMQ's own ceiling for what the daemon does per message: amqplib publishing persistent
 * messages of the bench's size to a durable queue on a confirm channel, with as many confirms
 * outstanding as the bench has SMTP sessions (each session waits for its message's confirm).
 * No SMTP, no JSON: the most any SMTP server publishing to this broker could reach here. Also the
 * broker's confirm latency at that concurrency, the floor under any DATA-to-250 time.
 */
import { randomBytes } from "node:crypto"
import amqp from "amqplib"

export interface CeilingRun {
  readonly perSecond: number
  /** publish-to-confirm times, ms */
  readonly confirmMs: ReadonlyArray<number>
}

export const measureBrokerCeiling = async (
  url: string,
  queue: string,
  load: { readonly messages: number; readonly outstanding: number; readonly size: number }
): Promise<CeilingRun> => {
  const connection = await amqp.connect(url, { noDelay: true })
  try {
    const channel = await connection.createConfirmChannel()
    await channel.assertQueue(queue, { durable: true })
    // a JSON document about the size of the daemon's for a message of `size` bytes
    const body = Buffer.from(JSON.stringify({ envelope: "bench@example.org", recipient: "sink@example.com", mime: randomBytes(load.size / 2).toString("hex") }))
    const confirmMs: Array<number> = []
    let sent = 0
    const started = process.hrtime.bigint()
    const slot = async (): Promise<void> => {
      while (sent < load.messages) {
        sent++
        const at = process.hrtime.bigint()
        await new Promise<void>((resolve, reject) =>
          channel.sendToQueue(queue, body, { persistent: true, contentType: "application/json" }, (error) =>
            error ? reject(new Error("not confirmed")) : resolve()))
        confirmMs.push(Number(process.hrtime.bigint() - at) / 1e6)
      }
    }
    await Promise.all(Array.from({ length: load.outstanding }, slot))
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    await channel.purgeQueue(queue)
    return { perSecond: load.messages / seconds, confirmMs }
  } finally {
    await connection.close()
  }
}
