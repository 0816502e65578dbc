import { generateKeyPairSync } from "node:crypto"
import { Deferred, Effect, Layer } from "effect"
import { dkimSign } from "mailauth"
import type { DKIMSignOptions } from "mailauth"
import { createTransport } from "nodemailer"
import { describe, expect, it } from "vitest"
import { MailauthSenderAuthentication } from "../../adapters/mailauth/mailauth-authentication.ts"
import { Dns } from "../../application/ports/dns.ts"
import { SenderAuthentication } from "../../application/ports/sender-authentication.ts"
import { SpamScanner } from "../../application/ports/spam-scanner.ts"
import { runChecks } from "../../application/run-checks.ts"
import type { CheckSubject } from "../../application/run-checks.ts"
import { headerValue } from "../../domain/checks/auth-results-header.ts"
import { CHECK_LIMITS } from "../../domain/checks/checks-config.ts"
import type { CheckLimits, ChecksConfig } from "../../domain/checks/checks-config.ts"
import type { CheckName } from "../../domain/config/settings.ts"
import { memoryDns } from "../support/memory-dns.ts"
import type { Zone } from "../support/memory-dns.ts"

/** A DKIM key pair made for this run, and its DNS record (p= is the DER public key in base64). */
const dkimKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    record: ["v=DKIM1; k=rsa; ", `p=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}`]
  }
}
const exampleOrgKey = dkimKey()
const otherKey = dkimKey()

const zone: Zone = {
  "example.org": { TXT: [["v=spf1 ip4:203.0.113.0/24 -all"]], A: ["203.0.113.5"] },
  "_dmarc.example.org": { TXT: [["v=DMARC1; p=reject; adkim=s; aspf=s"]] },
  "sel1._domainkey.example.org": { TXT: [exampleOrgKey.record] },
  "other.example": { TXT: [["v=spf1 -all"]] },
  "sel2._domainkey.other.example": { TXT: [otherKey.record] },
  "soft.example": { TXT: [["v=spf1 ip4:203.0.113.0/24 ~all"]] },
  "nospf.example": { A: ["192.0.2.1"] },
  "broken.example": { TXT: { fail: "ESERVFAIL" } },
  "helo.example": { TXT: [["v=spf1 ip4:203.0.113.7 -all"]] }
}

const MESSAGE = [
  "From: Alice <alice@example.org>",
  "To: Bob <bob@example.com>",
  "Subject: Quarterly figures",
  "Date: Tue, 25 Nov 2025 10:00:00 +0000",
  "Message-ID: <q3-figures@example.org>",
  "",
  "Hello Bob, the figures are attached.",
  ""
].join("\r\n")

interface Signer {
  readonly signingDomain: string
  readonly selector: string
  readonly privateKey: string
}
const BY_EXAMPLE_ORG: Signer = { signingDomain: "example.org", selector: "sel1", privateKey: exampleOrgKey.privateKey }
const BY_OTHER: Signer = { signingDomain: "other.example", selector: "sel2", privateKey: otherKey.privateKey }

/**
 * Signed with mailauth's own signer (nodemailer's is tested at the end). DKIMSignOptions declares
 * the top-level signingDomain/selector/privateKey, which the signer ignores: the keys go in signatureData.
 */
const sign = async (raw: string, ...signers: ReadonlyArray<Signer>): Promise<string> => {
  const signed = await dkimSign(raw, { signatureData: signers } as unknown as DKIMSignOptions)
  if (signed.signatures === "") throw new Error(`dkimSign signed nothing: ${JSON.stringify(signed.errors)}`)
  return signed.signatures + raw
}

const signatureB = (signed: string, domain: string): string => {
  const field = signed.split(/\r\n(?=\S)/).find((line) => line.startsWith("DKIM-Signature:") && line.includes(`d=${domain};`)) ?? ""
  return /\bb=([^;]+)/.exec(field.replace(/\s+/g, ""))?.[1] ?? ""
}

const subject = (overrides: Partial<CheckSubject> & { readonly raw?: string } = {}): CheckSubject => ({
  mime: Buffer.from(overrides.raw ?? MESSAGE),
  sender: overrides.sender ?? "bounce@example.org",
  helo: overrides.helo ?? "mail.example.org",
  clientIp: overrides.clientIp ?? "203.0.113.7",
  hostname: "mx.intake.test"
})

const noSpam = Layer.succeed(SpamScanner, SpamScanner.of({ scan: () => Effect.die("spam is not checked here") }))

const check = (
  what: CheckSubject,
  checks: ReadonlyArray<CheckName>,
  options: { readonly limits?: CheckLimits; readonly authResults?: ChecksConfig["authResults"]; readonly dns?: Zone } = {}
) => {
  const dns = memoryDns(options.dns ?? zone)
  return Effect.runPromise(
    runChecks(what, { checks, authResults: options.authResults ?? [] }, options.limits ?? CHECK_LIMITS).pipe(
      Effect.provide(Layer.mergeAll(dns.layer, MailauthSenderAuthentication, noSpam))
    )
  ).then((outcome) => ({ ...outcome, asked: dns.asked }))
}

describe("SPF through mailauth, DNS from the in-memory zone", () => {
  it.each([
    ["pass", { sender: "bounce@example.org", clientIp: "203.0.113.7" }, { spf: "pass", "smtp.mailfrom": "example.org" }],
    ["fail", { sender: "bounce@example.org", clientIp: "198.51.100.1" }, { spf: "fail", "smtp.mailfrom": "example.org" }],
    ["softfail", { sender: "news@soft.example", clientIp: "198.51.100.1" }, { spf: "softfail", "smtp.mailfrom": "soft.example" }],
    ["none (no SPF record)", { sender: "a@nospf.example" }, { spf: "none", "smtp.mailfrom": "nospf.example" }],
    ["none (no such domain)", { sender: "a@nowhere.example" }, { spf: "none", "smtp.mailfrom": "nowhere.example" }],
    ["temperror (SERVFAIL)", { sender: "a@broken.example" }, { spf: "temperror", "smtp.mailfrom": "broken.example" }]
  ] as const)("%s", async (_name, envelope, entry) => {
    expect((await check(subject(envelope), ["spf"])).checks).toEqual([entry])
  })

  it("checks the HELO name for the null sender, and reports it as smtp.helo", async () => {
    const outcome = await check(subject({ sender: "", helo: "helo.example", clientIp: "203.0.113.7" }), ["spf"])
    expect(outcome.checks).toEqual([{ spf: "pass", "smtp.helo": "helo.example" }])
    expect(outcome.asked).toContain("TXT helo.example")
  })

  it("asks no DNS for DKIM or DMARC when only SPF is configured", async () => {
    const outcome = await check(subject({ raw: await sign(MESSAGE, BY_EXAMPLE_ORG) }), ["spf"])
    expect(outcome.asked).toEqual(["TXT example.org"])
  })
})

describe("DKIM through mailauth (messages signed with mailauth's dkimSign)", () => {
  it("passes a signed message, one entry with domain, selector, header.i and the first 8 characters of b=", async () => {
    const signed = await sign(MESSAGE, BY_EXAMPLE_ORG)
    const outcome = await check(subject({ raw: signed }), ["dkim"])
    expect(outcome.checks).toEqual([{
      dkim: "pass", domain: "example.org", selector: "sel1", "header.i": "@example.org", "header.b": signatureB(signed, "example.org").slice(0, 8)
    }])
    expect(signatureB(signed, "example.org")).toHaveLength(344)
  })

  it("fails a signed message whose body was changed on the way", async () => {
    const tampered = (await sign(MESSAGE, BY_EXAMPLE_ORG)).replace("figures are attached", "figures are ATTACHED")
    expect((await check(subject({ raw: tampered }), ["dkim"])).checks).toEqual([
      expect.objectContaining({ dkim: "fail", domain: "example.org", selector: "sel1" })
    ])
  })

  it("reports every signature, in order", async () => {
    const signed = await sign(MESSAGE, BY_EXAMPLE_ORG, BY_OTHER)
    const outcome = await check(subject({ raw: signed }), ["dkim"])
    expect(outcome.checks.map((e) => [e.dkim, e.domain, e.selector])).toEqual([["pass", "example.org", "sel1"], ["pass", "other.example", "sel2"]])
  })

  it("says none for an unsigned message", async () => {
    expect((await check(subject(), ["dkim"])).checks).toEqual([{ dkim: "none" }])
  })

  it("gives temperror when the key cannot be looked up", async () => {
    const dns = { ...zone, "sel1._domainkey.example.org": { TXT: { fail: "ETIMEOUT" } } }
    const outcome = await check(subject({ raw: await sign(MESSAGE, BY_EXAMPLE_ORG) }), ["dkim"], { dns })
    expect(outcome.checks).toEqual([expect.objectContaining({ dkim: "temperror", domain: "example.org" })])
  })
})

describe("DMARC through mailauth, with SPF and DKIM alignment", () => {
  it("passes through an aligned DKIM signature while SPF fails, and writes Authentication-Results", async () => {
    const signed = await sign(MESSAGE, BY_EXAMPLE_ORG)
    const outcome = await check(subject({ raw: signed, clientIp: "198.51.100.1" }), ["spf", "dkim", "dmarc"], { authResults: ["nonlocal"] })
    const b = signatureB(signed, "example.org").slice(0, 8)
    expect(outcome.checks).toEqual([
      { spf: "fail", "smtp.mailfrom": "example.org" },
      { dkim: "pass", domain: "example.org", selector: "sel1", "header.i": "@example.org", "header.b": b },
      { dmarc: "pass", "header.from": "example.org", policy: "reject" }
    ])
    expect(outcome.authResults?.replace(/\r\n[\t ]+/g, " ")).toBe(
      "Authentication-Results: mx.intake.test; spf=fail smtp.mailfrom=example.org; " +
        `dkim=pass header.d=example.org header.s=sel1 header.b=${headerValue(b)}; ` +
        "dmarc=pass header.from=example.org policy.dmarc=reject\r\n"
    )
  })

  it("passes through aligned SPF on an unsigned message", async () => {
    expect((await check(subject(), ["dmarc"])).checks).toEqual([{ dmarc: "pass", "header.from": "example.org", policy: "reject" }])
  })

  it("fails when only a foreign domain signed and SPF fails, with the policy to apply", async () => {
    const signed = await sign(MESSAGE, BY_OTHER)
    const outcome = await check(subject({ raw: signed, clientIp: "198.51.100.1" }), ["dkim", "dmarc"])
    expect(outcome.checks).toEqual([
      expect.objectContaining({ dkim: "pass", domain: "other.example" }),
      { dmarc: "fail", "header.from": "example.org", policy: "reject" }
    ])
  })

  it("says none for a From domain without a DMARC record", async () => {
    const raw = MESSAGE.replace("alice@example.org", "alice@nospf.example")
    expect((await check(subject({ raw }), ["dmarc"])).checks).toEqual([{ dmarc: "none", "header.from": "nospf.example" }])
  })

  it("gives permerror for a message with two From fields", async () => {
    const raw = `From: Mallory <mallory@other.example>\r\n${MESSAGE}`
    expect((await check(subject({ raw }), ["dmarc"])).checks).toEqual([{ dmarc: "permerror" }])
  })
})

describe("deadlines: a check that cannot finish is temperror, and never holds the message", () => {
  const silent: Zone = Object.fromEntries(Object.keys(zone).map((name) => [name, { TXT: "hang", A: "hang" }]))
  const fast = { ...CHECK_LIMITS, dnsDeadlineMs: 200 }

  it("stops every DNS lookup at the deadline: spf, dkim and dmarc are temperror", async () => {
    const started = Date.now()
    const outcome = await check(subject({ raw: await sign(MESSAGE, BY_EXAMPLE_ORG) }), ["spf", "dkim", "dmarc"], {
      dns: silent, limits: fast, authResults: ["local"]
    })
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(outcome.checks).toEqual([
      { spf: "temperror", "smtp.mailfrom": "example.org" },
      expect.objectContaining({ dkim: "temperror", domain: "example.org" }),
      { dmarc: "temperror", "header.from": "example.org" }
    ])
    expect(outcome.authResults).toMatch(/^Authentication-Results: mx\.intake\.test;\r\n\tspf=temperror /)
  })

  it("stops waiting for an authenticator that never finishes, shortly after the DNS deadline", async () => {
    const never = Layer.succeed(SenderAuthentication, SenderAuthentication.of({ authenticate: () => Effect.never, spf: () => Effect.never }))
    const started = Date.now()
    const outcome = await Effect.runPromise(runChecks(subject(), { checks: ["spf", "dkim", "dmarc"], authResults: [] }, fast).pipe(
      Effect.provide(Layer.mergeAll(memoryDns(zone).layer, never, noSpam))
    ))
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(outcome.checks).toEqual([{ spf: "temperror", "smtp.mailfrom": "example.org" }, { dkim: "temperror" }, { dmarc: "temperror" }])
  })

  it("runs the spam scan and sender authentication side by side", async () => {
    // each side waits for the other to have started: run one after the other, both would time out
    const program = Effect.gen(function*() {
      const scanning = yield* Deferred.make<void>()
      const looking = yield* Deferred.make<void>()
      const dns = memoryDns(zone).service
      const gatedDns = Layer.succeed(Dns, Dns.of({
        resolve: (name, rrtype) =>
          Deferred.succeed(looking, undefined).pipe(Effect.andThen(Deferred.await(scanning)), Effect.andThen(dns.resolve(name, rrtype)))
      }))
      const gatedSpam = Layer.succeed(SpamScanner, SpamScanner.of({
        scan: () =>
          Deferred.succeed(scanning, undefined).pipe(
            Effect.andThen(Deferred.await(looking)),
            Effect.as({ score: 0.5, required: 5, isSpam: false, symbols: ["NO_RELAYS"] })
          )
      }))
      return yield* runChecks(subject(), { checks: ["spf", "spam"], authResults: [] }, { ...CHECK_LIMITS, dnsDeadlineMs: 1_000, spamDeadlineMs: 1_000 })
        .pipe(Effect.provide(Layer.mergeAll(gatedDns, gatedSpam, MailauthSenderAuthentication)))
    })
    expect((await Effect.runPromise(program)).checks).toEqual([
      { spf: "pass", "smtp.mailfrom": "example.org" },
      { spam: "ham", score: 0.5, required: 5, symbols: ["NO_RELAYS"] }
    ])
  })
})

describe("a message DKIM-signed by nodemailer", () => {
  /** nodemailer builds and signs the message as an application sending through us would. */
  const nodemailerSigned = async () => {
    const transport = createTransport({
      streamTransport: true,
      buffer: true,
      newline: "windows",
      dkim: { domainName: "example.org", keySelector: "sel1", privateKey: exampleOrgKey.privateKey }
    })
    const info = await transport.sendMail({
      from: "Alice <alice@example.org>",
      to: "bob@example.com",
      subject: "Signed by nodemailer",
      text: "Hello Bob, this one was signed by nodemailer."
    })
    return (info.message as Buffer).toString("utf8")
  }

  it("verifies, and with DKIM aligned to From, passes DMARC", async () => {
    const signed = await nodemailerSigned()
    expect(signed).toMatch(/^DKIM-Signature: /m)
    const outcome = await check(subject({ raw: signed, clientIp: "198.51.100.1" }), ["dkim", "dmarc"])
    expect(outcome.checks[0]).toMatchObject({ dkim: "pass", domain: "example.org", selector: "sel1" })
    expect(outcome.checks.find((entry) => "dmarc" in entry)).toMatchObject({ dmarc: "pass", "header.from": "example.org" })
  })

  it("fails once a byte of its body changes", async () => {
    const tampered = (await nodemailerSigned()).replace("signed by nodemailer", "signed by someone")
    expect((await check(subject({ raw: tampered }), ["dkim"])).checks[0]).toMatchObject({ dkim: "fail" })
  })
})
