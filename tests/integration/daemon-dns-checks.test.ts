import { generateKeyPairSync } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { dkimSign } from "mailauth"
import type { DKIMSignOptions } from "mailauth"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { startLoopbackDns } from "../support/loopback-dns.ts"
import type { LoopbackDns } from "../support/loopback-dns.ts"
import { BROKER_URL, deleteQueues, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"

/*
 * SPF, DKIM and DMARC through the whole daemon: swaks sends from 127.0.0.1, the daemon asks the
 * DNS server this test starts on loopback (dns-servers), and `checks` is read from the JSON the
 * daemon published to RabbitMQ.
 */
const ready = (await rabbitAvailable()) && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
const KEY_RECORD = ["v=DKIM1; k=rsa; ", `p=${publicKey.export({ type: "spki", format: "der" }).toString("base64")}`]

const zone = {
  "example.org": { TXT: [["v=spf1 ip4:127.0.0.0/8 -all"]] },
  "_dmarc.example.org": { TXT: [["v=DMARC1; p=reject"]] },
  "s1._domainkey.example.org": { TXT: [KEY_RECORD] },
  "elsewhere.example": { TXT: [["v=spf1 ip4:192.0.2.0/24 -all"]] },
  "_dmarc.elsewhere.example": { TXT: [["v=DMARC1; p=quarantine"]] },
  // a macro copies the local part into a name node:dns refuses to send ("bob+news")
  "lists.example": { TXT: [["v=spf1 exists:%{l}._spf.lists.example -all"]] },
  "bob+news._spf.lists.example": { A: ["127.0.0.2"] }
}

const message = (from: string, subject: string) => [
  `From: ${from}`,
  "To: Bob <bob@example.com>",
  `Subject: ${subject}`,
  "Date: Sat, 05 Dec 2026 10:00:00 +0000",
  `Message-ID: <${subject.replace(/\W/g, "")}@intake.test>`,
  "",
  "Hello Bob, the figures are attached.",
  ""
].join("\r\n")

const signed = async (raw: string) => {
  const signature = await dkimSign(raw, {
    signatureData: [{ signingDomain: "example.org", selector: "s1", privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString() }]
  } as unknown as DKIMSignOptions)
  return signature.signatures + raw
}

describe.runIf(ready)("the daemon with smtp-check: spf,dkim,dmarc and dns-servers on loopback", () => {
  const inbox = uniqueQueue("dns-checks")
  let dns: LoopbackDns
  let daemon: RunningDaemon

  beforeAll(async () => {
    dns = await startLoopbackDns(zone)
    daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.0/8",
      "smtp-hostname": "mx.checks.test",
      "smtp-check": "spf,dkim,dmarc",
      "smtp-auth-results": "nonlocal",
      "dns-servers": dns.address,
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
  })
  afterAll(async () => {
    expect(await daemon?.stop()).toBe(0)
    await dns?.stop()
    await deleteQueues(inbox)
  })

  const send = async (from: string, data: string) => {
    const file = join(daemon.dir, `message-${Math.random().toString(36).slice(2)}.eml`)
    writeFileSync(file, data)
    const sent = await swaks(daemon.port, ["--from", from, "--to", "bob@example.com", "--helo", "client.example.org", "--data", file])
    expect(sent.code, sent.output).toBe(0)
    expect([...queuedIds(sent.output).keys()]).toEqual(["bob@example.com"])
    const [published] = await takeMessages(inbox, 1)
    return published?.json ?? {}
  }

  it("passes SPF, DKIM and DMARC for a signed message from an allowed IP, and says so in Authentication-Results", async () => {
    const json = await send("bounce@example.org", await signed(message("Alice <alice@example.org>", "Quarterly figures")))
    expect(json.checks).toEqual([
      { spf: "pass", "smtp.mailfrom": "example.org" },
      { dkim: "pass", domain: "example.org", selector: "s1", "header.i": "@example.org", "header.b": expect.any(String) },
      { dmarc: "pass", "header.from": "example.org", policy: "reject" }
    ])
    expect(String(json.mime)).toMatch(/\r\nAuthentication-Results: mx\.checks\.test;\r\n\tspf=pass smtp\.mailfrom=example\.org;/)
    expect(dns.asked).toEqual(expect.arrayContaining(["TXT example.org", "TXT s1._domainkey.example.org", "TXT _dmarc.example.org"]))
  })

  it("fails SPF and DMARC for an unsigned message from an IP the domain does not list", async () => {
    const json = await send("news@elsewhere.example", message("News <news@elsewhere.example>", "Weekly news"))
    expect(json.checks).toEqual([
      { spf: "fail", "smtp.mailfrom": "elsewhere.example" },
      { dkim: "none" },
      { dmarc: "fail", "header.from": "elsewhere.example", policy: "quarantine" }
    ])
  })

  it("asks the name an SPF macro builds from a local part with '+', as it is", async () => {
    const json = await send("bob+news@lists.example", message("Bob <bob+news@lists.example>", "List mail"))
    expect(json.checks).toContainEqual({ spf: "pass", "smtp.mailfrom": "lists.example" })
    expect(dns.asked).toContain("A bob+news._spf.lists.example")
  })
})
