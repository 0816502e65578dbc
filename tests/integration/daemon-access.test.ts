import { afterEach, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { rawSession } from "../support/smtp-clients.ts"

describe("access and timeouts at the SMTP port", () => {
  let daemon: RunningDaemon | undefined
  afterEach(async () => {
    await daemon?.stop()
    daemon = undefined
  })

  it("refuses a client outside smtp-range with 554 and closes the connection", async () => {
    daemon = await startDaemon({ "smtp-ip": "127.0.0.1", "smtp-range": "192.0.2.0/24" })
    const client = rawSession(daemon.port)
    expect(await client.reply()).toMatch(/^554 5\.7\.1 .*127\.0\.0\.1/)
    expect(await client.reply()).toBe("(closed)")
  })

  it("admits nobody when smtp-range is not set", async () => {
    daemon = await startDaemon({ "smtp-ip": "127.0.0.1" })
    const client = rawSession(daemon.port)
    expect(await client.reply()).toMatch(/^554 /)
  })

  it("listens on every address, IPv4 and IPv6, when smtp-ip is not set", async () => {
    daemon = await startDaemon({ "smtp-range": "127.0.0.1;::1", "smtp-hostname": "mx.dual.test" })
    for (const host of ["127.0.0.1", "::1"]) {
      const client = rawSession(daemon.port, host)
      expect(await client.reply()).toBe("220 mx.dual.test ESMTP\r\n")
      client.close()
    }
  })

  it("closes a silent client with 421 after smtp-timeout, also in the middle of DATA", async () => {
    daemon = await startDaemon({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.1", "smtp-timeout": 1 })
    const idle = rawSession(daemon.port)
    await idle.reply()
    const started = Date.now()
    expect(await idle.reply(5000)).toMatch(/^421 /)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)

    const stalled = rawSession(daemon.port)
    await stalled.reply()
    await stalled.command("EHLO slow.example")
    await stalled.command("MAIL FROM:<a@example.org>")
    await stalled.command("RCPT TO:<b@example.com>")
    expect(await stalled.command("DATA")).toMatch(/^354 /)
    stalled.send("Subject: half a message\r\n")
    expect(await stalled.reply(5000)).toMatch(/^421 /)
  })
})
