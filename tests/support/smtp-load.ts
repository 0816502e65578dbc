import { randomBytes } from "node:crypto"
import { queuedIds, rawSession } from "./smtp-clients.ts"

/** What one message got: its tag (in both recipients' addresses and the subject), the reply, and when. */
export interface Outcome {
  readonly tag: string
  readonly recipients: ReadonlyArray<string>
  /** Date.now() when the end of DATA was sent */
  readonly sentAt: number
  /** Date.now() when the reply came (or the connection closed without one) */
  readonly repliedAt: number
  /** the final reply to DATA, or "(closed)" / "(no reply)" */
  readonly reply: string
  /** recipient → queue id, from the 250 reply (`queuedIds`) */
  readonly ids: ReadonlyMap<string, string>
}

export const is250 = (o: Outcome) => o.reply.startsWith("250")
export const is4xx = (o: Outcome) => /^4\d\d/.test(o.reply)
export const unanswered = (o: Outcome) => !is250(o) && !/^\d{3}/.test(o.reply)

export interface SmtpLoad {
  /** everything answered so far */
  readonly outcomes: () => ReadonlyArray<Outcome>
  /** resolves once every client has had a 250 for a message it sent after `since` */
  readonly allSucceededSince: (since: number, timeoutMs: number) => Promise<void>
  /** stops sending and waits for the messages in flight */
  readonly stop: () => Promise<ReadonlyArray<Outcome>>
}

/**
 * `clients` raw SMTP clients on their own connections, each sending one message after the
 * other (two recipients each, `pauseMs` apart) until stopped; after a 4xx it goes on, after a
 * lost connection it reconnects. Every answer is recorded with its time.
 */
export const startSmtpLoad = (port: number, clients: number, pauseMs = 10): SmtpLoad => {
  const outcomes: Array<Outcome> = []
  let stopped = false
  // tags unique across loads, so that a leftover of an earlier load is never taken for one of this
  const load = randomBytes(3).toString("hex")
  const runs = Array.from({ length: clients }, (_, client) => runClient(port, `${load}.c${client}`, outcomes, () => stopped, pauseMs))
  return {
    outcomes: () => outcomes,
    allSucceededSince: async (since, timeoutMs) => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const fine = new Set(outcomes.filter((o) => is250(o) && o.sentAt > since).map((o) => o.tag.split("-")[0]))
        if (fine.size === clients) return
        if (Date.now() > deadline) throw new Error(`only ${fine.size} of ${clients} clients had a 250 within ${timeoutMs} ms`)
        await sleep(50)
      }
    },
    stop: async () => {
      stopped = true
      await Promise.all(runs)
      return outcomes
    }
  }
}

const runClient = async (
  port: number,
  client: string,
  outcomes: Array<Outcome>,
  stopped: () => boolean,
  pauseMs: number
): Promise<void> => {
  let seq = 0
  while (!stopped()) {
    const session = rawSession(port)
    try {
      if (!(await session.reply()).startsWith("220") || !(await session.command("EHLO load.example.org")).startsWith("250")) {
        await sleep(50)
        continue
      }
      while (!stopped() && !session.closed()) {
        const tag = `${client}-m${++seq}`
        const recipients = [`${tag}-a@example.com`, `${tag}-b@example.com`]
        if (!(await session.command("MAIL FROM:<load@example.org>")).startsWith("250")) break
        for (const rcpt of recipients) await session.command(`RCPT TO:<${rcpt}>`)
        if (!(await session.command("DATA")).startsWith("354")) break
        session.send(`Subject: ${tag}\r\n\r\nmessage ${tag}\r\n.\r\n`)
        const sentAt = Date.now()
        const reply = await session.reply(20_000).catch(() => "(no reply)")
        outcomes.push({ tag, recipients, sentAt, repliedAt: Date.now(), reply, ids: queuedIds(reply) })
        if (!/^\d{3}/.test(reply)) break
        await sleep(pauseMs)
      }
    } catch {
      // a reply that never came (the daemon is gone): reconnect
    } finally {
      session.close()
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
