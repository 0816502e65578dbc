import { Effect, Fiber } from "effect"
import type { Context } from "effect"
import type { SpfVerdict } from "../../domain/checks/verdicts.ts"
import type { SessionEvent } from "../../domain/session/events.ts"
import type { SessionState } from "../../domain/session/state.ts"
import type { Dns } from "../ports/dns.ts"
import type { SenderAuthentication, SpfSubject } from "../ports/sender-authentication.ts"
import { checkSpf } from "../run-checks.ts"

/** Starts SPF for a sender in the background: its verdict, or undefined when it gave none in time. */
export type StartSpf = (subject: SpfSubject) => Fiber.Fiber<SpfVerdict | undefined>

/** SPF as a fiber of its own, with the session's services */
export const forkSpf = (context: Context.Context<Dns | SenderAuthentication>): StartSpf => (subject) =>
  Effect.runForkWith(context)(checkSpf(subject))

const inTransaction = (state: SessionState): boolean =>
  state.phase === "mail" || state.phase === "data" || state.phase === "publishing"

/**
 * SPF from MAIL FROM on (issue 17): everything it checks is known once the sender is accepted, so
 * its DNS lookups run while the client sends its recipients and its message, and a slow DNS does
 * not add to the wait for 250 after the data. It is the session's background work, never its
 * answer: a new MAIL starts it again, and it is stopped when the transaction ends (RSET, EHLO,
 * STARTTLS, a refused or delivered message) or the session does; the message whose data ended
 * takes it over (`take`) and awaits it with its other checks.
 */
export const makeEarlySpf = (start: StartSpf, hostname: string) => {
  let running: Fiber.Fiber<SpfVerdict | undefined> | undefined

  const stop = () => {
    running?.interruptUnsafe()
    running = undefined
  }

  return {
    /** after each step of the session, with its events and the state they led to */
    after: (events: ReadonlyArray<SessionEvent>, state: SessionState): void => {
      if (state.phase === "mail" && events.some((event) => event._tag === "SenderAccepted")) {
        stop()
        running = start({ sender: state.envelope.sender, helo: state.helo, clientIp: state.connection.remoteIp, hostname })
      } else if (running !== undefined && !inTransaction(state)) {
        stop()
      }
    },
    /** SPF of the message whose data just ended, now the message's to await (and to stop should it be stopped) */
    take: (): Effect.Effect<SpfVerdict | undefined> | undefined => {
      const fiber = running
      running = undefined
      return fiber === undefined ? undefined : Fiber.join(fiber).pipe(Effect.onInterrupt(() => Fiber.interrupt(fiber)))
    }
  }
}

export type EarlySpf = ReturnType<typeof makeEarlySpf>
