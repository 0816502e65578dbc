import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { MailauthSenderAuthentication } from "../../adapters/mailauth/mailauth-authentication.ts"
import { BlockedAddresses } from "../../application/ports/blocked-addresses.ts"
import { Dns } from "../../application/ports/dns.ts"
import { IntakeSettings } from "../../application/ports/intake-settings.ts"
import type { IntakeSettingsSnapshot } from "../../application/ports/intake-settings.ts"
import { LocalAddresses } from "../../application/ports/local-addresses.ts"
import { MessageIds } from "../../application/ports/message-ids.ts"
import { Publisher } from "../../application/ports/publisher.ts"
import type { Delivery } from "../../application/ports/publisher.ts"
import { SpamScanner } from "../../application/ports/spam-scanner.ts"
import { NEEDS_SERVICES, openSession } from "../../application/session/smtp-session.ts"
import type { CheckName } from "../../domain/config/settings.ts"
import { parseIpRange } from "../../domain/ip/ip-range.ts"
import type { IpRange } from "../../domain/ip/ip-range.ts"
import { Command } from "../../domain/session/commands.ts"
import { DEFAULT_MAX_ERRORS, DEFAULT_MAX_JUNK } from "../../domain/session/policy.ts"
import { memoryDns } from "../support/memory-dns.ts"

/*
 * SPF from MAIL FROM on: the session starts it when the sender is accepted, without waiting for
 * it, stops it when the transaction ends, starts it again for a new sender, and hands it to the
 * message's checks at the end of the data. The real session and acceptMessage with mailauth, in
 * this process; DNS from a zone in memory, where `held.example` never answers.
 */

const zone = {
  "example.org": { TXT: [["v=spf1 ip4:203.0.113.0/24 -all"]] },
  "_dmarc.example.org": { TXT: [["v=DMARC1; p=reject"]] },
  "other.example": { TXT: [["v=spf1 -all"]] }
}

const range = (text: string): IpRange => {
  const parsed = parseIpRange(text)
  if (parsed === undefined) throw new Error(text)
  return parsed
}

const harness = (checks: ReadonlyArray<CheckName>) => {
  /** what DNS saw: `asked TXT name`, `stopped TXT name` (a lookup interrupted) */
  const dnsLog: Array<string> = []
  const deliveries: Array<Delivery> = []
  const zoneDns = memoryDns(zone).service
  const dns = Dns.of({
    resolve: (name, rrtype) =>
      Effect.suspend(() => {
        dnsLog.push(`asked ${rrtype} ${name}`)
        return name === "held.example"
          ? Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => void dnsLog.push(`stopped ${rrtype} ${name}`))))
          : zoneDns.resolve(name, rrtype)
      })
  })
  const snapshot: IntakeSettingsSnapshot = {
    policy: {
      hostname: "mx.intake.test",
      allowedRanges: [range("203.0.113.0/24")],
      maxSize: 100_000,
      maxRecipients: 5,
      addressValidation: "strict",
      authRequired: false,
      protection: false,
      tlsOffered: false,
      maxErrors: DEFAULT_MAX_ERRORS,
      maxJunk: DEFAULT_MAX_JUNK,
      keepRefused: false
    },
    inboxQueue: "inbox",
    localQueue: "local",
    reportsQueue: undefined,
    refusedQueue: undefined,
    outgoingIps: { defaultIps: [], mappable: [], unmappable: [] },
    extractMqHeaders: false,
    configuredHostname: "mx.intake.test",
    machineHostname: "machine.intake.test",
    checks,
    authResults: []
  }
  let ids = 0
  const services = Layer.mergeAll(
    Layer.succeed(IntakeSettings, IntakeSettings.of({ current: Effect.succeed(snapshot) })),
    Layer.succeed(MessageIds, MessageIds.of({ next: Effect.sync(() => `id${++ids}`) })),
    Layer.succeed(Publisher, Publisher.of({ publish: (batch) => Effect.sync(() => void deliveries.push(...batch)), isReady: Effect.succeed(true) })),
    Layer.succeed(LocalAddresses, LocalAddresses.of({ isLocal: () => Effect.succeed(false) })),
    Layer.succeed(BlockedAddresses, BlockedAddresses.of({ isBlocked: () => Effect.succeed(false) })),
    Layer.succeed(Dns, dns),
    MailauthSenderAuthentication,
    Layer.succeed(SpamScanner, SpamScanner.of({ scan: () => Effect.die("no spam check here") }))
  )
  const run = <A>(effect: Effect.Effect<A, never, Layer.Success<typeof services>>) => Effect.runPromise(effect.pipe(Effect.provide(services)))

  const open = async () => {
    const session = await run(openSession({ localIp: "192.0.2.25", localPort: 25, remoteIp: "203.0.113.7", remotePort: 40000, tls: undefined, user: undefined }))
    await run(session.connect(false))
    /** a command line answered at once, as the connection would ask first */
    const now = (line: string) => {
      const reply = session.lineNow(Buffer.from(line))
      if (reply === NEEDS_SERVICES || reply === undefined) throw new Error(`${line}: not answered at once`)
      return reply.code
    }
    const message = async (text: string, nul = false) => {
      const mime = Buffer.from(text)
      return (await run(session.message({ mime, size: mime.length, bareLineEnding: false, nul, overBudget: false })))?.code
    }
    return { session, now, message }
  }
  return { open, dnsLog, deliveries }
}

/** Waits (polling) until DNS saw `entry` (`times` times); the lookups run in the background. */
const until = async (log: ReadonlyArray<string>, entry: string, times = 1) => {
  for (let waited = 0; log.filter((e) => e === entry).length < times; waited += 5) {
    if (waited > 10_000) throw new Error(`DNS never saw "${entry}": ${JSON.stringify(log)}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

const MESSAGE = "From: Alice <alice@example.org>\r\nSubject: hello\r\n\r\nHello.\r\n"
const checksOf = (delivery: Delivery | undefined) => (JSON.parse(Buffer.from(delivery?.body ?? []).toString("utf8")) as { checks?: unknown }).checks

describe("SPF from MAIL FROM on", () => {
  it("answers MAIL at once while the sender's SPF is still being looked up, and stops the lookup at RSET", async () => {
    const h = harness(["spf"])
    const { now } = await h.open()
    expect(now("EHLO client.example.org")).toBe(250)
    expect(now("MAIL FROM:<alice@held.example>")).toBe(250)
    await until(h.dnsLog, "asked TXT held.example")
    expect(now("RSET")).toBe(250)
    await until(h.dnsLog, "stopped TXT held.example")
  })

  it("starts again for a new sender, and the message's checks take that SPF result without asking again", async () => {
    const h = harness(["spf"])
    const { now, message } = await h.open()
    now("EHLO client.example.org")
    now("MAIL FROM:<alice@held.example>")
    await until(h.dnsLog, "asked TXT held.example")
    now("RSET")
    expect(now("MAIL FROM:<bounce@example.org>")).toBe(250)
    await until(h.dnsLog, "asked TXT example.org")
    expect(now("RCPT TO:<bob@example.com>")).toBe(250)
    expect(now("DATA")).toBe(354)
    expect(await message(MESSAGE)).toBe(250)
    expect(checksOf(h.deliveries[0])).toEqual([{ spf: "pass", "smtp.mailfrom": "example.org" }])
    expect(h.dnsLog.filter((entry) => entry === "asked TXT example.org")).toHaveLength(1)
    await until(h.dnsLog, "stopped TXT held.example")
  })

  it("a new transaction after a delivered message checks its own sender, and DMARC aligns with the SPF started at MAIL", async () => {
    const h = harness(["spf", "dkim", "dmarc"])
    const { now, message } = await h.open()
    now("EHLO client.example.org")
    for (const sender of ["bounce@example.org", "news@other.example"]) {
      now(`MAIL FROM:<${sender}>`)
      now("RCPT TO:<bob@example.com>")
      now("DATA")
      expect(await message(MESSAGE)).toBe(250)
    }
    expect(checksOf(h.deliveries[0])).toEqual([
      { spf: "pass", "smtp.mailfrom": "example.org" },
      { dkim: "none" },
      { dmarc: "pass", "header.from": "example.org", policy: "reject" }
    ])
    expect(checksOf(h.deliveries[1])).toEqual([
      { spf: "fail", "smtp.mailfrom": "other.example" },
      { dkim: "none" },
      { dmarc: "fail", "header.from": "example.org", policy: "reject" }
    ])
  })

  it("stops the lookup when the client leaves, and when a refused message ends the transaction", async () => {
    const h = harness(["spf"])
    const first = await h.open()
    first.now("EHLO client.example.org")
    first.now("MAIL FROM:<alice@held.example>")
    await until(h.dnsLog, "asked TXT held.example")
    first.session.signalNow(Command.disconnected("disconnected"))
    await until(h.dnsLog, "stopped TXT held.example")

    const second = await h.open()
    second.now("EHLO client.example.org")
    second.now("MAIL FROM:<carol@held.example>")
    await until(h.dnsLog, "asked TXT held.example", 2)
    second.now("RCPT TO:<bob@example.com>")
    second.now("DATA")
    expect(await second.message("Subject: x\r\n\r\n\u0000\r\n", true)).toBe(550)
    await until(h.dnsLog, "stopped TXT held.example", 2)
  })

  it("asks nothing at MAIL when SPF is not checked", async () => {
    const h = harness(["dkim"])
    const { now, message } = await h.open()
    now("EHLO client.example.org")
    now("MAIL FROM:<alice@held.example>")
    now("RCPT TO:<bob@example.com>")
    now("DATA")
    expect(h.dnsLog).toEqual([])
    expect(await message(MESSAGE)).toBe(250)
    expect(checksOf(h.deliveries[0])).toEqual([{ dkim: "none" }])
  })
})
