import fc from "fast-check"
import { connect } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { rawSession } from "../support/smtp-clients.ts"
import { scaled, withStartup } from "../support/timing.ts"

/**
 * Random sessions, as raw bytes cut into random TCP chunks, against the real daemon: valid and
 * invalid commands, bare CR/LF, smuggling endings, messages, random bytes. Whatever comes in, the
 * daemon stays up, logs no defect, and every line it writes back is a well-formed SMTP reply.
 */

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const weighted = <T>(...pairs: ReadonlyArray<readonly [number, fc.Arbitrary<T>]>) =>
  fc.oneof(...pairs.map(([weight, arbitrary]) => ({ weight, arbitrary })))

const lineEnd = weighted([8, fc.constant("\r\n")], [1, fc.constant("\n")], [1, fc.constant("\r")], [1, fc.constant("")])

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1")

const address = fc.oneof(
  fc.emailAddress(),
  fc.constantFrom("", "postmaster", "a@b", "a b@example.org", "\"q u\"@example.org", "ü@bücher.example", "a@[127.0.0.1]", "@x:a@b.c"),
  fc.string({ maxLength: 40 })
)

const mailParameters = fc.constantFrom("", " SIZE=100", " SIZE=999999999", " BODY=8BITMIME", " SMTPUTF8", " SIZE=x", " FOO=BAR", " SIZE=1 SIZE=2")

const command = fc.oneof(
  fc.constantFrom(
    "EHLO fuzz.example.org", "HELO fuzz.example.org", "EHLO", "LHLO x", "RSET", "NOOP", "VRFY postmaster", "EXPN all",
    "HELP", "STARTTLS", "AUTH PLAIN AGFsaWNlAHNlY3JldA==", "AUTH LOGIN", "BDAT 10 LAST", "XCLIENT ADDR=192.0.2.1",
    "XFORWARD NAME=x", "GET / HTTP/1.1", "DATA", "MAIL FROM:<>", "RCPT TO:<postmaster>", ".", "", "QUIT",
    "PROXY TCP4 192.0.2.1 192.0.2.2 1 2"
  ),
  fc.tuple(address, mailParameters).map(([a, p]) => `MAIL FROM:<${a}>${p}`),
  address.map((a) => `RCPT TO:<${a}>`),
  fc.string({ maxLength: 60 }),
  fc.uint8Array({ maxLength: 60 }).map(latin1)
)

const bodyLine = fc.oneof(
  fc.constantFrom(".", "..", "...x", "Subject: fuzz", "x-mq-tag: a", "x-mq-recipient: other@example.org", "", "MAIL FROM:<e@x>"),
  fc.string({ maxLength: 80 }),
  fc.uint8Array({ maxLength: 80 }).map(latin1)
)

/** A whole transaction; its body's line ends are mostly CRLF, sometimes bare, sometimes a smuggling ending. */
const transaction = fc.tuple(fc.array(fc.emailAddress(), { minLength: 1, maxLength: 3 }), fc.array(fc.tuple(bodyLine, lineEnd), { maxLength: 12 }))
  .map(([rcpts, lines]) =>
    ["MAIL FROM:<fuzz@example.org>", ...rcpts.map((r) => `RCPT TO:<${r}>`), "DATA", ""].join("\r\n") +
    lines.map(([line, end]) => line + end).join("") + "\r\n.\r\n"
  )

const piece = weighted(
  [6, fc.tuple(command, lineEnd).map(([c, end]) => c + end)],
  [3, transaction],
  [1, fc.constantFrom("\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r\n")],
  [1, fc.uint8Array({ maxLength: 200 }).map(latin1)]
)

const session = fc.record({
  /** a client that talks before the greeting gets 421 */
  waitForGreeting: weighted([9, fc.constant(true)], [1, fc.constant(false)]),
  greet: fc.boolean(),
  pieces: fc.array(piece, { maxLength: 20 }),
  cuts: fc.array(fc.nat(), { maxLength: 10 }),
  delays: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 10 })
})

type Plan = typeof session extends fc.Arbitrary<infer T> ? T : never

/** Plays one session; what the daemon wrote back, and whether it closed the connection by itself. */
const play = (port: number, plan: Plan) =>
  new Promise<{ received: string; closedByServer: boolean }>((resolve) => {
    const socket = connect({ port, host: "127.0.0.1" })
    let received = ""
    let closed = false
    socket.on("data", (chunk) => (received += chunk.toString("latin1")))
    socket.on("error", () => {})
    socket.on("close", () => (closed = true))
    const finish = (closedByServer: boolean) => {
      socket.destroy()
      resolve({ received, closedByServer })
    }
    socket.once("connect", async () => {
      if (plan.waitForGreeting) for (let i = 0; i < 200 && received === "" && !closed; i++) await pause(5)
      const bytes = Buffer.from((plan.greet ? "EHLO fuzz.example.org\r\n" : "") + plan.pieces.join(""), "latin1")
      const points = [...new Set(plan.cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
      let from = 0
      for (const [i, to] of [...points, bytes.length].entries()) {
        if (closed) break
        if (to > from) socket.write(bytes.subarray(from, to))
        from = to
        await pause(plan.delays[i] ?? 0)
      }
      // Leave whatever state it is in: end a DATA, then QUIT.
      if (!closed) socket.write("\r\n.\r\nQUIT\r\n")
      for (let i = 0; i < 100 && !closed; i++) await pause(10)
      finish(closed)
    })
  })

/** Every line the daemon wrote is `NNN-text` or `NNN text` with NNN in 200–599, and a multi-line reply keeps its code. */
const replyLineProblems = (received: string, closedByServer: boolean): ReadonlyArray<string> => {
  const lines = received.split("\r\n")
  const tail = lines.pop() ?? ""
  const problems: Array<string> = []
  // A session we cut ourselves may end inside a reply; one the daemon closed must end with a whole line.
  if (closedByServer && tail !== "") problems.push(`unterminated ${JSON.stringify(tail)}`)
  let continuing: string | undefined
  for (const line of lines) {
    const m = /^([2-5]\d\d)([ -])/.exec(line)
    if (m === null || /[\r\n]/.test(line)) {
      problems.push(JSON.stringify(line))
      continue
    }
    if (continuing !== undefined && m[1] !== continuing) problems.push(`code changed within a reply: ${JSON.stringify(line)}`)
    continuing = m[2] === "-" ? m[1] : undefined
  }
  return problems
}

const DEFECT = /unhandled|uncaught|defect|internal error|"level":"(?:ERROR|FATAL)"/i

describe("fuzzing the raw byte stream of a session", () => {
  let daemon: RunningDaemon
  beforeAll(async () => {
    daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "rabbitmq-inbox": "inbox",
      // small, so that random messages also meet the size limit
      "smtp-maxsize": "2KB"
    })
  })
  afterAll(async () => {
    expect(await daemon?.stop()).toBe(0)
  })

  it("never crashes, never logs a defect, and only ever answers with valid SMTP replies", async () => {
    let runs = 0
    let bytes = 0
    let replies = 0
    await fc.assert(
      fc.asyncProperty(session, async (plan) => {
        runs++
        bytes += plan.pieces.reduce((n, p) => n + p.length, 0)
        const { closedByServer, received } = await play(daemon.port, plan)
        replies += (received.match(/^\d{3} /gm) ?? []).length
        expect(replyLineProblems(received, closedByServer)).toEqual([])
        expect(daemon.process.exitCode).toBeNull()
      }),
      // the time limit only keeps a very slow machine within the test's timeout; 100 runs take ~25 s busy
      { numRuns: 150, interruptAfterTimeLimit: scaled(45_000) }
    )

    // Still alive and serving: a normal message goes through.
    expect(daemon.process.exitCode).toBeNull()
    const client = rawSession(daemon.port)
    try {
      expect(await client.reply()).toMatch(/^220 /)
      expect(await client.command("EHLO after.example.org")).toMatch(/^250 /m)
      expect(await client.command("MAIL FROM:<after@example.org>")).toMatch(/^250 /)
      expect(await client.command("RCPT TO:<after@example.com>")).toMatch(/^250 /)
      expect(await client.command("DATA")).toMatch(/^354 /)
      client.send("Subject: after the fuzz\r\n\r\nstill here\r\n.\r\n")
      expect(await client.reply()).toMatch(/^250-Ok, your message has been queued/)
    } finally {
      client.close()
    }

    const count = (message: string) => daemon.logs().filter((l) => l.includes(`"message":"${message}"`)).length
    // Every session ends and says so (closed, or refused at its start: an early talker), the one above
    // included: none is left behind.
    const ended = () => count("connection closed") + count("connection refused")
    for (let i = 0; i < 200 && ended() < runs + 1; i++) await pause(50)
    expect(ended()).toBe(runs + 1)
    const logs = daemon.logs()
    console.log(
      `[fuzz] runs=${runs} bytesSent=${bytes} replies=${replies} queued=${count("message queued")}` +
        ` refused=${count("message refused")} deferred=${count("message deferred")} connections=${count("connection closed")}`
    )
    expect(logs.filter((l) => DEFECT.test(l))).toEqual([])
    expect(runs).toBeGreaterThanOrEqual(100)
  }, withStartup(60_000))
})
