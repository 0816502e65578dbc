import { Effect } from "effect"
import type { SMTPServerOptions, SMTPServerSession } from "smtp-server"
import { openSession } from "../../application/session/smtp-session.ts"
import type { SessionServices, SmtpSession } from "../../application/session/smtp-session.ts"
import { Command } from "../../domain/session/commands.ts"
import type { SessionCommand } from "../../domain/session/commands.ts"
import type { Reply } from "../../domain/session/reply.ts"
import { isPositive, reply } from "../../domain/session/reply.ts"
import { connectionInfo, tlsInfo } from "./connection-info.ts"
import { encodeReply, replyError } from "./encoded-replies.ts"
import { greetingNames } from "./greeting-names.ts"
import { readMessage } from "./read-message.ts"

export type Run = <A, E>(effect: Effect.Effect<A, E, SessionServices>) => Promise<A>
type Callback = (err?: Error | null) => void

const answer = (reply: Reply | undefined, callback: Callback) => {
  if (reply === undefined || isPositive(reply)) callback()
  else callback(replyError(reply))
}


/**
 * Translates smtp-server's hooks into session commands. smtp-server answers EHLO and RSET itself
 * without a hook, so the session learns of them when the next MAIL arrives: a different EHLO name,
 * or a MAIL while the session still holds a transaction (smtp-server refuses a nested MAIL itself).
 */
const INTERNAL_ERROR = reply(451, "4.3.0", "Internal error, please try again later")
const DATA_TOO_SLOW = reply(421, "4.4.2", "Message not received in time, closing connection")

export interface HookOptions {
  /** smtp-auth is set: AUTH is offered, but only once the session is encrypted */
  readonly authOffered: boolean
  /** the longest a whole DATA phase may take, however steadily the client trickles (as it stands when a session opens) */
  readonly dataDeadlineMs: () => number
  /** ends a session at once with the given reply (a 421) */
  readonly closeSession: (sessionId: string, reply: Reply) => void
}

/** A session with its DATA deadline, fixed when it opened like the rest of its settings. */
type OpenSession = SmtpSession & { readonly dataDeadlineMs: number }

export const sessionHooks = (
  run: Run,
  { authOffered, closeSession, dataDeadlineMs }: HookOptions
): Pick<SMTPServerOptions, "onConnect" | "onSecure" | "onAuth" | "onMailFrom" | "onRcptTo" | "onData" | "onClose"> => {
  const sessions = new Map<string, OpenSession>()

  /** A defect in our own code is logged and still gives the client a reply it can retry on, never a 250. */
  const internalError = (callback: Callback) => (error?: unknown) => {
    run(Effect.logError("internal error in an SMTP session", error)).catch(() => {})
    callback(replyError(INTERNAL_ERROR))
  }

  const send = async (session: SMTPServerSession, command: SessionCommand) => {
    const open = sessions.get(session.id)
    if (open === undefined) throw new Error(`no open session ${session.id}`)
    return run(open.handle(command))
  }

  /** Tells the session about an EHLO smtp-server answered on its own (a new or different name). */
  const syncEhlo = async (session: SMTPServerSession, open: SmtpSession) => {
    const state = open.current()
    const helo = session.hostNameAppearsAs || ""
    if (!("helo" in state) || state.helo !== helo) await send(session, Command.ehlo(helo))
    return open.current()
  }

  /** Before MAIL: also a RSET, when the session still holds a transaction smtp-server has dropped. */
  const catchUp = async (session: SMTPServerSession, open: SmtpSession) => {
    const state = await syncEhlo(session, open)
    if (state.phase === "mail") await send(session, Command.rset)
  }

  return {
    onConnect(session, callback) {
      const connection = connectionInfo(session)
      // smtp-server would advertise AUTH in clear text and answer it with 538; it is not offered at all.
      if (authOffered && !session.secure) session.disabledCommands = ["AUTH"]
      run(openSession(connection, greetingNames.get(session.id)))
        .then(async (open) => {
          sessions.set(session.id, { ...open, dataDeadlineMs: dataDeadlineMs() })
          answer((await run(open.connect)).reply, callback)
        })
        .catch(internalError(callback))
    },
    onSecure(_socket, session, callback) {
      if (authOffered) session.disabledCommands = []
      const open = sessions.get(session.id)
      const tls = tlsInfo(session)
      // An implicit-TLS session is secure from its Connect on; STARTTLS is news to the session.
      if (open === undefined || tls === undefined) return callback()
      const state = open.current()
      if (!("connection" in state) || state.connection.tls !== undefined) return callback()
      send(session, Command.secured(tls))
        .then(() => callback())
        .catch(internalError(callback))
    },
    onMailFrom(address, session, callback) {
      const open = sessions.get(session.id)
      if (open === undefined) return internalError(callback)()
      const args = address.args && typeof address.args === "object" ? address.args : {}
      const size = Number(args.SIZE)
      const utf8 = args.SMTPUTF8 !== undefined
      catchUp(session, open)
        .then(() =>
          send(session, Command.mail(address.address, {
            size: Number.isFinite(size) ? size : undefined,
            utf8,
            parameters: Object.keys(args)
          }))
        )
        .then(({ reply }) => answer(reply, callback))
        .catch(internalError(callback))
    },
    onRcptTo(address, session, callback) {
      const open = sessions.get(session.id)
      if (open === undefined) return internalError(callback)()
      const args = address.args && typeof address.args === "object" ? address.args : {}
      run(open.recipient(address.address, Object.keys(args)))
        .then(({ reply }) => answer(reply, callback))
        .catch(internalError(callback))
    },
    onAuth(auth, session, callback) {
      const open = sessions.get(session.id)
      if (open === undefined) return internalError(callback)()
      syncEhlo(session, open)
        .then(() => run(open.login({ username: auth.username ?? "", password: auth.password ?? "" })))
        .then((reply) => {
          if (reply?.code === 235) callback(null, { user: auth.username })
          else callback(reply === undefined ? null : replyError(reply))
        })
        .catch(internalError(callback))
    },
    onData(stream, session, callback) {
      const open = sessions.get(session.id)
      if (open === undefined) return internalError(callback)()
      send(session, Command.data)
        .then(async ({ reply }) => {
          if (reply !== undefined && !isPositive(reply)) return answer(reply, callback)
          // smtp-timeout bounds each silence; this bounds the whole message (slowloris).
          const deadline = setTimeout(
            () => closeSession(session.id, DATA_TOO_SLOW),
            open.dataDeadlineMs
          )
          // the session's own smtp-maxsize: the one in force when it opened
          const { bareLineEnding, mime, size } = await readMessage(stream, open.policy.maxSize).finally(() => clearTimeout(deadline))
          const outcome = await run(open.receiveMessage(mime, size, bareLineEnding))
          if (outcome.reply !== undefined && isPositive(outcome.reply)) callback(null, encodeReply(outcome.reply))
          else answer(outcome.reply, callback)
        })
        .catch(internalError(callback))
    },
    onClose(session) {
      greetingNames.forget(session.id)
      const open = sessions.get(session.id)
      sessions.delete(session.id)
      if (open !== undefined) run(open.close()).catch(() => {})
    }
  }
}
