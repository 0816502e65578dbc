import { Effect } from "effect"
import type { ConnectionInfo } from "../../domain/session/connection.ts"
import type { SessionEvent } from "../../domain/session/events.ts"
import type { SessionState } from "../../domain/session/state.ts"
import type { MetricsShape } from "../ports/metrics.ts"
import { tallyRefusals } from "./refusal-observer.ts"

const tenths = (ms: number) => Math.round(ms * 10) / 10

/**
 * A session's log lines and metrics, derived from its events and nothing else: what an operator
 * reads is what the decider decided. `before` is the state the event was applied to; `at` the time
 * of the step (epoch ms).
 */
export const makeSessionObserver = (connection: ConnectionInfo, metrics: MetricsShape, openedAt: number) =>
  tallyRefusals(connection.remoteIp, observeSession(connection, metrics, openedAt))

const observeSession = (connection: ConnectionInfo, metrics: MetricsShape, openedAt: number) => {
  const client = connection.remoteIp
  const peer = `${connection.remoteIp}:${connection.remotePort}`
  const local = `${connection.localIp}:${connection.localPort}`
  const counters = { queued: 0, deferred: 0, refused: 0 }
  /** when the message in progress was complete (its DataEnd step) */
  let receivedAt = 0
  let secure = connection.tls !== undefined

  return (event: SessionEvent, before: SessionState, at: number): Effect.Effect<void> => {
    switch (event._tag) {
      case "ConnectionAccepted":
        return metrics.connectionAccepted
      case "ConnectionRefused":
        return Effect.andThen(
          metrics.connectionRefused(event.reason === "blocked" ? "protection" : event.reason),
          Effect.logInfo("connection refused").pipe(Effect.annotateLogs({ client: peer, local, reason: event.reason, reply: event.reply.code }))
        )
      case "ConnectionSecured":
        secure = true
        return Effect.void
      case "UserAuthenticated":
        return Effect.logInfo("authenticated").pipe(Effect.annotateLogs({ client, user: event.user }))
      case "MessageReceived":
        receivedAt = at
        return Effect.void
      case "MessageRefused":
        counters.refused++
        return Effect.andThen(
          metrics.messageReceived("refused", event.size),
          Effect.logInfo("message refused").pipe(Effect.annotateLogs({ client, size: event.size, reason: event.reason, reply: event.reply.code }))
        )
      case "MessageQueued":
      case "MessageDeferred": {
        if (before.phase !== "publishing") return Effect.void
        const { envelope, size } = before
        const ms = tenths(at - receivedAt)
        const recorded = Effect.andThen(
          metrics.publishDuration(ms / 1000),
          metrics.messageReceived(event._tag === "MessageQueued" ? "accepted" : "tempfailed", size)
        )
        if (event._tag === "MessageQueued") {
          counters.queued++
          return Effect.andThen(
            recorded,
            Effect.logInfo("message queued").pipe(Effect.annotateLogs({
              ids: event.messageIds.join(","),
              client,
              sender: envelope.sender,
              recipients: envelope.recipients.length,
              size,
              ms,
              brokerMs: tenths(event.brokerMs)
            }))
          )
        }
        counters.deferred++
        return Effect.andThen(
          recorded,
          Effect.logWarning("message deferred").pipe(Effect.annotateLogs({
            client,
            recipients: envelope.recipients.length,
            size,
            reason: event.reason,
            ms
          }))
        )
      }
      case "SessionClosed":
      case "ClientLeft": {
        if (before.phase === "idle") return Effect.void
        return Effect.andThen(
          metrics.connectionClosed,
          Effect.logInfo("connection closed").pipe(Effect.annotateLogs({
            client: peer,
            local,
            secure,
            ...counters,
            reason: event.reason,
            ms: Math.round(at - openedAt)
          }))
        )
      }
    }
    return Effect.void
  }
}
