import type { SessionEvent } from "./events.ts"
import type { SessionState } from "./state.ts"

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** Applies one event to the session state. Pure. */
export const evolve = (state: SessionState, event: SessionEvent): SessionState => {
  switch (event._tag) {
    case "ConnectionAccepted":
      return { phase: "connected", connection: event.connection }
    case "ConnectionRefused":
    case "SessionClosed":
      return { phase: "closed" }
    case "ConnectionSecured":
      return "connection" in state
        ? { phase: "connected", connection: { ...state.connection, tls: event.tls, user: undefined } }
        : state
    case "Greeted":
      return "connection" in state ? { phase: "ready", connection: state.connection, helo: event.name } : state
    case "UserAuthenticated":
      return state.phase === "ready" ? { ...state, connection: { ...state.connection, user: event.user } } : state
    case "SenderAccepted":
      return state.phase === "ready"
        ? { ...state, phase: "mail", envelope: { sender: event.address, recipients: [], utf8: event.utf8 } }
        : state
    case "RecipientAccepted": {
      if (state.phase !== "mail") return state
      const { recipients } = state.envelope
      if (recipients.some((r) => sameAddress(r.address, event.address))) return state
      const recipient = { address: event.address, local: event.local }
      return { ...state, envelope: { ...state.envelope, recipients: [...recipients, recipient] } }
    }
    case "DataStarted":
      return state.phase === "mail" ? { ...state, phase: "data" } : state
    case "MessageReceived":
      return state.phase === "data" ? { ...state, phase: "publishing", size: event.size } : state
    case "MessageQueued":
    case "MessageDeferred":
    case "MessageRefused":
    case "TransactionReset":
      return "helo" in state ? { phase: "ready", connection: state.connection, helo: state.helo } : state
    case "CommandRefused":
      return state
  }
}

export const evolveAll = (state: SessionState, events: ReadonlyArray<SessionEvent>): SessionState =>
  events.reduce(evolve, state)
