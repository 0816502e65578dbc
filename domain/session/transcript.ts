import type { SessionCommand } from "./commands.ts"
import type { SessionEvent } from "./events.ts"
import { replyOf } from "./events.ts"
import { replyLines } from "./reply.ts"

/** One step of a session as an operator reads it: what came in, what went out, what was decided. */
export interface TranscriptLine {
  /** epoch milliseconds */
  readonly at: number
  /** the client's command as it wrote it (credentials left out), or what happened, in parentheses */
  readonly input: string
  /** the reply lines as the client got them, if any */
  readonly reply: ReadonlyArray<string>
  /** the decider's events, by name, with why where there is a why */
  readonly decisions: ReadonlyArray<string>
}

const parameters = (names: ReadonlyArray<string>) => (names.length === 0 ? "" : ` ${names.join(" ")}`)

/** The command as a line of the transcript. No credential: AUTH's responses are never in a command. */
export const describeCommand = (command: SessionCommand): string => {
  switch (command._tag) {
    case "Connect":
      return `(connect from ${command.connection.remoteIp}:${command.connection.remotePort}${command.blocked ? ", on the blocked list" : ""}${
        command.spokeTooSoon ? ", spoke before the greeting" : ""
      })`
    case "Secured":
      return `(TLS established: ${command.tls.protocol} ${command.tls.cipher})`
    case "Ehlo":
      return `${command.extended ? "EHLO" : "HELO"} ${command.name}`
    case "Mail":
      return `MAIL FROM:<${command.address}>${parameters(command.parameters)}`
    case "Rcpt":
      return `RCPT TO:<${command.address}>${parameters(command.parameters)}${command.local ? " (local)" : ""}`
    case "StartTls":
      return "STARTTLS"
    case "Auth":
      return `AUTH ${command.mechanism}${command.initialResponse ? " (response hidden)" : ""}`
    case "AuthChallenge":
      return "(SASL response hidden)"
    case "Authenticated":
      return `(credentials accepted for ${command.user})`
    case "AuthRefused":
      return `(authentication ${command.reason})`
    case "Data":
      return command.memoryFull === true ? "DATA (the memory budget is spent)" : "DATA"
    case "DataEnd":
      return `(end of data: ${command.size} bytes${command.bareLineEnding ? ", bare CR or LF" : ""}${command.nul ? ", NUL byte" : ""}${
        command.overBudget === true ? ", over the memory budget" : ""
      })`
    case "Published":
      return `(published: ${command.messageIds.join(", ")})`
    case "PublishFailed":
      return `(publish failed: ${command.reason})`
    case "PublishRefused":
      return `(publish refused: ${command.size} bytes, the broker takes ${command.limit})`
    case "Rset":
    case "Noop":
    case "Help":
    case "Vrfy":
    case "Expn":
    case "Quit":
      return command._tag.toUpperCase()
    case "Unknown":
      return `${command.verb} (not recognized)`
    case "Malformed":
      return `${command.verb} (${command.reason})`
    case "HttpRequest":
      return "(an HTTP request)"
    case "LineTooLong":
      return "(a command line over the limit)"
    case "TimedOut":
      return command.during === "data" ? "(the message took too long)" : "(the client was silent too long)"
    case "ShuttingDown":
      return "(the daemon is stopping)"
    case "Disconnected":
      return command.reason === "tls-failed" ? "(TLS handshake failed)" : "(the client closed the connection)"
  }
}

const describeEvent = (event: SessionEvent): string => {
  switch (event._tag) {
    case "ConnectionRefused":
    case "SessionClosed":
    case "ClientLeft":
    case "AuthFailed":
    case "MessageRefused":
    case "MessageDeferred":
      return `${event._tag}: ${event.reason}`
    case "CommandRefused":
      return `${event._tag}: ${event.command}`
    default:
      return event._tag
  }
}

export const transcriptLine = (entry: { readonly at: number; readonly command: SessionCommand; readonly events: ReadonlyArray<SessionEvent> }): TranscriptLine => {
  const reply = replyOf(entry.events)
  return {
    at: entry.at,
    input: describeCommand(entry.command),
    reply: reply === undefined ? [] : replyLines(reply),
    decisions: entry.events.map(describeEvent)
  }
}
