import { validateMailbox } from "../address/validate-address.ts"
import { rangesContain } from "../ip/ip-range.ts"
import type { AuthRefusal, SessionCommand } from "./commands.ts"
import { MAIL_DSN_PARAMETERS, RCPT_DSN_PARAMETERS } from "./dsn-parameters.ts"
import type { DsnParsed } from "./dsn-parameters.ts"
import type { SessionEvent } from "./events.ts"
import { AUTH_MECHANISMS, MAX_UNRECOGNIZED_COMMANDS } from "./policy.ts"
import type { SessionPolicy } from "./policy.ts"
import { reply } from "./reply.ts"
import type { Reply } from "./reply.ts"
import { refusedForWantOfAuth } from "./state.ts"
import type { SessionState } from "./state.ts"
import { isRecipient } from "./evolve.ts"

type Events = ReadonlyArray<SessionEvent>
type OpenState = Exclude<SessionState, { phase: "idle" } | { phase: "closed" }>
type CommandState = Extract<SessionState, { phase: "connected" | "ready" | "mail" }>

const refused = (command: SessionCommand, code: number, enhanced: string, text: string): Events => [
  { _tag: "CommandRefused", command: command._tag, reply: reply(code, enhanced, text) }
]

const outOfSequence = (command: SessionCommand, text: string) => refused(command, 503, "5.5.1", text)

const answered = (command: SessionCommand, r: Reply): Events => [{ _tag: "CommandAnswered", command: command._tag, reply: r }]

/**
 * RFC 5321 §4.1.1.11: a parameter of an extension we do not offer gets 555. EHLO offers SIZE,
 * 8BITMIME (BODY) and SMTPUTF8, and DSN (RET, ENVID, NOTIFY, ORCPT) with dsn-advertise;
 * REQUIRETLS is not offered.
 */
const MAIL_PARAMETERS: ReadonlyArray<string> = ["SIZE", "BODY", "SMTPUTF8"]
const RCPT_PARAMETERS: ReadonlyArray<string> = []
const BODY_TYPES: ReadonlyArray<string> = ["7BIT", "8BITMIME"]

const unsupported = (given: ReadonlyArray<string>, known: ReadonlyArray<string>) =>
  given.find((name) => !known.includes(name.toUpperCase()))

/** The DSN parameters a command carries into its event, when there are any (a malformed one was refused before). */
const dsnOf = <A>(parsed: DsnParsed<A> | undefined): { readonly dsn?: A } =>
  parsed?.ok === true && parsed.dsn !== undefined ? { dsn: parsed.dsn } : {}

/** RFC 5321 §4.1.1.3: the domainless `<Postmaster>` must be accepted. */
const isPostmaster = (address: string) => address.toLowerCase() === "postmaster"

export const BARE_LINE_ENDING_REFUSED = "Bare LF or CR in message data not allowed"
export const NUL_REFUSED = "NUL byte in message data not allowed"

/** A recipient other than a local address needs AUTH (at RCPT; with rabbitmq-refused, after DATA). */
const AUTH_REQUIRED = { code: 530, enhanced: "5.7.0", text: "Authentication required" } as const

export const QUEUED_HEADLINE = "Ok, your message has been queued using the following identifiers:"

const SUPPORTED_COMMANDS = "EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS AUTH"

/** The first challenge of each SASL mechanism: PLAIN wants everything at once, LOGIN the user name first. */
const FIRST_CHALLENGE: Readonly<Record<string, string>> = { PLAIN: "", LOGIN: "VXNlcm5hbWU6" }

const AUTH_REFUSALS: Readonly<Record<AuthRefusal, Reply>> = {
  rejected: reply(535, "5.7.8", "Authentication credentials invalid"),
  throttled: reply(454, "4.7.0", "Too many failed authentication attempts, try again later"),
  unavailable: reply(454, "4.7.0", "Temporary authentication failure, try again later"),
  cancelled: reply(501, "5.7.0", "Authentication aborted"),
  malformed: reply(501, "5.5.2", "Cannot decode the authentication response")
}

/** The reply to an AUTH exchange that authenticated nobody. */
export const authRefusalReply = (reason: AuthRefusal): Reply => AUTH_REFUSALS[reason]

/** The SMTP session rules: what a command leads to in a given state. Pure; `evolve` applies the result. */
export const decide = (policy: SessionPolicy) => {
  const mailParameters = policy.dsnOffered === true ? [...MAIL_PARAMETERS, ...MAIL_DSN_PARAMETERS] : MAIL_PARAMETERS
  const rcptParameters = policy.dsnOffered === true ? [...RCPT_PARAMETERS, ...RCPT_DSN_PARAMETERS] : RCPT_PARAMETERS
  const closing = (reason: Extract<SessionEvent, { _tag: "SessionClosed" }>["reason"], code: number, enhanced: string, text: string): Events => [
    { _tag: "SessionClosed", reason, reply: reply(code, enhanced, `${policy.hostname} ${text}`) }
  ]

  const connect = (command: Extract<SessionCommand, { _tag: "Connect" }>): Events => {
    const { connection } = command
    if (!rangesContain(policy.allowedRanges, connection.remoteIp)) {
      return [{
        _tag: "ConnectionRefused",
        connection,
        reason: "range",
        reply: reply(554, "5.7.1", `Access denied: ${connection.remoteIp} may not connect to this server`)
      }]
    }
    if (policy.protection && command.blocked) {
      return [{
        _tag: "ConnectionRefused",
        connection,
        reason: "blocked",
        reply: reply(554, "5.7.1", `Access denied: ${connection.remoteIp} is blocked`)
      }]
    }
    // RFC 5321 §3.1: the client waits for the greeting; one that does not is no MTA.
    if (command.spokeTooSoon) {
      return [{
        _tag: "ConnectionRefused",
        connection,
        reason: "early-talker",
        reply: reply(421, "4.7.0", `${policy.hostname} You talk too soon`)
      }]
    }
    return [{ _tag: "ConnectionAccepted", connection, reply: reply(220, undefined, `${policy.hostname} ESMTP`) }]
  }

  /** What any open session does with the commands that end it, whatever its phase. */
  const ending = (command: SessionCommand): Events | undefined => {
    switch (command._tag) {
      case "Disconnected":
        return [{ _tag: "ClientLeft", reason: command.reason }]
      case "ShuttingDown":
        return closing("shutdown", 421, "4.3.2", "Server shutting down")
      case "TimedOut":
        return command.during === "data"
          ? closing("timeout", 421, "4.4.2", "Message not received in time, closing connection")
          : closing("timeout", 421, "4.4.2", "Timeout, closing connection")
      case "LineTooLong":
        return closing("line-too-long", 421, "4.5.0", "Command line too long, closing connection")
    }
    return undefined
  }

  const extensions = (state: CommandState): ReadonlyArray<string> => {
    const secure = state.connection.tls !== undefined
    return [
      "PIPELINING",
      "8BITMIME",
      "SMTPUTF8",
      "ENHANCEDSTATUSCODES",
      `SIZE ${policy.maxSize}`,
      ...(policy.dsnOffered === true ? ["DSN"] : []),
      ...(policy.tlsOffered && !secure ? ["STARTTLS"] : []),
      ...(policy.authRequired && secure && state.connection.user === undefined ? [`AUTH ${AUTH_MECHANISMS.join(" ")}`] : [])
    ]
  }

  /**
   * Postfix's smtpd_hard_error_limit and smtpd_junk_command_limit: a session that keeps getting
   * refusals, or keeps sending commands that do nothing, without delivering a message, is ended with
   * 421 in place of the reply that would go over the limit.
   */
  const withinLimits = (state: CommandState | Extract<SessionState, { phase: "auth" }>, events: Events): Events => {
    const [event] = events
    if (event === undefined || events.length !== 1) return events
    const error = event._tag === "CommandRefused" || event._tag === "CommandUnrecognized" || event._tag === "AuthFailed"
    if (error && state.errors + 1 > policy.maxErrors) {
      return closing("too-many-errors", 421, "4.7.0", "Too many errors, closing connection")
    }
    const junk = event._tag === "CommandAnswered" || event._tag === "TransactionReset" ||
      (event._tag === "RecipientAccepted" && state.phase === "mail" && isRecipient(state.envelope, event.address))
    if (junk && state.junk + 1 > policy.maxJunk) {
      return closing("too-many-junk", 421, "4.7.0", "Too many commands without a message, closing connection")
    }
    return events
  }

  /** Between commands: the client's line was parsed into `command`. */
  const commandPhase = (state: CommandState, command: SessionCommand): Events => withinLimits(state, commandReply(state, command))

  const commandReply = (state: CommandState, command: SessionCommand): Events => {
    switch (command._tag) {
      case "Quit":
        return [{ _tag: "SessionClosed", reason: "quit", reply: reply(221, "2.0.0", `${policy.hostname} closing connection`) }]
      case "Noop":
        return answered(command, reply(250, "2.0.0", "Ok"))
      case "Help":
        return answered(command, reply(214, "2.0.0", `Supported commands: ${SUPPORTED_COMMANDS}`))
      case "Vrfy":
        // RFC 5321 §3.5.3: neither confirm nor deny a mailbox.
        return answered(command, reply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"))
      case "Expn":
        return refused(command, 502, "5.5.1", "EXPN not available")
      case "HttpRequest":
        return closing("http-request", 421, "4.7.0", "HTTP requests not allowed, closing connection")
      case "Unknown":
        if (state.unrecognized + 1 >= MAX_UNRECOGNIZED_COMMANDS) {
          return closing("too-many-unrecognized", 421, "4.7.0", "Too many unrecognized commands, closing connection")
        }
        return [{ _tag: "CommandUnrecognized", verb: command.verb, reply: reply(500, "5.5.2", "Command not recognized") }]
      case "Malformed":
        return refused(command, 501, "5.5.4", `Syntax error: ${command.reason}`)

      case "Ehlo": {
        const name = command.name.trim()
        if (name === "") return refused(command, 501, "5.5.4", `${command.extended ? "EHLO" : "HELO"} requires a domain name or address literal`)
        const greeting = `${policy.hostname} Hello ${name}`
        const lines = command.extended ? [greeting, ...extensions(state)] : [greeting]
        return [{ _tag: "Greeted", name, extended: command.extended, reply: reply(250, undefined, ...lines) }]
      }

      case "StartTls":
        if (!policy.tlsOffered) return refused(command, 502, "5.5.1", "STARTTLS not available")
        if (state.connection.tls !== undefined) return outOfSequence(command, "TLS already active")
        return [{ _tag: "TlsStarting", reply: reply(220, "2.0.0", "Ready to start TLS") }]

      case "Auth": {
        if (!policy.authRequired) return refused(command, 502, "5.5.1", "AUTH not available")
        if (state.phase === "connected") return outOfSequence(command, "Send EHLO first")
        if (state.phase === "mail") return outOfSequence(command, "AUTH is not allowed during a mail transaction")
        if (state.connection.user !== undefined) return outOfSequence(command, "Already authenticated")
        if (state.connection.tls === undefined) return refused(command, 538, "5.7.11", "Encryption required for requested authentication mechanism")
        const mechanism = command.mechanism.toUpperCase()
        const challenge = FIRST_CHALLENGE[mechanism]
        if (!AUTH_MECHANISMS.includes(mechanism) || challenge === undefined) {
          return refused(command, 504, "5.5.4", "Unrecognized authentication type")
        }
        return [{ _tag: "AuthStarted", mechanism, reply: command.initialResponse ? undefined : reply(334, undefined, challenge) }]
      }

      case "Mail": {
        if (state.phase === "connected") return outOfSequence(command, "Send EHLO or HELO first")
        if (state.phase === "mail") return outOfSequence(command, "Nested MAIL command: a transaction is already in progress")
        const unknownMail = unsupported(command.parameters, mailParameters)
        if (unknownMail !== undefined) return refused(command, 555, "5.5.4", `Unsupported MAIL FROM parameter: ${unknownMail}`)
        if (command.dsn?.ok === false) return refused(command, 501, "5.5.4", `Syntax error: ${command.dsn.error}`)
        if (command.body !== undefined && !BODY_TYPES.includes(command.body)) {
          return refused(command, 501, "5.5.4", "BODY must be 7BIT or 8BITMIME")
        }
        if (command.size !== undefined && command.size > policy.maxSize) {
          return refused(command, 552, "5.3.4", `Message size exceeds the fixed maximum of ${policy.maxSize} bytes`)
        }
        if (command.address !== "") {
          const verdict = validateMailbox(command.address, { mode: policy.addressValidation, utf8: command.utf8 })
          if (!verdict.valid) return refused(command, 501, "5.1.7", `Bad sender address syntax: ${verdict.reason}`)
        }
        const { address, utf8 } = command
        return [{ _tag: "SenderAccepted", address, utf8, ...dsnOf(command.dsn), reply: reply(250, "2.1.0", "Accepted") }]
      }

      case "Rcpt": {
        if (state.phase === "connected") return outOfSequence(command, "Send EHLO or HELO first")
        if (state.phase !== "mail") return outOfSequence(command, "Need MAIL command first")
        const unknownRcpt = unsupported(command.parameters, rcptParameters)
        if (unknownRcpt !== undefined) return refused(command, 555, "5.5.4", `Unsupported RCPT TO parameter: ${unknownRcpt}`)
        if (command.dsn?.ok === false) return refused(command, 501, "5.5.4", `Syntax error: ${command.dsn.error}`)
        if (!isPostmaster(command.address)) {
          const verdict = validateMailbox(command.address, { mode: policy.addressValidation, utf8: state.envelope.utf8 })
          if (!verdict.valid) return refused(command, 553, "5.1.3", `Bad recipient address syntax: ${verdict.reason}`)
        }
        const provisional = policy.authRequired && state.connection.user === undefined && !command.local
        if (provisional && !policy.keepRefused) return refused(command, AUTH_REQUIRED.code, AUTH_REQUIRED.enhanced, AUTH_REQUIRED.text)
        if (state.envelope.recipients.length >= policy.maxRecipients) {
          return refused(command, 452, "4.5.3", `Too many recipients: at most ${policy.maxRecipients} per message`)
        }
        const { address, local } = command
        return [{ _tag: "RecipientAccepted", address, local, provisional, ...dsnOf(command.dsn), reply: reply(250, "2.1.5", "Accepted") }]
      }

      case "Data":
        if (state.phase === "connected") return outOfSequence(command, "Send EHLO or HELO first")
        if (state.phase !== "mail") return outOfSequence(command, "Need MAIL command first")
        if (state.envelope.recipients.length === 0) return outOfSequence(command, "Need RCPT command first: no valid recipients")
        if (command.memoryFull === true) return refused(command, 452, "4.3.1", "Insufficient system resources for a message now, try again later")
        return [{ _tag: "DataStarted", reply: reply(354, undefined, "End data with <CR><LF>.<CR><LF>") }]

      case "Rset":
        return [{ _tag: "TransactionReset", reply: reply(250, "2.0.0", "Ok") }]
    }
    return unexpected(state, command)
  }

  const authenticating = (command: SessionCommand): Events | undefined => {
    switch (command._tag) {
      case "AuthChallenge":
        return [{ _tag: "AuthChallenged", reply: reply(334, undefined, command.prompt) }]
      case "Authenticated":
        return [{ _tag: "UserAuthenticated", user: command.user, reply: reply(235, "2.7.0", "Authentication successful") }]
      case "AuthRefused":
        return [{ _tag: "AuthFailed", reason: command.reason, reply: AUTH_REFUSALS[command.reason] }]
    }
    return undefined
  }

  const receiving = (command: SessionCommand): Events | undefined => {
    if (command._tag !== "DataEnd") return undefined
    const { size } = command
    if (size > policy.maxSize) {
      return [{
        _tag: "MessageRefused",
        reason: "size",
        size,
        reply: reply(552, "5.3.4", `Message size exceeds the fixed maximum of ${policy.maxSize} bytes`)
      }]
    }
    // RFC 5321 §2.3.8; SMTP smuggling: refused as a whole, like Postfix's smtpd_forbid_bare_newline.
    if (command.bareLineEnding) {
      return [{ _tag: "MessageRefused", reason: "bare-line-ending", size, reply: reply(550, "5.6.0", BARE_LINE_ENDING_REFUSED) }]
    }
    // RFC 5322 §2.1 and RFC 6152 allow no NUL in message text; a hop that drops it could see an end of DATA.
    if (command.nul) return [{ _tag: "MessageRefused", reason: "nul", size, reply: reply(550, "5.6.0", NUL_REFUSED) }]
    // the daemon's memory budget for message data ran out while it arrived: a temporary refusal
    if (command.overBudget === true) {
      return [{
        _tag: "MessageRefused",
        reason: "memory",
        size,
        reply: reply(452, "4.3.1", "Insufficient system resources for the message, try again later")
      }]
    }
    return [{ _tag: "MessageReceived", size }]
  }

  const publishing = (state: Extract<SessionState, { phase: "publishing" }>, command: SessionCommand): Events | undefined => {
    const done = command._tag === "Published" || command._tag === "PublishFailed" || command._tag === "PublishRefused"
    // kept in rabbitmq-refused (or not, if that failed): refused all the same, as it would have been at RCPT
    if (done && refusedForWantOfAuth(state.envelope)) {
      return [{ _tag: "MessageRefused", reason: "authentication", size: state.size, reply: reply(AUTH_REQUIRED.code, AUTH_REQUIRED.enhanced, AUTH_REQUIRED.text) }]
    }
    switch (command._tag) {
      case "Published": {
        const { recipients } = state.envelope
        if (command.messageIds.length !== recipients.length) {
          return [deferred(`${command.messageIds.length} ids for ${recipients.length} recipients`)]
        }
        const lines = [QUEUED_HEADLINE, ...recipients.map((rcpt, i) => `${command.messageIds[i]} for ${rcpt.address}`)]
        return [{ _tag: "MessageQueued", messageIds: command.messageIds, brokerMs: command.brokerMs, reply: reply(250, undefined, ...lines) }]
      }
      case "PublishFailed":
        return [deferred(command.reason)]
      case "PublishRefused":
        // never retried into a 451 loop: the message cannot become smaller
        return [{
          _tag: "MessageRefused",
          reason: "too-large-for-broker",
          size: state.size,
          reply: reply(552, "5.3.4", `Message too large for the queue: ${command.size} bytes as JSON, the broker takes at most ${command.limit}`)
        }]
    }
    return undefined
  }

  /**
   * A command that cannot reach this phase from the wire (the adapter reads message data, SASL
   * responses or a TLS handshake there, not commands): refused, the state unchanged.
   */
  const unexpected = (state: OpenState, command: SessionCommand): Events =>
    outOfSequence(command, `${command._tag} not expected while ${state.phase}`)

  return (state: SessionState, command: SessionCommand): Events => {
    switch (state.phase) {
      case "closed":
        return []
      case "idle":
        // the client may leave while its start is being decided
        if (command._tag === "Disconnected") return [{ _tag: "ClientLeft", reason: command.reason }]
        return command._tag === "Connect" ? connect(command) : outOfSequence(command, "Not connected")
    }
    const ends = ending(command)
    if (ends !== undefined) return ends
    switch (state.phase) {
      case "securing":
        return command._tag === "Secured" ? [{ _tag: "ConnectionSecured", tls: command.tls }] : unexpected(state, command)
      case "auth": {
        const events = authenticating(command)
        return events === undefined ? unexpected(state, command) : withinLimits(state, events)
      }
      case "data":
        return receiving(command) ?? unexpected(state, command)
      case "publishing":
        return publishing(state, command) ?? unexpected(state, command)
    }
    return commandPhase(state, command)
  }
}

const deferred = (reason: string): SessionEvent => ({
  _tag: "MessageDeferred",
  reason,
  reply: reply(451, "4.3.0", "Temporary failure queuing the message, please try again later")
})
