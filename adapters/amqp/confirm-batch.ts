import { Effect } from "effect"
import { PublishFailed } from "../../application/ports/publisher.ts"
import type { Delivery } from "../../application/ports/publisher.ts"
import type { Link } from "./amqp-link.ts"

/** `sendBatch` as an Effect; interrupting it detaches everything it registered. */
export const confirmBatch = (
  link: Link,
  deliveries: ReadonlyArray<Delivery>,
  timeoutMs: number,
  how: PublishProperties = PLAIN_PERSISTENT
): Effect.Effect<void, PublishFailed> =>
  Effect.callback<void, PublishFailed>((resume) => {
    const cancel = sendBatch(link, deliveries, timeoutMs, how, (failure) => {
      resume(failure === undefined ? Effect.void : Effect.fail(new PublishFailed({ message: failure })))
    })
    return Effect.sync(cancel)
  })

/** Where and how every message is published (rabbitmq-exchange, -persistent, -encoding). */
export interface PublishProperties {
  /** "": the default exchange, which routes by queue name */
  readonly exchange: string
  readonly persistent: boolean
  /** "gzip" when the bodies are gzipped */
  readonly contentEncoding: string | undefined
}

export const PLAIN_PERSISTENT: PublishProperties = { exchange: "", persistent: true, contentEncoding: undefined }

/** A message this large goes on the large lane, so that small ones are not written behind it. */
export const LARGE_MESSAGE_BYTES = 1024 * 1024

/**
 * How long a batch may wait for its confirms: the base timeout, plus the time the broker needs to
 * take in what is ahead of it and the batch itself at a pessimistic 2 MB/s, so that a 45 MB
 * message (or twenty of them) is not given up on while its bytes are still being written, and then
 * duplicated by the client's retry. (A broker on a busy 2-CPU machine writing twenty 45 MB messages
 * took 29 s for the last on one VM, 38 to 59 s on another; at 5 MB/s one of the twenty got 451 in
 * a CI run there.) Twenty 45 MB messages ahead give the last about 8 minutes, within the 10 minutes
 * a client waits for the reply to its data (RFC 5321 §4.5.3.2.6).
 */
const PESSIMISTIC_BYTES_PER_MS = 2_000

export const confirmDeadlineMs = (timeoutMs: number, bytesAhead: number, batchBytes: number): number =>
  timeoutMs + Math.round((bytesAhead + batchBytes) / PESSIMISTIC_BYTES_PER_MS)

/**
 * Sends `deliveries` on a shared confirm channel (the large lane for a batch of large messages) and calls `done` exactly once:
 * with undefined when the broker confirmed every one, or with the reason it did not
 * (nack, unroutable, link lost, timeout). Returns a cancel that detaches every
 * listener and timer without calling `done`.
 */
export const sendBatch = (
  link: Link,
  deliveries: ReadonlyArray<Delivery>,
  timeoutMs: number,
  how: PublishProperties,
  done: (failure: string | undefined) => void
): (() => void) => {
  let settled = false
  let unconfirmed = deliveries.length
  let next = 0
  const bytes = deliveries.reduce((sum, d) => sum + d.body.byteLength, 0)
  const lane = deliveries.some((d) => d.body.byteLength >= LARGE_MESSAGE_BYTES) ? link.large : link.small
  const deadline = confirmDeadlineMs(timeoutMs, link.pendingBytes, bytes)
  let cancelWait = () => {}
  let stopWatchingClose = () => {}

  const detach = () => {
    settled = true
    clearTimeout(timer)
    stopWatchingClose()
    cancelWait()
    link.inFlight--
    link.pendingBytes -= bytes
  }
  const finish = (failure: string | undefined) => {
    if (settled) return
    detach()
    done(failure)
  }

  link.inFlight++
  link.pendingBytes += bytes
  const timer = setTimeout(() => finish(`broker did not confirm within ${deadline} ms`), deadline)
  stopWatchingClose = lane.onClose((reason) => finish(`broker connection lost: ${reason}`))

  const confirmed = (delivery: Delivery) => (error: unknown) => {
    // the broker sends basic.return before the ack of a mandatory message it could not route
    const returned = link.takeReturned(delivery.messageId)
    if (settled) return
    if (error) return finish(`broker did not confirm message ${delivery.messageId}: ${describe(error)}`)
    if (returned) {
      link.missingQueues.add(delivery.queue)
      return finish(`queue "${delivery.queue}" does not exist on the broker`)
    }
    if (--unconfirmed === 0) finish(undefined)
  }

  const pump = () => {
    cancelWait = () => {}
    while (!settled && next < deliveries.length) {
      const delivery = deliveries[next++]!
      let accepted: boolean
      try {
        accepted = lane.channel.publish(
          how.exchange,
          delivery.queue,
          Buffer.from(delivery.body.buffer, delivery.body.byteOffset, delivery.body.byteLength),
          {
            persistent: how.persistent,
            mandatory: true,
            contentType: "application/json",
            messageId: delivery.messageId,
            ...(how.contentEncoding === undefined ? {} : { contentEncoding: how.contentEncoding }),
            ...(delivery.priority === undefined ? {} : { priority: delivery.priority })
          },
          confirmed(delivery)
        )
      } catch (error) {
        return finish(`cannot send to broker: ${describe(error)}`)
      }
      if (!accepted) {
        lane.markFull()
        if (next < deliveries.length) waitThenPump()
        return
      }
    }
  }
  // whenWritable may run pump at once, and pump may then start a wait of its own
  const waitThenPump = () => {
    let ran = false
    const cancel = lane.whenWritable(() => {
      ran = true
      pump()
    })
    if (!ran) cancelWait = cancel
  }

  if (deliveries.length === 0) finish(undefined)
  else waitThenPump()

  return () => {
    if (!settled) detach()
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))
