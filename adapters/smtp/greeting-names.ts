import { SMTPConnection } from "smtp-server/lib/smtp-connection.js"

/**
 * smtp-server greets every connection of a server with one name; SPEC §6 wants the name of the
 * local IP the client reached (its MTA hostname). The socket intake works the name out before
 * smtp-server builds the connection and leaves it here under the session id; the connection picks
 * it up as it starts, before its greeting.
 */
const names = new Map<string, string>()

export const greetingNames = {
  set: (sessionId: string, name: string): void => void names.set(sessionId, name),
  /** the name chosen for a session, for the session's own use (Received header, JSON) */
  get: (sessionId: string): string | undefined => names.get(sessionId),
  forget: (sessionId: string): void => void names.delete(sessionId)
}

let installed = false

export const installGreetingNames = (): void => {
  if (installed) return
  installed = true
  const prototype = SMTPConnection.prototype as unknown as { init(): void; id: string; name: string }
  const init = prototype.init
  prototype.init = function(this: { id: string; name: string }) {
    const name = names.get(this.id)
    if (name !== undefined) this.name = name
    return init.call(this)
  }
}
