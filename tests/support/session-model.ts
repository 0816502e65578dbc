import { saslRespond, saslStart } from "../../domain/auth/sasl.ts"
import type { SaslState } from "../../domain/auth/sasl.ts"
import { DataReader } from "../../domain/message/data-reader.ts"
import { parseCommandLine } from "../../domain/session/command-line.ts"
import { Command } from "../../domain/session/commands.ts"
import type { SessionCommand } from "../../domain/session/commands.ts"
import type { ConnectionInfo } from "../../domain/session/connection.ts"
import { decide } from "../../domain/session/decide.ts"
import type { MailDsn } from "../../domain/session/dsn-parameters.ts"
import { replyOf } from "../../domain/session/events.ts"
import { evolveAll } from "../../domain/session/evolve.ts"
import type { SessionPolicy } from "../../domain/session/policy.ts"
import { renderReply } from "../../domain/session/reply.ts"
import { initialState, readsCommands } from "../../domain/session/state.ts"
import type { Recipient, SessionState } from "../../domain/session/state.ts"

/** A message the model expects to be published: its recipients (with their DSN), MAIL's DSN, and its bytes as the client meant them. */
export interface ExpectedMessage {
  readonly recipients: ReadonlyArray<Recipient>
  readonly dsn: MailDsn | undefined
  readonly mime: Uint8Array
}

export interface ModelOptions {
  readonly policy: SessionPolicy
  readonly connection: ConnectionInfo
  readonly isLocal: (address: string) => boolean
  /** the fake authenticator's verdict */
  readonly verify: (username: string, password: string) => boolean
  /** whether the publisher refuses this message */
  readonly publishFails: (mime: Uint8Array) => boolean
}

const LF = 0x0a
const CR = 0x0d

/**
 * The domain alone answering a client: the same bytes cut into lines or message data by the
 * session's phase, parsed and decided by the domain, with no socket, no Effect, no smtp adapter.
 * The differential test holds the real server to what this answers.
 */
export const sessionModel = (options: ModelOptions) => {
  const decideNext = decide(options.policy)
  let state: SessionState = initialState
  let sasl: SaslState | undefined
  let pending: Uint8Array = new Uint8Array(0)
  let data: DataReader | undefined
  const published: Array<ExpectedMessage> = []

  const step = (command: SessionCommand): ReadonlyArray<string> => {
    const events = decideNext(state, command)
    state = evolveAll(state, events)
    const reply = replyOf(events)
    return reply === undefined ? [] : [renderReply(reply)]
  }

  const respond = (response: string): ReadonlyArray<string> => {
    if (sasl === undefined) return step(Command.authRefused("malformed"))
    const next = saslRespond(sasl, response)
    switch (next._tag) {
      case "Cancelled":
      case "Malformed":
        sasl = undefined
        return step(Command.authRefused(next._tag === "Cancelled" ? "cancelled" : "malformed"))
      case "Challenge":
        sasl = next.next
        return step(Command.authChallenge(next.prompt))
    }
    sasl = undefined
    return step(options.verify(next.username, next.password) ? Command.authenticated(next.username) : Command.authRefused("rejected"))
  }

  const line = (bytes: Uint8Array): ReadonlyArray<string> => {
    if (state.phase === "auth") return respond(Buffer.from(bytes).toString("latin1"))
    const parsed = parseCommandLine(bytes)
    let command = parsed.command
    if (command._tag === "Rcpt") command = { ...command, local: options.isLocal(command.address) }
    const replies = [...step(command)]
    if (command._tag === "Auth" && (state as SessionState).phase === "auth") {
      sasl = saslStart(command.mechanism)
      if (parsed.initialResponse !== undefined) replies.push(...respond(parsed.initialResponse))
    }
    return replies
  }

  const endOfData = (reader: DataReader): ReadonlyArray<string> => {
    const received = reader.finish()
    const replies = [...step(Command.dataEnd(received.size, received.bareLineEnding, received.nul))]
    if (state.phase !== "publishing") return replies
    const { recipients } = state.envelope
    if (options.publishFails(received.mime)) return [...replies, ...step(Command.publishFailed("refused"))]
    published.push({ recipients, dsn: state.envelope.dsn, mime: received.mime })
    return [...replies, ...step(Command.published(recipients.map((_, i) => `id${i}`)))]
  }

  /** The client's bytes, as they would arrive: the replies they get, in order. */
  const receive = (bytes: Uint8Array): ReadonlyArray<string> => {
    const replies: Array<string> = []
    let input = pending.length === 0 ? bytes : Buffer.concat([pending, bytes])
    pending = new Uint8Array(0)
    while (input.length > 0 && state.phase !== "closed") {
      if (state.phase === "data") {
        data ??= new DataReader(options.policy.maxSize)
        const end = data.push(input)
        if (end === -1) return replies
        input = input.subarray(end)
        const reader = data
        data = undefined
        replies.push(...endOfData(reader))
        continue
      }
      if (!readsCommands(state) && state.phase !== "auth") return replies
      const lf = input.indexOf(LF)
      if (lf === -1) {
        pending = input
        return replies
      }
      const end = lf > 0 && input[lf - 1] === CR ? lf - 1 : lf
      replies.push(...line(input.subarray(0, end)))
      input = input.subarray(lf + 1)
      // RFC 3207: what follows STARTTLS in the same write is dropped
      if (state.phase === "securing") return replies
    }
    return replies
  }

  return {
    connect: () => step(Command.connect(options.connection)),
    receive,
    secured: () => step(Command.secured({ protocol: "TLSv1.3", cipher: "any" })),
    phase: () => state.phase,
    published: (): ReadonlyArray<ExpectedMessage> => published
  }
}
