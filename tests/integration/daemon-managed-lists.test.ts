import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { certificateFactory } from "../support/certificates.ts"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { withListStore } from "../support/managed-lists.ts"
import { BROKER_URL, deleteQueues, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { python, queuedIds, rawSession, swaks } from "../support/smtp-clients.ts"
import {
  dmarcAggregateXml, EXCHANGE_REPORTING_MTA, EXIM_BOUNDARY, eximBounce, exchangeOnlineBounce, footerWrapped, forwardedAsAttachment,
  gatewayMixedBounce, googleDmarcReport, gzipDmarcReport, postfixBounce, schemaWrappedXml
} from "../support/report-samples.ts"

const ready = (await rabbitAvailable()) && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
/** The daemon reloads its lists within a second of a change. */
const LIST_REFRESH = 1500

const sendBytes = (port: number, to: string, message: Uint8Array) =>
  python(`
import smtplib, sys, base64
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.sendmail("mailer-daemon@example.net", [${JSON.stringify(to)}], base64.b64decode(${JSON.stringify(Buffer.from(message).toString("base64"))}))
s.quit()
`, port)

describe.runIf(ready)("the managed lists at work in the daemon", () => {
  const inbox = uniqueQueue("lists-inbox")
  const localQueue = uniqueQueue("lists-local")
  const reports = uniqueQueue("lists-reports")
  const certificates = certificateFactory()
  let daemon: RunningDaemon
  let database: string

  beforeAll(async () => {
    const cert = certificates.selfSigned("mx.lists.test")
    daemon = await startDaemon({
      "smtp-range": "127.0.0.0/8",
      "smtp-hostname": "mx.lists.test",
      "smtp-certificate": cert.certificate,
      "smtp-key": cert.key,
      "smtp-auth": "hardcoded://alice:secret",
      "smtp-protection": "true",
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox,
      "rabbitmq-local": localQueue,
      "rabbitmq-reports": reports
    })
    database = join(daemon.dir, "intake.db")
    await withListStore(database, (store) => store.addLocalAddress({ pattern: "@local.test", type: "exact" }))
    await withListStore(database, (store) => store.setMtaHostname({ ip: "127.0.0.2", hostname: "mx2.lists.test" }))
    await sleep(LIST_REFRESH)
  })
  afterAll(async () => {
    await daemon?.stop()
    certificates.cleanup()
    await deleteQueues(inbox, localQueue, reports)
  })

  it("takes mail for a local address without AUTH, to rabbitmq-local marked local, and refuses other recipients with 530", async () => {
    const client = rawSession(daemon.port)
    await client.reply()
    await client.command("EHLO unauthenticated.example")
    await client.command("MAIL FROM:<someone@example.org>")
    expect(await client.command("RCPT TO:<far@example.net>")).toMatch(/^530 5\.7\.0 /)
    expect(await client.command("RCPT TO:<postbox@LOCAL.test>")).toMatch(/^250 /)
    await client.command("DATA")
    client.send("Subject: to a local address\r\n\r\nhello\r\n.\r\n")
    expect(await client.reply()).toMatch(/^250-/)
    client.close()
    const [message] = await takeMessages(localQueue, 1)
    expect(message?.json).toMatchObject({ recipient: "postbox@LOCAL.test", local: true })
  })

  it("routes a bounce and a DMARC report for local addresses to rabbitmq-reports with their essentials", async () => {
    expect((await sendBytes(daemon.port, "bounces@local.test", postfixBounce())).code).toBe(0)
    expect((await sendBytes(daemon.port, "dmarc@local.test", googleDmarcReport())).code).toBe(0)
    const found = await takeMessages(reports, 2)
    const byType = new Map(found.map((m) => [(m.json.report as { type: string }).type, m.json]))
    expect(byType.get("dsn")).toMatchObject({ local: true, recipient: "bounces@local.test" })
    expect((byType.get("dsn")?.report as { recipients: Array<{ status: string }> }).recipients.map((r) => r.status))
      .toContain("5.1.1")
    expect(byType.get("dmarc")).toMatchObject({ local: true, report: { type: "dmarc", domain: expect.any(String) } })
  })

  it("routes bounces and DMARC reports as real senders shape them, and leaves a forwarded bounce to rabbitmq-local", async () => {
    const shapes: ReadonlyArray<readonly [string, Uint8Array]> = [
      ["exim-no-type@local.test", eximBounce({ contentType: `multipart/report; boundary=${EXIM_BOUNDARY}` })],
      ["gateway@local.test", gatewayMixedBounce()],
      ["footer@local.test", footerWrapped(exchangeOnlineBounce())],
      ["wrapped-dmarc@local.test", gzipDmarcReport({ xml: schemaWrappedXml(dmarcAggregateXml({ orgName: "", email: "noreply@reports.example.net" })) })]
    ]
    for (const [to, message] of shapes) expect((await sendBytes(daemon.port, to, message)).code).toBe(0)
    expect((await sendBytes(daemon.port, "forwarded@local.test", forwardedAsAttachment(postfixBounce()))).code).toBe(0)
    const found = new Map((await takeMessages(reports, shapes.length)).map((m) => [m.json.recipient as string, m.json.report as Record<string, unknown>]))
    expect(found.get("exim-no-type@local.test")).toMatchObject({ type: "dsn", reportingMta: "mail.example.net" })
    expect(found.get("gateway@local.test")).toMatchObject({ type: "dsn", reportingMta: "gw.example.net" })
    expect(found.get("footer@local.test")).toMatchObject({ type: "dsn", reportingMta: EXCHANGE_REPORTING_MTA })
    expect(found.get("wrapped-dmarc@local.test")).toMatchObject({ type: "dmarc", orgName: "reports.example.net" })
    const [forwarded] = await takeMessages(localQueue, 1)
    expect(forwarded?.json).toMatchObject({ recipient: "forwarded@local.test", local: true })
    expect(forwarded?.json.report).toBeUndefined()
  })

  it("greets with the MTA hostname of the local IP reached, else smtp-hostname, and uses it in the JSON", async () => {
    const viaMta = rawSession(daemon.port, "127.0.0.2")
    expect(await viaMta.reply()).toBe("220 mx2.lists.test ESMTP\r\n")
    viaMta.close()
    const plain = rawSession(daemon.port, "127.0.0.3")
    expect(await plain.reply()).toBe("220 mx.lists.test ESMTP\r\n")
    plain.close()
    const sent = await swaks(daemon.port, ["--from", "a@example.org", "--to", "named@local.test"], "127.0.0.2")
    expect(queuedIds(sent.output).size, sent.output).toBe(1)
    const [message] = await takeMessages(localQueue, 1)
    expect(message?.json.hostname).toBe("mx2.lists.test")
    expect(message?.json.mime as string).toContain("by mx2.lists.test with ESMTP")
  })

  it("with smtp-protection, refuses a blocked client within a second of it being blocked, and lets it in when unblocked", async () => {
    const from = (source: string) => rawSession(daemon.port, "127.0.0.1", source)
    const before = from("127.0.0.66")
    expect(await before.reply()).toMatch(/^220 /)
    before.close()
    await withListStore(database, (store) => store.addBlocked("127.0.0.64/30"))
    await sleep(LIST_REFRESH)
    const blocked = from("127.0.0.66")
    expect(await blocked.reply()).toMatch(/^554 5\.7\.1 Access denied: 127\.0\.0\.66 is blocked/)
    const other = from("127.0.0.70")
    expect(await other.reply()).toMatch(/^220 /)
    other.close()
    await withListStore(database, (store) => store.removeBlocked("127.0.0.64/30"))
    await sleep(LIST_REFRESH)
    const again = from("127.0.0.66")
    expect(await again.reply()).toMatch(/^220 /)
    again.close()
  })
})
