import { describe, expect, it } from "vitest"
import { daemonWithManagementApi } from "../support/daemon-hooks.ts"
import { rawSession } from "../support/smtp-clients.ts"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const TOKEN = "a-long-management-token-for-tests"

describe("the management API of the running daemon", () => {
  const running = daemonWithManagementApi({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.0/8", "smtp-protection": "true" }, TOKEN)

  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${running.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })

  it("answers the health probes (the spool counts as the publisher)", async () => {
    expect((await fetch(`${running.api}/healthz`)).status).toBe(200)
    expect((await fetch(`${running.api}/readyz`)).status).toBe(200)
  })

  it("refuses the API without the token", async () => {
    expect((await fetch(`${running.api}/api/blocked`)).status).toBe(401)
  })

  it("blocks a client through the API, which the SMTP port applies within a second, and unblocks it", async () => {
    expect((await call("POST", "/api/blocked", { range: "127.0.0.80/32" })).status).toBe(201)
    expect(await (await call("GET", "/api/blocked")).json()).toEqual({ items: [{ range: "127.0.0.80/32" }] })
    await sleep(1500)
    const blocked = rawSession(running.daemon.port, "127.0.0.1", "127.0.0.80")
    expect(await blocked.reply()).toMatch(/^554 5\.7\.1 .*is blocked/)
    expect((await call("DELETE", "/api/blocked?range=127.0.0.80/32")).status).toBe(200)
    await sleep(1500)
    const welcome = rawSession(running.daemon.port, "127.0.0.1", "127.0.0.80")
    expect(await welcome.reply()).toMatch(/^220 /)
    welcome.close()
  })

  it("shows why a client was refused, as a transcript of its session, found by client IP and by message id", async () => {
    const refused = rawSession(running.daemon.port, "127.0.0.1", "127.0.0.81")
    expect(await refused.reply()).toMatch(/^220 /)
    await refused.command("EHLO journal.example")
    await refused.command("MAIL FROM:<sender@example.org>")
    expect(await refused.command("RCPT TO:<not an address>")).toMatch(/^553 /)
    expect(await refused.command("RCPT TO:<ok@example.com>")).toMatch(/^250 /)
    expect(await refused.command("DATA")).toMatch(/^354 /)
    refused.send("Subject: journal\r\n\r\nsecret body text\r\n.\r\n")
    const queued = await refused.reply()
    const id = /250 (\S+) for ok@example.com/.exec(queued)?.[1]
    expect(id).toBeDefined()
    await refused.command("QUIT")
    await sleep(100)
    const byClient = (await (await call("GET", "/api/sessions?client=127.0.0.81")).json()) as {
      sessions: Array<{ client: string; transcript: Array<{ input: string; reply: Array<string>; decisions: Array<string> }> }>
    }
    expect(byClient.sessions).toHaveLength(1)
    const [session] = byClient.sessions
    expect(session!.client).toMatch(/^127\.0\.0\.81:/)
    const rcpt = session!.transcript.find((line) => line.input === "RCPT TO:<not an address>")
    expect(rcpt?.reply[0]).toMatch(/^553 5\.1\.3 Bad recipient address syntax/)
    expect(rcpt?.decisions).toEqual(["CommandRefused: Rcpt"])
    expect(session!.transcript.at(-1)?.decisions).toEqual(["SessionClosed: quit"])
    expect(JSON.stringify(byClient)).not.toContain("secret body text")
    const byId = (await (await call("GET", `/api/sessions?message-id=${id}`)).json()) as { sessions: Array<{ client: string }> }
    expect(byId.sessions.map((s) => s.client)).toEqual([session!.client])
    expect((await call("GET", "/api/sessions?limit=0")).status).toBe(400)
  })

  it("gives a clear 400 for a bad value", async () => {
    const response = await call("POST", "/api/local-addresses", { pattern: "", type: "exact" })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({ error: expect.stringContaining("empty") })
  })
})
