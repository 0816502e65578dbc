import { createServer } from "node:net"
import type { Server, Socket } from "node:net"
import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { SpamdScanner, spamdScan } from "../../adapters/spamd/spamd-client.ts"
import { Dns } from "../../application/ports/dns.ts"
import { SenderAuthentication } from "../../application/ports/sender-authentication.ts"
import { runChecks } from "../../application/run-checks.ts"
import { CHECK_LIMITS } from "../../domain/checks/checks-config.ts"
import { freePort } from "../support/free-port.ts"
import { GTUBE, spamdAvailable, startSpamd } from "../support/spamd.ts"
import type { RunningSpamd } from "../support/spamd.ts"

const message = (body: string) => Buffer.from([
  "From: Alice Example <alice@example.org>",
  "To: Bob Example <bob@example.com>",
  "Subject: Lunch on Thursday",
  "Date: Tue, 25 Nov 2025 10:00:00 +0000",
  "Message-ID: <lunch-1@example.org>",
  "MIME-Version: 1.0",
  "Content-Type: text/plain; charset=utf-8",
  "",
  body,
  ""
].join("\r\n"))

const PLAIN = "Hi Bob,\r\n\r\nshall we have lunch on Thursday at the usual place?\r\n\r\nAlice"

/** Nothing but spam is asked for: the other ports are never used. */
const unused = Layer.mergeAll(
  Layer.succeed(Dns, Dns.of({ resolve: () => Effect.die("DNS is not used by a spam check") })),
  Layer.succeed(SenderAuthentication, SenderAuthentication.of({ authenticate: () => Effect.die("not used by a spam check"), spf: () => Effect.die("not used by a spam check") }))
)

const checkSpam = (port: number, mime: Uint8Array, limits = CHECK_LIMITS) =>
  Effect.runPromise(runChecks(
    { mime, sender: "alice@example.org", helo: "mail.example.org", clientIp: "203.0.113.7", hostname: "mx.intake.test" },
    { checks: ["spam"], authResults: [] },
    limits
  ).pipe(Effect.provide(Layer.merge(unused, SpamdScanner(Effect.succeed({ host: "127.0.0.1", port }))))))

/** A TCP server that takes connections and never answers, as a hung spamd would. */
const silentServer = async (): Promise<{ port: number; close: () => Promise<void> }> => {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on("error", () => undefined)
  })
  const port = await freePort()
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
  return {
    port,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy()
      server.close(() => resolve())
    })
  }
}

describe.runIf(spamdAvailable())("the SPAMC client against a real spamd", () => {
  let spamd: RunningSpamd

  beforeAll(async () => {
    spamd = await startSpamd()
  })
  afterAll(async () => {
    await spamd?.stop()
  })

  it("scores the GTUBE test string as spam, with the GTUBE rule among the symbols", async () => {
    const verdict = await Effect.runPromise(spamdScan({ host: "127.0.0.1", port: spamd.port }, message(`Buy now!\r\n${GTUBE}`)))
    expect(verdict.isSpam).toBe(true)
    expect(verdict.score).toBeGreaterThanOrEqual(1000)
    expect(verdict.required).toBe(5)
    expect(verdict.symbols).toContain("GTUBE")
  })

  it("scores a plain personal message as ham", async () => {
    const verdict = await Effect.runPromise(spamdScan({ host: "127.0.0.1", port: spamd.port }, message(PLAIN)))
    expect(verdict.isSpam).toBe(false)
    expect(verdict.score).toBeLessThan(verdict.required)
    expect(verdict.symbols).not.toContain("GTUBE")
    expect(verdict.symbols.every((s) => /^[A-Z0-9_]+$/.test(s))).toBe(true)
  })

  it("gives MailerQ's spam entry through the use case", async () => {
    const spam = await checkSpam(spamd.port, message(GTUBE))
    expect(spam.checks).toEqual([{ spam: "spam", score: expect.any(Number), required: 5, symbols: expect.arrayContaining(["GTUBE"]) }])
    const ham = await checkSpam(spamd.port, message(PLAIN))
    expect(ham.checks).toEqual([{ spam: "ham", score: expect.any(Number), required: 5, symbols: expect.any(Array) }])
    expect(ham.authResults).toBeUndefined()
  })

  it("sends nothing larger than the limit, and says none", async () => {
    const outcome = await checkSpam(spamd.port, message(GTUBE), { ...CHECK_LIMITS, spamMaxBytes: 100 })
    expect(outcome.checks).toEqual([{ spam: "none" }])
  })
})

describe("the SPAMC client when spamd is not there", () => {
  it("fails at once when nothing listens, and the use case records temperror", async () => {
    const port = await freePort()
    const error = await Effect.runPromise(Effect.flip(spamdScan({ host: "127.0.0.1", port }, message(PLAIN))))
    expect(error._tag).toBe("SpamScanFailed")
    expect(error.message).toMatch(/ECONNREFUSED/)
    const started = Date.now()
    expect((await checkSpam(port, message(PLAIN))).checks).toEqual([{ spam: "temperror" }])
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it("stops waiting for a spamd that never answers at the deadline, with temperror", async () => {
    const silent = await silentServer()
    try {
      const started = Date.now()
      const outcome = await checkSpam(silent.port, message(PLAIN), { ...CHECK_LIMITS, spamDeadlineMs: 300 })
      expect(outcome.checks).toEqual([{ spam: "temperror" }])
      expect(Date.now() - started).toBeGreaterThanOrEqual(290)
      expect(Date.now() - started).toBeLessThan(2_000)
    } finally {
      await silent.close()
    }
  })

  it("takes an answer that is not SPAMD as a failure", async () => {
    const server = createServer((socket) => {
      socket.on("error", () => undefined)
      socket.resume()
      socket.end("HTTP/1.1 400 Bad Request\r\n\r\n")
    })
    const port = await freePort()
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve))
    try {
      const error = await Effect.runPromise(Effect.flip(spamdScan({ host: "127.0.0.1", port }, message(PLAIN))))
      expect(error.message).toMatch(/not a SPAMD reply/)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
