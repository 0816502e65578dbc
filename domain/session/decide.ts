import { validateMailbox } from "../address/validate-address.ts"
import { rangesContain } from "../ip/ip-range.ts"
import type { SessionCommand } from "./commands.ts"
import type { SessionEvent } from "./events.ts"
import type { SessionPolicy } from "./policy.ts"
import { reply } from "./reply.ts"
import type { SessionState } from "./state.ts"

const refused = (command: SessionCommand, code: number, enhanced: string, text: string): ReadonlyArray<SessionEvent> => [
  { _tag: "CommandRefused", command: command._tag, reply: reply(code, enhanced, text) }
]

const outOfSequence = (command: SessionCommand, text: string) => refused(command, 503, "5.5.1", text)

/**
 * RFC 5321 §4.1.1.11: a parameter of an extension we do not offer gets 555. EHLO offers SIZE,
 * 8BITMIME (BODY) and SMTPUTF8; DSN (RET, ENVID, NOTIFY, ORCPT) and REQUIRETLS are not offered.
 */
const MAIL_PARAMETERS: ReadonlyArray<string> = ["SIZE", "BODY", "SMTPUTF8"]
const RCPT_PARAMETERS: ReadonlyArray<string> = []

const unsupported = (given: ReadonlyArray<string>, known: ReadonlyArray<string>) =>
  given.find((name) => !known.includes(name.toUpperCase()))

/** RFC 5321 §4.1.1.3: the domainless `<Postmaster>` must be accepted. */
const isPostmaster = (address: string) => address.toLowerCase() === "postmaster"

export const BARE_LINE_ENDING_REFUSED = "Bare LF or CR in message data not allowed"

export const QUEUED_HEADLINE = "Ok, your message has been queued using the following identifiers:"

/** The SMTP session rules: what a command leads to in a given state. Pure; `evolve` applies the result. */
export const decide = (policy: SessionPolicy) =>
(state: SessionState, command: SessionCommand): ReadonlyArray<SessionEvent> => {
  if (state.phase === "closed") return []
  switch (command._tag) {
    case "Connect": {
      if (state.phase !== "idle") return outOfSequence(command, "Already connected")
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
      return [{ _tag: "ConnectionAccepted", connection, reply: reply(220, undefined, `${policy.hostname} ESMTP`) }]
    }
    case "Quit":
      if (state.phase === "idle") return outOfSequence(command, "Not connected")
      return [{ _tag: "SessionClosed", reply: reply(221, "2.0.0", `${policy.hostname} closing connection`) }]
  }
  if (state.phase === "idle") return outOfSequence(command, "Not connected")

  switch (command._tag) {
    case "Secured":
      if (state.phase === "data" || state.phase === "publishing") return outOfSequence(command, "Message in progress")
      if (state.connection.tls !== undefined) return outOfSequence(command, "TLS already active")
      return [{ _tag: "ConnectionSecured", tls: command.tls }]

    case "Ehlo":
      if (state.phase === "data" || state.phase === "publishing") return outOfSequence(command, "Message in progress")
      if (command.name.trim() === "") return refused(command, 501, "5.5.4", "EHLO requires a domain name or address literal")
      return [{ _tag: "Greeted", name: command.name, reply: reply(250, undefined, policy.hostname) }]

    case "Authenticated":
      if (state.phase === "connected") return outOfSequence(command, "Send EHLO first")
      if (state.phase !== "ready") return outOfSequence(command, "AUTH is not allowed during a mail transaction")
      if (state.connection.user !== undefined) return outOfSequence(command, "Already authenticated")
      if (state.connection.tls === undefined) return refused(command, 538, "5.7.11", "Encryption required for requested authentication mechanism")
      return [{ _tag: "UserAuthenticated", user: command.user, reply: reply(235, "2.7.0", "Authentication successful") }]

    case "Mail":
      switch (state.phase) {
        case "connected":
          return outOfSequence(command, "Send EHLO or HELO first")
        case "mail":
          return outOfSequence(command, "Nested MAIL command: a transaction is already in progress")
        case "data":
        case "publishing":
          return outOfSequence(command, "Message in progress")
      }
      const unknownMail = unsupported(command.parameters, MAIL_PARAMETERS)
      if (unknownMail !== undefined) return refused(command, 555, "5.5.4", `Unsupported MAIL FROM parameter: ${unknownMail}`)
      if (command.size !== undefined && command.size > policy.maxSize) {
        return refused(command, 552, "5.3.4", `Message size exceeds the fixed maximum of ${policy.maxSize} bytes`)
      }
      if (command.address !== "") {
        const verdict = validateMailbox(command.address, { mode: policy.addressValidation, utf8: command.utf8 })
        if (!verdict.valid) return refused(command, 501, "5.1.7", `Bad sender address syntax: ${verdict.reason}`)
      }
      return [{
        _tag: "SenderAccepted",
        address: command.address,
        utf8: command.utf8,
        reply: reply(250, "2.1.0", "Accepted")
      }]

    case "Rcpt":
      if (state.phase === "connected") return outOfSequence(command, "Send EHLO or HELO first")
      if (state.phase !== "mail") return outOfSequence(command, "Need MAIL command first")
      const unknownRcpt = unsupported(command.parameters, RCPT_PARAMETERS)
      if (unknownRcpt !== undefined) return refused(command, 555, "5.5.4", `Unsupported RCPT TO parameter: ${unknownRcpt}`)
      if (!isPostmaster(command.address)) {
        const verdict = validateMailbox(command.address, { mode: policy.addressValidation, utf8: state.envelope.utf8 })
        if (!verdict.valid) return refused(command, 553, "5.1.3", `Bad recipient address syntax: ${verdict.reason}`)
      }
      if (policy.authRequired && state.connection.user === undefined && !command.local) {
        return refused(command, 530, "5.7.0", "Authentication required")
      }
      if (state.envelope.recipients.length >= policy.maxRecipients) {
        return refused(command, 452, "4.5.3", `Too many recipients: at most ${policy.maxRecipients} per message`)
      }
      return [{
        _tag: "RecipientAccepted",
        address: command.address,
        local: command.local,
        reply: reply(250, "2.1.5", "Accepted")
      }]

    case "Data":
      if (state.phase !== "mail") return outOfSequence(command, "Need MAIL command first")
      if (state.envelope.recipients.length === 0) return outOfSequence(command, "Need RCPT command first")
      return [{ _tag: "DataStarted", reply: reply(354, undefined, "End data with <CR><LF>.<CR><LF>") }]

    case "DataEnd":
      if (state.phase !== "data") return outOfSequence(command, "No message in progress")
      if (command.size > policy.maxSize) {
        return [{
          _tag: "MessageRefused",
          reply: reply(552, "5.3.4", `Message size exceeds the fixed maximum of ${policy.maxSize} bytes`)
        }]
      }
      // RFC 5321 §2.3.8; SMTP smuggling: refused as a whole, like Postfix's smtpd_forbid_bare_newline.
      if (command.bareLineEnding) {
        return [{ _tag: "MessageRefused", reply: reply(550, "5.6.0", BARE_LINE_ENDING_REFUSED) }]
      }
      return [{ _tag: "MessageReceived", size: command.size }]

    case "Published": {
      if (state.phase !== "publishing") return outOfSequence(command, "No message in progress")
      const { recipients } = state.envelope
      if (command.messageIds.length !== recipients.length) {
        return [deferred(`${command.messageIds.length} ids for ${recipients.length} recipients`)]
      }
      const lines = [QUEUED_HEADLINE, ...recipients.map((rcpt, i) => `${command.messageIds[i]} for ${rcpt.address}`)]
      return [{ _tag: "MessageQueued", messageIds: command.messageIds, reply: reply(250, undefined, ...lines) }]
    }

    case "PublishFailed":
      if (state.phase !== "publishing") return outOfSequence(command, "No message in progress")
      return [deferred(command.reason)]

    case "Rset":
      if (state.phase === "data" || state.phase === "publishing") return outOfSequence(command, "Message in progress")
      return [{ _tag: "TransactionReset", reply: reply(250, "2.0.0", "Ok") }]
  }
}

const deferred = (reason: string): SessionEvent => ({
  _tag: "MessageDeferred",
  reason,
  reply: reply(451, "4.3.0", "Temporary failure queuing the message, please try again later")
})
