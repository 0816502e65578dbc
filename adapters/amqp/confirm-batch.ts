import { Effect } from "effect"
import { PublishFailed } from "../../application/ports/publisher.ts"
import type { Delivery } from "../../application/ports/publisher.ts"
import type { Link } from "./amqp-link.ts"

/** `sendBatch` as an Effect; interrupting it detaches everything it registered. */
export const confirmBatch = (
  link: Link,
  deliveries: ReadonlyArray<Delivery>,
  timeoutMs: number
): Effect.Effect<void, PublishFailed> =>
  Effect.callback<void, PublishFailed>((resume) => {
    const cancel = sendBatch(link, deliveries, timeoutMs, (failure) => {
      resume(failure === undefined ? Effect.void : Effect.fail(new PublishFailed({ message: failure })))
    })
    return Effect.sync(cancel)
  })

/**
 * Sends `deliveries` on the shared confirm channel and calls `done` exactly once:
 * with undefined when the broker confirmed every one, or with the reason it did not
 * (nack, unroutable, link lost, timeout). Returns a cancel that detaches every
 * listener and timer without calling `done`.
 */
export const sendBatch = (
  link: Link,
  deliveries: ReadonlyArray<Delivery>,
  timeoutMs: number,
  done: (failure: string | undefined) => void
): (() => void) => {
  let settled = false
  let unconfirmed = deliveries.length
  let next = 0
  let cancelWait = () => {}
  let stopWatchingClose = () => {}

  const detach = () => {
    settled = true
    clearTimeout(timer)
    stopWatchingClose()
    cancelWait()
    link.inFlight--
  }
  const finish = (failure: string | undefined) => {
    if (settled) return
    detach()
    done(failure)
  }

  link.inFlight++
  const timer = setTimeout(() => finish(`broker did not confirm within ${timeoutMs} ms`), timeoutMs)
  stopWatchingClose = link.onClose((reason) => finish(`broker connection lost: ${reason}`))

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
        accepted = link.channel.sendToQueue(
          delivery.queue,
          Buffer.from(delivery.body.buffer, delivery.body.byteOffset, delivery.body.byteLength),
          { persistent: true, mandatory: true, contentType: "application/json", messageId: delivery.messageId },
          confirmed(delivery)
        )
      } catch (error) {
        return finish(`cannot send to broker: ${describe(error)}`)
      }
      if (!accepted) {
        link.markFull()
        if (next < deliveries.length) waitThenPump()
        return
      }
    }
  }
  // whenWritable may run pump at once, and pump may then start a wait of its own
  const waitThenPump = () => {
    let ran = false
    const cancel = link.whenWritable(() => {
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
