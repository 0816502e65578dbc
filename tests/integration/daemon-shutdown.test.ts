import { describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import { daemonPerTest } from "../support/daemon-hooks.ts"
import { BROKER_URL, takeMessages } from "../support/rabbit.ts"
import { portOpen, rabbitAvailable } from "../support/services.ts"
import { rawSession } from "../support/smtp-clients.ts"
import { withStartup } from "../support/timing.ts"

const ready = await rabbitAvailable()

/** A session greeted and past RCPT, ready for DATA. */
const openTransaction = async (port: number, recipient: string) => {
  const client = rawSession(port)
  expect(await client.reply()).toMatch(/^220 /)
  expect(await client.command("EHLO busy.example")).toMatch(/^250/)
  expect(await client.command("MAIL FROM:<sender@example.org>")).toMatch(/^250/)
  expect(await client.command(`RCPT TO:<${recipient}>`)).toMatch(/^250/)
  return client
}

/** Polls until the daemon no longer takes connections on the port. */
const untilRefused = async (port: number) => {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (!(await portOpen(port))) return true
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return false
}

describe.runIf(ready)("SIGTERM: the daemon stops gracefully", () => {
  const daemons = daemonPerTest()

  it("finishes a message inside DATA with 250, refuses new connections, 421s the others, publishes and exits 0", async () => {
    const inbox = daemons.queue("shutdown")
    // smtp-timeout 3: the sessions get 3 s to finish (the grace is 8 s, or smtp-timeout if shorter)
    const daemon = await daemons.start({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.0/8",
      "smtp-timeout": 3,
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
    const port = daemon.port

    const sending = await openTransaction(port, "in-flight@example.com")
    expect(await sending.command("DATA")).toMatch(/^354 /)
    sending.send("Subject: sent across a SIGTERM\r\n\r\nfirst half\r\n")
    const beforeData = await openTransaction(port, "too-late@example.com")
    const idle = rawSession(port)
    expect(await idle.reply()).toMatch(/^220 /)
    expect(await idle.command("EHLO idle.example")).toMatch(/^250/)

    daemon.process.kill("SIGTERM")
    expect(await untilRefused(port)).toBe(true)

    // the message under way is taken and confirmed
    sending.send("second half\r\n.\r\n")
    expect(await sending.reply()).toMatch(/^250-Ok, your message has been queued/)
    // a transaction that has not reached DATA is not started any more
    expect(await beforeData.command("DATA")).toMatch(/^421 /)
    // a session that says nothing is told at the end of the grace
    expect(await idle.reply()).toMatch(/^421 /)

    expect(await daemon.stop()).toBe(0)
    const messages = await takeMessages(inbox, 2, 3000)
    expect(messages.map((m) => m.json.recipient)).toEqual(["in-flight@example.com"])
    expect(String(messages[0]?.json.mime)).toContain("first half\r\nsecond half\r\n")
  }, withStartup(30_000))
})

describe("SIGTERM with no session open", () => {
  it("says it stops and exits 0", async () => {
    const daemon = await startDaemon({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.0/8" })
    daemon.process.kill("SIGTERM")
    expect(await daemon.stop()).toBe(0)
    expect(daemon.logs().some((line) => line.includes("\"stopping: no new connections, open sessions may finish\""))).toBe(true)
  })
})
