import type { AddressInfo } from "node:net"
import { SMTPServer } from "smtp-server"
import type { SMTPServerOptions } from "smtp-server"
import { afterEach, describe, expect, it, vi } from "vitest"
import { installPromptGreeting } from "../../adapters/smtp/prompt-greeting.ts"
import { rawSession } from "../support/smtp-clients.ts"

installPromptGreeting()

const started: Array<SMTPServer> = []

const serve = async (hooks: Pick<SMTPServerOptions, "onConnect"> = {}) => {
  const server = new SMTPServer({ logger: false, disableReverseLookup: true, authOptional: true, ...hooks })
  started.push(server)
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return (server.server.address() as AddressInfo).port
}

describe("smtp-server with the prompt greeting", () => {
  afterEach(async () => {
    vi.useRealTimers()
    await Promise.all(started.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))))
  })

  it("greets without waiting on any timer", async () => {
    const port = await serve()
    // smtp-server's own init would wait for a 100 ms setTimeout that never fires under fake timers
    vi.useFakeTimers({ toFake: ["setTimeout"] })
    const client = rawSession(port)
    expect(await client.reply()).toMatch(/^220 /)
    vi.useRealTimers()
    expect(await client.command("EHLO prompt.example")).toMatch(/^250/)
    client.close()
  })

  it("still answers a client that talks before the greeting with 421 and closes", async () => {
    // the session never starts, so whatever the client sends comes before the greeting
    const port = await serve({ onConnect: () => {} })
    const client = rawSession(port)
    client.send("EHLO early.example\r\n")
    expect(await client.reply()).toMatch(/^421 .*You talk too soon/)
    for (let i = 0; i < 100 && !client.closed(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(client.closed()).toBe(true)
  })
})
