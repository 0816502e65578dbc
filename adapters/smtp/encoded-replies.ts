import { SMTPConnection } from "smtp-server/lib/smtp-connection.js"
import type { Reply } from "../../domain/session/reply.ts"
import { replyTexts } from "../../domain/session/reply.ts"

/**
 * smtp-server only lets a hook give a one-line text, and derives the enhanced status code from the
 * basic code itself. The domain decides both (and MailerQ's queued reply is multi-line), so a reply
 * travels through smtp-server as a marked string that its single write site, `send`, expands back
 * into the lines the domain chose. The mark starts with NUL, which no client text can contain
 * (smtp-server splits commands on line ends and sanitises control characters).
 */
const MARK = "\u0000smtp-intake-reply\u0000"

export const encodeReply = (reply: Reply): string => MARK + JSON.stringify(replyTexts(reply))

export const replyError = (reply: Reply): Error & { responseCode: number } =>
  Object.assign(new Error(encodeReply(reply)), { responseCode: reply.code })

let installed = false

export const installEncodedReplies = (): void => {
  if (installed) return
  installed = true
  const send = SMTPConnection.prototype.send
  SMTPConnection.prototype.send = function(this: SMTPConnection, code, data, context) {
    if (typeof data === "string" && data.startsWith(MARK)) {
      const lines = JSON.parse(data.slice(MARK.length)) as Array<string>
      return send.call(this, code, lines, false)
    }
    return send.call(this, code, data, context)
  }
}
