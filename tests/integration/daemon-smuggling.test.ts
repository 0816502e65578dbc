import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { rawSession } from "../support/smtp-clients.ts"

/**
 * SMTP smuggling (Dec 2023): a message whose body holds a line ending some server takes for the
 * end of DATA, followed by a second transaction. Only `<CR><LF>.<CR><LF>` ends DATA here, and a
 * message holding a bare CR or LF is refused as a whole (550 5.6.0), so nothing is smuggled through
 * and nothing is kept that a later SMTP hop could read differently.
 */
const ENDINGS = {
  "<LF>.<LF>": "\n.\n",
  "<CR>.<CR>": "\r.\r",
  "<LF>.<CR><LF>": "\n.\r\n",
  "<CR><LF>.<LF>": "\r\n.\n",
  "<CR><LF>.<CR>": "\r\n.\r",
  "<CR>.<CR><LF>": "\r.\r\n",
  "a bare LF": "\n",
  "a bare CR": "\r"
} as const

type Client = ReturnType<typeof rawSession>

/** MailerQ's multi-line queued reply. */
const QUEUED = /^250-Ok, your message has been queued/

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Every JSON the spool holds for the inbox, as parsed documents. */
const spooled = (daemon: RunningDaemon): Array<Record<string, unknown>> => {
  const dir = join(daemon.dir, "spool", "inbox")
  if (!existsSync(dir)) return []
  return readdirSync(dir).map((file) => JSON.parse(readFileSync(join(dir, file), "utf8")))
}

const openTransaction = async (client: Client, recipient: string) => {
  expect(await client.reply()).toMatch(/^220 /)
  expect(await client.command("EHLO client.example.org")).toMatch(/^250 /m)
  expect(await client.command("MAIL FROM:<sender@example.org>")).toMatch(/^250 /)
  expect(await client.command(`RCPT TO:<${recipient}>`)).toMatch(/^250 /)
  expect(await client.command("DATA")).toMatch(/^354 /)
}

/** The body of the attack: a header, the ending under test, a second transaction, the same ending, the real end. */
const smugglingBody = (ending: string, victim: string) =>
  `Subject: smuggling test\r\n\r\nfirst line${ending}` +
  `MAIL FROM:<evil@attacker.example>\r\nRCPT TO:<${victim}>\r\nDATA\r\n` +
  `Subject: smuggled\r\n\r\nsmuggled body${ending}` +
  `tail\r\n.\r\n`

describe("SMTP smuggling: bare CR/LF in DATA", () => {
  let daemon: RunningDaemon
  beforeAll(async () => {
    daemon = await startDaemon({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.1", "rabbitmq-inbox": "inbox" })
  })
  afterAll(async () => {
    expect(await daemon?.stop()).toBe(0)
  })

  const variants = Object.entries(ENDINGS).flatMap(([name, ending]) => [
    { name, ending, how: "in one write" },
    { name, ending, how: "byte by byte" }
  ])

  it.each(variants)("$name, sent $how: refused as a whole, nothing smuggled", async ({ ending, how }) => {
    const tag = Math.random().toString(36).slice(2, 8)
    const real = `real-${tag}@example.com`
    const victim = `victim-${tag}@example.com`
    const client = rawSession(daemon.port)
    try {
      await openTransaction(client, real)
      const body = smugglingBody(ending, victim)
      if (how === "byte by byte") {
        // TCP segmentation must not matter: every byte of the attack in its own write.
        for (const byte of body) {
          client.send(byte)
          await pause(1)
        }
      } else {
        client.send(body)
      }
      expect(await client.reply()).toBe("550 5.6.0 Bare LF or CR in message data not allowed\r\n")
      // In step: had the smuggled MAIL/RCPT/DATA been read as commands, their replies would come next.
      expect(await client.command("NOOP")).toMatch(/^250 /)

      // The session carries on: a clean message on the same connection is taken, once, in full.
      expect(await client.command("MAIL FROM:<sender@example.org>")).toMatch(/^250 /)
      expect(await client.command(`RCPT TO:<${real}>`)).toMatch(/^250 /)
      expect(await client.command("DATA")).toMatch(/^354 /)
      client.send("Subject: clean\r\n\r\nclean body\r\n.\r\n")
      expect(await client.reply()).toMatch(QUEUED)
      expect(await client.command("QUIT")).toMatch(/^221 /)
    } finally {
      client.close()
    }
    const mine = spooled(daemon).filter((json) => String(json.recipient).includes(tag))
    expect(mine.map((json) => json.recipient)).toEqual([real])
    expect(mine[0]?.envelope).toBe("sender@example.org")
    expect(String(mine[0]?.mime)).toMatch(/\r\nSubject: clean\r\n\r\nclean body\r\n$/)
    expect(spooled(daemon).some((json) => String(json.recipient).startsWith("victim-"))).toBe(false)
  })

  it("takes a message whose line endings are all CRLF, with dot-stuffed lines, exactly once and in full", async () => {
    const client = rawSession(daemon.port)
    try {
      await openTransaction(client, "dots@example.com")
      client.send("Subject: dots\r\n\r\n..leading dot\r\n.\r\n")
      expect(await client.reply()).toMatch(QUEUED)
    } finally {
      client.close()
    }
    const mine = spooled(daemon).filter((json) => json.recipient === "dots@example.com")
    expect(mine).toHaveLength(1)
    expect(String(mine[0]?.mime)).toMatch(/\r\nSubject: dots\r\n\r\n\.leading dot\r\n$/)
  })

  it("logs the refusal with its code and never the smuggled sender", async () => {
    await pause(200)
    const lines = daemon.logs().filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
    const refused = lines.filter((l) => l.message === "message refused")
    expect(refused.length).toBe(variants.length)
    expect(refused.every((l) => l.annotations.reply === 550)).toBe(true)
    expect(daemon.logs().some((l) => l.includes("evil@attacker.example"))).toBe(false)
  })
})

describe("bare line endings in commands", () => {
  let daemon: RunningDaemon
  beforeAll(async () => {
    daemon = await startDaemon({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.1", "rabbitmq-inbox": "inbox" })
  })
  afterAll(async () => {
    expect(await daemon?.stop()).toBe(0)
  })

  it("takes a bare LF as the end of a command line (smtp-server's parser), so LF-only clients can still send", async () => {
    const client = rawSession(daemon.port)
    try {
      expect(await client.reply()).toMatch(/^220 /)
      client.send("EHLO lf.example.org\nMAIL FROM:<a@example.org>\nRCPT TO:<lf@example.com>\nDATA\n")
      expect(await client.reply()).toMatch(/^250-/)
      expect(await client.reply()).toMatch(/^250 2\.1\.0 /)
      expect(await client.reply()).toMatch(/^250 2\.1\.5 /)
      expect(await client.reply()).toMatch(/^354 /)
      // The data itself still needs CRLF line ends.
      client.send("Subject: lf commands\r\n\r\nbody\r\n.\r\n")
      expect(await client.reply()).toMatch(QUEUED)
    } finally {
      client.close()
    }
    expect(spooled(daemon).filter((json) => json.recipient === "lf@example.com")).toHaveLength(1)
  })

  it("never takes a bare CR for the end of a command: what follows it stays in the same line", async () => {
    const client = rawSession(daemon.port)
    try {
      expect(await client.reply()).toMatch(/^220 /)
      expect(await client.command("EHLO cr.example.org")).toMatch(/^250 /m)
      // One line: a MAIL whose "parameters" are "RCPT" and "TO:<…>", refused as unknown (555), never a RCPT.
      client.send("MAIL FROM:<a@example.org>\rRCPT TO:<cr-hidden@example.com>\r\n")
      expect(await client.reply()).toMatch(/^555 5\.5\.4 Unsupported MAIL FROM parameter: RCPT/)
      expect(await client.command("DATA")).toMatch(/^503 /)
      expect(await client.command("QUIT")).toMatch(/^221 /)
    } finally {
      client.close()
    }
    expect(spooled(daemon).some((json) => json.recipient === "cr-hidden@example.com")).toBe(false)
  })
})
