import { Clock, Effect, Ref } from "effect"
import { Command } from "../../domain/session/commands.ts"
import type { SessionCommand } from "../../domain/session/commands.ts"
import { isSecure } from "../../domain/session/connection.ts"
import type { ConnectionInfo } from "../../domain/session/connection.ts"
import { decide } from "../../domain/session/decide.ts"
import { replyOf } from "../../domain/session/events.ts"
import type { SessionEvent } from "../../domain/session/events.ts"
import { evolveAll } from "../../domain/session/evolve.ts"
import type { Reply } from "../../domain/session/reply.ts"
import { initialState } from "../../domain/session/state.ts"
import type { SessionState } from "../../domain/session/state.ts"
import { acceptMessage } from "../accept-message.ts"
import { authenticate } from "../authenticate.ts"
import type { AuthAttempts } from "../ports/auth-attempts.ts"
import type { Authenticator, Credentials } from "../ports/authenticator.ts"
import { BlockedAddresses } from "../ports/blocked-addresses.ts"
import { LocalAddresses } from "../ports/local-addresses.ts"
import { Metrics } from "../ports/metrics.ts"
import { IntakeSettings } from "../ports/intake-settings.ts"
import type { MessageIds } from "../ports/message-ids.ts"
import type { Publisher } from "../ports/publisher.ts"
import type { Dns } from "../ports/dns.ts"
import type { SenderAuthentication } from "../ports/sender-authentication.ts"
import type { SpamScanner } from "../ports/spam-scanner.ts"

export interface SessionOutcome {
  readonly events: ReadonlyArray<SessionEvent>
  readonly reply: Reply | undefined
}

/**
 * One client's session: runs every command through the domain decider and keeps the state.
 * `receiveMessage` is the end of DATA: it decides, publishes, and answers only after the publisher confirmed.
 * The settings in force when it opens are its own to the end: a reload meanwhile changes nothing for it.
 */
// Untraced, like the other per-connection and per-message use cases: nothing reads spans here, and a
// traced Effect.fn costs a stack capture and a span on every call (~6 µs), several times a message.
export const openSession = Effect.fnUntraced(function*(connection: ConnectionInfo, hostname?: string) {
  const settings = yield* (yield* IntakeSettings).current
  const policy = hostname === undefined ? settings.policy : { ...settings.policy, hostname }
  const decideNext = decide(policy)
  const state = yield* Ref.make<SessionState>(initialState)
  const counters = { queued: 0, deferred: 0, refused: 0 }
  const metrics = yield* Metrics
  let accepted = false
  const openedAt = yield* Clock.currentTimeMillis

  const handle = (command: SessionCommand) =>
    Ref.modify(state, (current): [SessionOutcome, SessionState] => {
      const events = decideNext(current, command)
      return [{ events, reply: replyOf(events) }, evolveAll(current, events)]
    }).pipe(Effect.tap((outcome) =>
      outcome.events.some((e) => e._tag === "ConnectionRefused")
        ? Effect.logInfo("connection refused").pipe(Effect.annotateLogs({
          client: `${connection.remoteIp}:${connection.remotePort}`,
          local: `${connection.localIp}:${connection.localPort}`,
          reply: outcome.reply?.code
        }))
        : Effect.void
    ))

  const countConnect = (events: ReadonlyArray<SessionEvent>) => {
    if (events.some((e) => e._tag === "ConnectionAccepted")) {
      accepted = true
      return metrics.connectionAccepted
    }
    const refusal = events.find((e) => e._tag === "ConnectionRefused")
    if (refusal === undefined) return Effect.void
    return metrics.connectionRefused(refusal.reason === "blocked" ? "protection" : "range")
  }

  /** The start of the session: refused outside smtp-range, or (with smtp-protection) when blocked. */
  const connect = BlockedAddresses.pipe(
    Effect.flatMap((blocked) => blocked.isBlocked(connection.remoteIp)),
    Effect.flatMap((blocked) => handle(Command.connect(connection, blocked))),
    Effect.tap((outcome) => countConnect(outcome.events))
  )

  /** RCPT TO: the session needs to know whether the address is local (accepted without AUTH). */
  const recipient = (address: string, parameters: ReadonlyArray<string> = []) =>
    LocalAddresses.pipe(
      Effect.flatMap((locals) => locals.isLocal(address)),
      Effect.flatMap((local) => handle(Command.rcpt(address, local, parameters)))
    )

  /** AUTH PLAIN/LOGIN: the reply is 235, or the refusal (535, 454, 538, 503). */
  const login = Effect.fn("login")(function*(credentials: Credentials) {
    const outcome = yield* authenticate(connection.remoteIp, credentials)
    if (outcome._tag === "Refused") return outcome.reply
    const { reply } = yield* handle(Command.authenticated(outcome.user))
    if (reply?.code === 235) yield* Effect.logInfo("authenticated").pipe(
      Effect.annotateLogs({ client: connection.remoteIp, user: outcome.user })
    )
    return reply
  })

  const receiveMessage = Effect.fnUntraced(function*(mime: Uint8Array, size: number, bareLineEnding: boolean) {
    const started = yield* Clock.currentTimeMillis
    const received = yield* handle(Command.dataEnd(size, bareLineEnding))
    const publishing = yield* Ref.get(state)
    if (publishing.phase !== "publishing") {
      counters.refused++
      yield* metrics.messageReceived("refused", size)
      yield* Effect.logInfo("message refused").pipe(
        Effect.annotateLogs({ client: connection.remoteIp, size, reply: received.reply?.code })
      )
      return received
    }
    const publishStarted = yield* Clock.currentTimeMillis
    const result = yield* acceptMessage({
      hostname: policy.hostname,
      connection: publishing.connection,
      helo: publishing.helo,
      envelope: publishing.envelope,
      mime
    }, settings).pipe(Effect.result)
    yield* metrics.publishDuration(((yield* Clock.currentTimeMillis) - publishStarted) / 1000)
    yield* metrics.messageReceived(result._tag === "Success" ? "accepted" : "tempfailed", size)
    const outcome = yield* handle(
      result._tag === "Success" ? Command.published(result.success) : Command.publishFailed(result.failure.message)
    )
    const took = (yield* Clock.currentTimeMillis) - started
    if (result._tag === "Success") {
      counters.queued++
      yield* Effect.logInfo("message queued").pipe(Effect.annotateLogs({
        ids: result.success.join(","),
        client: connection.remoteIp,
        sender: publishing.envelope.sender,
        recipients: publishing.envelope.recipients.length,
        size,
        ms: took
      }))
    } else {
      counters.deferred++
      yield* Effect.logWarning("message deferred").pipe(Effect.annotateLogs({
        client: connection.remoteIp,
        recipients: publishing.envelope.recipients.length,
        size,
        reason: result.failure.message,
        ms: took
      }))
    }
    return outcome
  })

  const close = Effect.fnUntraced(function*() {
    if (accepted) yield* metrics.connectionClosed
    const duration = (yield* Clock.currentTimeMillis) - openedAt
    const current = yield* Ref.get(state)
    const secure = "connection" in current ? isSecure(current.connection) : isSecure(connection)
    yield* Effect.logInfo("connection closed").pipe(Effect.annotateLogs({
      client: `${connection.remoteIp}:${connection.remotePort}`,
      local: `${connection.localIp}:${connection.localPort}`,
      secure,
      ...counters,
      ms: duration
    }))
  })

  /** The state right now, for adapters that must read it from a plain callback. */
  const current = (): SessionState => Ref.getUnsafe(state)

  return { policy, handle, connect, recipient, login, receiveMessage, close, state: Ref.get(state), current } as const
})

export type SmtpSession = Effect.Success<ReturnType<typeof openSession>>

/** What a session needs from the outside world. */
export type SessionServices =
  | IntakeSettings
  | MessageIds
  | Publisher
  | LocalAddresses
  | BlockedAddresses
  | Authenticator
  | AuthAttempts
  | Dns
  | SenderAuthentication
  | SpamScanner
