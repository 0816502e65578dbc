import type { SessionEvent } from "./events.ts"
import { initialState } from "./state.ts"
import type { Envelope, SessionState } from "./state.ts"

/** An event that cannot follow the state it was applied to: a defect in whoever produced it. */
export class EventOutOfPlace extends Error {
  readonly event: SessionEvent
  readonly state: SessionState

  constructor(event: SessionEvent, state: SessionState) {
    super(`event ${event._tag} cannot happen in phase ${state.phase}`)
    this.name = "EventOutOfPlace"
    this.event = event
    this.state = state
  }
}

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** The address is already a recipient of the transaction (addresses compared without case). */
export const isRecipient = (envelope: Envelope, address: string): boolean =>
  envelope.recipients.some((r) => sameAddress(r.address, address))

const outOfPlace = (state: SessionState, event: SessionEvent): never => {
  throw new EventOutOfPlace(event, state)
}

/**
 * Applies one event to the session state. Pure, total over the events `decide` produces for the
 * state, and strict: an event that cannot follow the state throws `EventOutOfPlace`.
 */
export const evolve = (state: SessionState, event: SessionEvent): SessionState => {
  if (state.phase === "closed") return outOfPlace(state, event)
  switch (event._tag) {
    case "ConnectionAccepted":
      if (state.phase !== "idle") return outOfPlace(state, event)
      return { phase: "connected", connection: event.connection, unrecognized: 0, errors: 0, junk: 0 }
    case "ConnectionRefused":
      if (state.phase !== "idle") return outOfPlace(state, event)
      return { phase: "closed" }
    case "SessionClosed":
    case "ClientLeft":
      return { phase: "closed" }
    case "CommandRefused":
      return state.phase === "idle" ? state : { ...state, errors: state.errors + 1 }
    case "CommandAnswered":
      return state.phase === "idle" ? state : { ...state, junk: state.junk + 1 }
  }
  if (state.phase === "idle") return outOfPlace(state, event)
  const open = { connection: state.connection, unrecognized: state.unrecognized, errors: state.errors, junk: state.junk }
  switch (event._tag) {
    case "CommandUnrecognized":
      return { ...state, unrecognized: state.unrecognized + 1, errors: state.errors + 1 }
    case "TlsStarting":
      // RFC 3207 §4.2: a transaction begun in plain text is forgotten
      if (state.phase !== "connected" && state.phase !== "ready" && state.phase !== "mail") return outOfPlace(state, event)
      return { phase: "securing", ...open }
    case "ConnectionSecured":
      if (state.phase !== "securing") return outOfPlace(state, event)
      return { phase: "connected", ...open, connection: { ...state.connection, tls: event.tls, user: undefined } }
    case "Greeted":
      if (state.phase !== "connected" && state.phase !== "ready" && state.phase !== "mail") return outOfPlace(state, event)
      return { phase: "ready", ...open, helo: event.name }
    case "AuthStarted":
      if (state.phase !== "ready") return outOfPlace(state, event)
      return { phase: "auth", ...open, helo: state.helo, mechanism: event.mechanism }
    case "AuthChallenged":
      if (state.phase !== "auth") return outOfPlace(state, event)
      return state
    case "UserAuthenticated":
      if (state.phase !== "auth") return outOfPlace(state, event)
      return { phase: "ready", ...open, connection: { ...state.connection, user: event.user }, helo: state.helo }
    case "AuthFailed":
      if (state.phase !== "auth") return outOfPlace(state, event)
      return { phase: "ready", ...open, errors: state.errors + 1, helo: state.helo }
    case "SenderAccepted":
      if (state.phase !== "ready") return outOfPlace(state, event)
      return {
        phase: "mail",
        ...open,
        helo: state.helo,
        envelope: { sender: event.address, recipients: [], utf8: event.utf8, ...(event.dsn === undefined ? {} : { dsn: event.dsn }) }
      }
    case "RecipientAccepted": {
      if (state.phase !== "mail") return outOfPlace(state, event)
      const { recipients } = state.envelope
      // a recipient given again is published once; the command did nothing, so it counts as junk
      if (isRecipient(state.envelope, event.address)) return { ...state, junk: state.junk + 1 }
      const recipient = { address: event.address, local: event.local, provisional: event.provisional, ...(event.dsn === undefined ? {} : { dsn: event.dsn }) }
      return { ...state, envelope: { ...state.envelope, recipients: [...recipients, recipient] } }
    }
    case "DataStarted":
      if (state.phase !== "mail") return outOfPlace(state, event)
      return { ...state, phase: "data" }
    case "MessageReceived":
      if (state.phase !== "data") return outOfPlace(state, event)
      return { ...state, phase: "publishing", size: event.size }
    case "MessageRefused":
      if (state.phase !== "data" && state.phase !== "publishing") return outOfPlace(state, event)
      return { phase: "ready", ...open, errors: state.errors + 1, helo: state.helo }
    case "MessageQueued":
      if (state.phase !== "publishing") return outOfPlace(state, event)
      // a delivered message: the session is doing what it is for, its error and junk counts start over
      return { phase: "ready", ...open, errors: 0, junk: 0, helo: state.helo }
    case "MessageDeferred":
      if (state.phase !== "publishing") return outOfPlace(state, event)
      return { phase: "ready", ...open, helo: state.helo }
    case "TransactionReset":
      if (state.phase === "connected") return { ...state, junk: state.junk + 1 }
      if (state.phase !== "ready" && state.phase !== "mail") return outOfPlace(state, event)
      return { phase: "ready", ...open, junk: state.junk + 1, helo: state.helo }
  }
}

export const evolveAll = (state: SessionState, events: ReadonlyArray<SessionEvent>): SessionState => {
  let next = state
  for (const event of events) next = evolve(next, event)
  return next
}

/** A session's state from its journal: every event since it began, applied in order. */
export const replay = (events: ReadonlyArray<SessionEvent>): SessionState => evolveAll(initialState, events)
