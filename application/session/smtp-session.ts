import { Clock, Effect, Exit } from "effect"
import { saslRespond, saslStart } from "../../domain/auth/sasl.ts"
import type { SaslState } from "../../domain/auth/sasl.ts"
import { authenticationPlan } from "../../domain/checks/checks-config.ts"
import type { ReceivedData } from "../../domain/message/data-reader.ts"
import { parseCommandLine } from "../../domain/session/command-line.ts"
import { Command } from "../../domain/session/commands.ts"
import type { SessionCommand } from "../../domain/session/commands.ts"
import type { ConnectionInfo } from "../../domain/session/connection.ts"
import { decide } from "../../domain/session/decide.ts"
import { replyOf } from "../../domain/session/events.ts"
import type { SessionEvent } from "../../domain/session/events.ts"
import { evolve } from "../../domain/session/evolve.ts"
import type { Reply } from "../../domain/session/reply.ts"
import { initialState } from "../../domain/session/state.ts"
import type { SessionState } from "../../domain/session/state.ts"
import { acceptMessage } from "../accept-message.ts"
import { authenticate } from "../authenticate.ts"
import type { AuthAttempts } from "../ports/auth-attempts.ts"
import type { Authenticator } from "../ports/authenticator.ts"
import { BlockedAddresses } from "../ports/blocked-addresses.ts"
import type { Dns } from "../ports/dns.ts"
import { IntakeSettings } from "../ports/intake-settings.ts"
import { LocalAddresses } from "../ports/local-addresses.ts"
import type { MessageIds } from "../ports/message-ids.ts"
import { Metrics } from "../ports/metrics.ts"
import type { Publisher } from "../ports/publisher.ts"
import type { SenderAuthentication } from "../ports/sender-authentication.ts"
import { SessionJournals } from "../ports/session-journals.ts"
import type { SpamScanner } from "../ports/spam-scanner.ts"
import { forkSpf, makeEarlySpf } from "./early-spf.ts"
import { Journal } from "./journal.ts"
import { makeSessionObserver } from "./session-observer.ts"

const latin1 = new TextDecoder("latin1")

/** `lineNow` cannot answer this line by itself: `line` must. */
export const NEEDS_SERVICES = Symbol("needs services")

/**
 * One client's session. Every line the client sends, every end of a message and every event of the
 * connection (TLS, timeouts, shutdown, the client leaving) goes through the domain decider, whose
 * events are the session's record: they give its state (`evolve`), its journal, its log lines and
 * metrics, and the reply the client gets. The settings in force when it opens are its own to the
 * end: a reload meanwhile changes nothing for it.
 */
// Untraced, like the other per-connection and per-message use cases: nothing reads spans here, and a
// traced Effect.fn costs a stack capture and a span on every call (~6 µs), several times a message.
export interface SessionOptions {
  /** the name to greet with (the local IP's MTA hostname) */
  readonly hostname?: string | undefined
  readonly id?: string | undefined
  /** true while the daemon's memory budget for message data is spent (DATA then gets 452) */
  readonly memorySpent?: (() => boolean) | undefined
}

export const openSession = Effect.fnUntraced(function*(connection: ConnectionInfo, options: SessionOptions = {}) {
  const settings = yield* (yield* IntakeSettings).current
  const policy = options.hostname === undefined ? settings.policy : { ...settings.policy, hostname: options.hostname }
  const decideNext = decide(policy)
  const openedAt = yield* Clock.currentTimeMillis
  const journal = new Journal(options.id ?? `${openedAt}-${connection.remotePort}`, connection, openedAt)
  yield* (yield* SessionJournals).keep(journal.snapshot)
  const observe = makeSessionObserver(connection, yield* Metrics, openedAt)
  const clock = yield* Clock.Clock
  // the log lines and metrics of a step are synchronous (in memory, and a batched log writer): they
  // run at once in the session's context, without a fiber of their own per command
  const context = yield* Effect.context<never>()
  const runObserved = Effect.runSyncWith(context)
  const locals = yield* LocalAddresses
  /** whether a recipient is local, when the lists answer at once (they are held in memory); else undefined */
  const isLocalNow = (address: string): boolean | undefined => {
    const exit = Effect.runSyncExitWith(context)(locals.isLocal(address))
    return Exit.isSuccess(exit) ? exit.value : undefined
  }
  // SPF runs from MAIL FROM on, only when it is checked: nothing more per command otherwise
  const earlySpf = authenticationPlan(settings.checks).spf
    ? makeEarlySpf(forkSpf(yield* Effect.context<Dns | SenderAuthentication>()), policy.hostname)
    : undefined
  let state: SessionState = initialState
  /** the SASL exchange under way, apart from the decider: it holds credentials */
  let sasl: SaslState | undefined

  const current = (): SessionState => state

  /** Decides, applies and records one command, at once; the client's reply, if the step has one. */
  const stepNow = (command: SessionCommand, at = clock.currentTimeMillisUnsafe()): Reply | undefined => {
    // a closed session hears nothing more (the socket's close after QUIT): nothing to record
    if (state.phase === "closed") return undefined
    const events: ReadonlyArray<SessionEvent> = decideNext(state, command)
    const observed: Array<Effect.Effect<void>> = []
    for (const event of events) {
      const before = state
      state = evolve(state, event)
      observed.push(observe(event, before, at))
    }
    journal.record({ at, command, events })
    for (const effect of observed) if (effect !== Effect.void) runObserved(effect)
    if (earlySpf !== undefined) earlySpf.after(events, state)
    return replyOf(events)
  }

  const step = (command: SessionCommand) => Effect.sync(() => stepNow(command))

  /**
   * The steps of a message's end and its publish, timed to the microsecond: the log's DATA-to-250 is
   * a fraction of a millisecond over the broker's confirm. Every other step takes the cheaper ms clock.
   */
  const stepPrecisely = (command: SessionCommand) => Effect.sync(() => stepNow(command, Number(clock.currentTimeNanosUnsafe()) / 1e6))

  /** The start: refused outside smtp-range, when blocked (smtp-protection), or when the client spoke first. */
  const connect = (spokeTooSoon: boolean) =>
    BlockedAddresses.pipe(
      Effect.flatMap((blocked) => blocked.isBlocked(connection.remoteIp)),
      Effect.flatMap((blocked) => step(Command.connect(connection, blocked, spokeTooSoon)))
    )

  /** A SASL response (or AUTH's initial response): another challenge, or the credentials checked. */
  const respond = Effect.fnUntraced(function*(response: string) {
    if (sasl === undefined) return yield* step(Command.authRefused("malformed"))
    const next = saslRespond(sasl, response)
    switch (next._tag) {
      case "Cancelled":
      case "Malformed":
        sasl = undefined
        return yield* step(Command.authRefused(next._tag === "Cancelled" ? "cancelled" : "malformed"))
      case "Challenge":
        sasl = next.next
        return yield* step(Command.authChallenge(next.prompt))
    }
    sasl = undefined
    const outcome = yield* authenticate(connection.remoteIp, { username: next.username, password: next.password })
    return yield* step(outcome._tag === "Accepted" ? Command.authenticated(outcome.user) : Command.authRefused(outcome.reason))
  })

  /**
   * One line from the client, answered at once when nothing outside the session is needed for it;
   * NEEDS_SERVICES for a SASL response, AUTH and RCPT (the credentials checked, whether the address is
   * local), which `line` answers. Nothing has happened in the session when it says so.
   */
  const lineNow = (bytes: Uint8Array): Reply | undefined | typeof NEEDS_SERVICES => {
    if (state.phase === "auth") return NEEDS_SERVICES
    const { command } = parseCommandLine(bytes)
    if (command._tag === "Auth") return NEEDS_SERVICES
    if (command._tag === "Rcpt") {
      const local = isLocalNow(command.address)
      return local === undefined ? NEEDS_SERVICES : stepNow({ ...command, local })
    }
    return stepNow(command._tag === "Data" && options.memorySpent?.() === true ? { ...command, memoryFull: true } : command)
  }

  /**
   * One line from the client while the session reads commands or SASL responses: `lineNow` where it
   * can, else with the services it needs (the credentials checked, whether a recipient is local).
   */
  const line = (bytes: Uint8Array) =>
    Effect.suspend(() => {
      const now = lineNow(bytes)
      return now === NEEDS_SERVICES ? lineWithServices(bytes) : Effect.succeed(now)
    })

  const lineWithServices = Effect.fnUntraced(function*(bytes: Uint8Array) {
    if (state.phase === "auth") return yield* respond(latin1.decode(bytes))
    const parsed = parseCommandLine(bytes)
    const { command } = parsed
    if (command._tag === "Rcpt") {
      const local = yield* locals.isLocal(command.address)
      return yield* step({ ...command, local })
    }
    const reply = yield* step(command)
    if (command._tag === "Auth" && current().phase === "auth") {
      sasl = saslStart(command.mechanism)
      if (parsed.initialResponse !== undefined) return yield* respond(parsed.initialResponse)
    }
    return reply
  })

  /** The end of DATA: decides, publishes, and answers only after the publisher confirmed. */
  const message = Effect.fnUntraced(function*(data: ReceivedData) {
    const received = yield* stepPrecisely(Command.dataEnd(data.size, data.bareLineEnding, data.nul, data.overBudget))
    if (state.phase !== "publishing") return received
    const { envelope, helo } = state
    const result = yield* acceptMessage({
      hostname: policy.hostname,
      connection: state.connection,
      helo,
      envelope,
      mime: data.mime
    }, settings, earlySpf?.take()).pipe(Effect.result)
    if (result._tag === "Success") return yield* stepPrecisely(Command.published(result.success.messageIds, result.success.brokerMs))
    const { failure } = result
    return yield* stepPrecisely(failure._tag === "PublishRefused" ? Command.publishRefused(failure.size, failure.limit) : Command.publishFailed(failure.message))
  })

  return {
    policy,
    connect,
    lineNow,
    line,
    message,
    /** what the connection itself tells the session (TLS up, a timeout, shutdown, the client gone), answered at once */
    signalNow: (command: SessionCommand) => stepNow(command),
    /** the state right now, for the adapter to know how to read the client's next bytes */
    current,
    journal: journal.snapshot
  } as const
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
