import type { SessionEvent } from "../session/events.ts"

/**
 * Why a client was turned away, as the console counts refusals: its connection (outside smtp-range,
 * on the blocked list or smtp-protection, over the connection budget, a bad PROXY header, talking
 * before the greeting), its AUTH, or its message (too big, bare CR or LF, a NUL byte, the memory
 * budget spent, or the broker: it refused the document or did not confirm it).
 */
export type RefusalReason =
  | "range"
  | "protection"
  | "budget"
  | "proxy"
  | "early-talker"
  | "auth"
  | "size"
  | "bare-lf"
  | "nul"
  | "memory"
  | "broker"

export const REFUSAL_REASONS: ReadonlyArray<RefusalReason> = [
  "range",
  "protection",
  "budget",
  "proxy",
  "early-talker",
  "auth",
  "size",
  "bare-lf",
  "nul",
  "memory",
  "broker"
]

export const isRefusalReason = (text: string): text is RefusalReason => (REFUSAL_REASONS as ReadonlyArray<string>).includes(text)

/**
 * A command refused for one of the console's reasons: AUTH required (530 at RCPT) or refused
 * before TLS (538), a SIZE= over smtp-maxsize (552 at MAIL), DATA while the memory budget is
 * spent (452 at DATA). Any other refused command (syntax, sequence) is no refusal it counts.
 */
const commandRefusal = (command: string, code: number): RefusalReason | undefined => {
  if (code === 530 && command === "Rcpt") return "auth"
  if (code === 538 && command === "Auth") return "auth"
  if (code === 552 && command === "Mail") return "size"
  if (code === 452 && command === "Data") return "memory"
  return undefined
}

/**
 * The refusal a session event records, if it is one. A cancelled or malformed AUTH exchange is the
 * client's doing, not a refusal; a deferred message (451) is the broker's.
 */
export const refusalOf = (event: SessionEvent): RefusalReason | undefined => {
  switch (event._tag) {
    case "ConnectionRefused":
      return event.reason === "blocked" ? "protection" : event.reason
    case "AuthFailed":
      return event.reason === "rejected" || event.reason === "throttled" || event.reason === "unavailable" ? "auth" : undefined
    case "MessageRefused":
      switch (event.reason) {
        case "size":
          return "size"
        case "bare-line-ending":
          return "bare-lf"
        case "nul":
          return "nul"
        case "memory":
          return "memory"
        case "too-large-for-broker":
          return "broker"
        case "authentication":
          return "auth"
      }
      return undefined
    case "CommandRefused":
      return commandRefusal(event.command, event.reply.code)
    case "MessageDeferred":
      return "broker"
  }
  return undefined
}
