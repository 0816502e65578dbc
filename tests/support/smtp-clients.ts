import { connect } from "node:net"
import { runTracked } from "./processes.ts"
import { STARTUP_MS } from "./timing.ts"

export interface ClientRun {
  readonly code: number
  readonly output: string
}

/** A client run to its end; one that is still running after a start-up's allowance is killed (code 1). */
const run = async (command: string, args: ReadonlyArray<string>, input?: string): Promise<ClientRun> => {
  const { code, stdout, stderr } = await runTracked(command, args, { timeoutMs: STARTUP_MS, ...(input === undefined ? {} : { input }) })
  return { code: code ?? 1, output: `${stdout}${stderr}` }
}

/** swaks, the Swiss Army Knife for SMTP (Debian package), as a real client. */
export const swaks = (port: number, args: ReadonlyArray<string>, server = "127.0.0.1"): Promise<ClientRun> =>
  run("swaks", ["--server", server, "--port", String(port), "--timeout", "20", "--hide-informational", ...args])

/**
 * Python's smtplib as a second real client. The script gets the port as argv[1] and prints
 * whatever it needs to; a non-zero exit code is a failed send.
 */
export const python = (script: string, port: number): Promise<ClientRun> =>
  run("python3", ["-c", script, String(port)])

/** The queue ids in MailerQ's 250 reply: `250-<id> for <rcpt>` / `250 <id> for <rcpt>`. */
export const queuedIds = (output: string): Map<string, string> => {
  const ids = new Map<string, string>()
  for (const m of output.matchAll(/250[ -](\S+) for (\S+)/g)) ids.set(m[2]!, m[1]!)
  return ids
}

/** A raw SMTP conversation: send lines, read replies, for the cases no well-behaved client produces. */
export const rawSession = (port: number, host = "127.0.0.1", localAddress?: string) => {
  const socket = connect({ port, host, ...(localAddress === undefined ? {} : { localAddress }) })
  let buffer = ""
  let closed = false
  let closedAt: number | undefined
  const waiters: Array<() => void> = []
  socket.on("data", (chunk) => {
    buffer += chunk.toString("latin1")
    waiters.splice(0).forEach((w) => w())
  })
  socket.on("close", () => {
    closed = true
    closedAt = Date.now()
    waiters.splice(0).forEach((w) => w())
  })
  socket.on("error", () => {})

  /** Waits for the next complete reply (the line with a space after the code) and returns all its lines. */
  const reply = async (timeoutMs = 10_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const m = /^(?:\d{3}-[^\r\n]*\r\n)*\d{3}(?: [^\r\n]*)?\r\n/.exec(buffer)
      if (m !== null) {
        buffer = buffer.slice(m[0].length)
        return m[0]
      }
      if (closed) return buffer === "" ? "(closed)" : buffer
      if (Date.now() > deadline) throw new Error(`no reply within ${timeoutMs} ms; have ${JSON.stringify(buffer)}`)
      await new Promise<void>((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 50)
      })
    }
  }
  return {
    reply,
    send: (text: string) => socket.write(text, "latin1"),
    command: async (line: string) => {
      socket.write(`${line}\r\n`)
      return reply()
    },
    closed: () => closed,
    /** when the socket closed (Date.now()), or undefined while it is open */
    closedAt: () => closedAt,
    close: () => socket.destroy()
  }
}

/** A message body of about `bytes`, in 1,000-byte lines. */
export const fillerBody = (bytes: number): string => {
  const line = `${"x".repeat(998)}\r\n`
  return line.repeat(Math.max(1, Math.ceil(bytes / line.length)))
}

/**
 * One message over a connection of its own, each command awaited: the reply to its end of data,
 * and how long that reply took after the body was sent.
 */
export const sendOneMessage = async (port: number, to: string, body: string, timeoutMs = 120_000) => {
  const client = rawSession(port)
  try {
    await client.reply(20_000)
    await client.command("EHLO one.example")
    await client.command("MAIL FROM:<one@example.org>")
    await client.command(`RCPT TO:<${to}>`)
    await client.command("DATA")
    const started = performance.now()
    client.send(`Subject: ${to}\r\n\r\n${body}.\r\n`)
    const reply = await client.reply(timeoutMs)
    return { reply, ms: performance.now() - started }
  } finally {
    client.close()
  }
}
