import { SMTPConnection } from "smtp-server/lib/smtp-connection.js"

/**
 * smtp-server waits a fixed 100 ms after taking a connection before it even starts the session
 * (onConnect, then the 220), to catch "early talkers": clients that send before the greeting,
 * which RFC 5321 §3.1 forbids and spam bots do. That wait bounds every session, so with one
 * message per connection and 20 senders it caps the daemon near 20 / 0.1 s = 200 messages a
 * second, however idle the CPU (docs/PERFORMANCE.md). Here the session starts on the next turn of
 * the event loop instead (or after `delayMs`, if given), which is smtp-server's own `init` minus
 * the fixed wait.
 *
 * The early-talker guard stays: smtp-server still answers any command that arrives before the
 * greeting has gone out with `421 You talk too soon` and closes; only the window shrinks, from
 * 100 ms to the time the session takes to start (the range and blocked-list checks). Catching
 * bots by waiting on purpose is a policy for an internet-facing MX (Postfix's postscreen waits
 * seconds, behind a `220-` teaser, and only for clients it has not seen yet); smtp-intake's budget
 * is throughput, and it usually sits behind a relay tier or HAProxy where every client is an MTA.
 *
 * Install before any patch that wraps `init` (greeting-names.ts does): this replaces smtp-server's
 * own `init`, and refuses to replace anything else.
 */
interface ConnectionInternals {
  _server: { options: { maxClients?: number }; connections: Set<unknown> }
  name: string
  _setListeners(callback: () => void): void
  connectionReady(): void
  send(code: number, data: string, context: false): void
}

let installed = false

/** The marks of smtp-server 3.21's `init`, so that nothing else is replaced by mistake. */
const isSmtpServersOwnInit = (init: () => void) => {
  const source = init.toString()
  return source.includes("_setListeners") && source.includes("connectionReady") && source.includes("100")
}

export const installPromptGreeting = (delayMs = 0): void => {
  if (installed) return
  const prototype = SMTPConnection.prototype as unknown as { init(this: ConnectionInternals): void }
  if (!isSmtpServersOwnInit(prototype.init)) {
    throw new Error(
      "prompt-greeting: SMTPConnection.init is not smtp-server's own (another patch was installed first, or smtp-server changed)"
    )
  }
  installed = true
  prototype.init = function(this: ConnectionInternals) {
    this._setListeners(() => {
      // smtp-server's own connection limit, kept as it was
      const { maxClients } = this._server.options
      if (maxClients && this._server.connections.size > maxClients) {
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false)
      }
      if (delayMs <= 0) setImmediate(() => this.connectionReady())
      else setTimeout(() => this.connectionReady(), delayMs).unref()
    })
  }
}
