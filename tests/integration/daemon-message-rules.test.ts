import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { BROKER_URL, deleteQueues, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { python, queuedIds, rawSession, swaks } from "../support/smtp-clients.ts"

const ready = (await rabbitAvailable()) && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

const MESSAGE_WITH_MQ_HEADERS = [
  "From: sender@example.org",
  "X-MQ-Tag: newsletter",
  "X-MQ-Tag: Week 48, Europe",
  "x-mq-ip: 10.0.0.9",
  "X-Mq-Maxattempts: 3",
  "x-mq-dsn-notify: FAILURE,",
  " DELAY",
  "x-mq-smarthost-hostname: relay.example.net",
  "x-mq-smarthost-port: 2525",
  "Subject: rules",
  "",
  "x-mq-ip: 9.9.9.9 is body text, not a header",
  ""
].join("\r\n")

const sendRaw = (port: number, server: string, message: string) =>
  python(`
import smtplib, sys
s = smtplib.SMTP(${JSON.stringify(server)}, int(sys.argv[1]), timeout=20)
s.sendmail("sender@example.org", ["rcpt@example.com"], ${JSON.stringify(message)}.encode("utf-8"))
s.quit()
`, port)

describe.runIf(ready)("message rules through the daemon", () => {
  const inbox = uniqueQueue("rules")
  const plainInbox = uniqueQueue("noextract")
  let daemon: RunningDaemon
  let noExtract: RunningDaemon

  beforeAll(async () => {
    // The seed's example, on loopback: 127.0.0.2 is mappable, 127.0.0.3 is not.
    daemon = await startDaemon({
      "smtp-range": "127.0.0.0/8",
      "smtp-default-ips": "1.2.3.4;4.5.6.7",
      "smtp-unmappable-ips": "127.0.0.3/32;127.0.0.5/32",
      "smtp-mappable-ips": "127.0.0.0/24;4.5.6.0/24",
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
    noExtract = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.0/8",
      "smtp-extract": "false",
      "smtp-validate-address": "loose",
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": plainInbox
    })
  })
  afterAll(async () => {
    await daemon?.stop()
    await noExtract?.stop()
    await deleteQueues(inbox, plainInbox)
  })

  it("sends a message submitted to a mappable IP out from that IP, and one to an unmappable IP from the defaults", async () => {
    for (const [server, expected] of [["127.0.0.2", ["127.0.0.2"]], ["127.0.0.3", ["1.2.3.4", "4.5.6.7"]]] as const) {
      const sent = await swaks(daemon.port, ["--from", "a@example.org", "--to", `via-${server}@example.com`], server)
      expect(sent.code, sent.output).toBe(0)
      const [message] = await takeMessages(inbox, 1)
      expect(message?.json.recipient).toBe(`via-${server}@example.com`)
      expect(message?.json.connection).toMatchObject({ "local-ip": server })
      expect(message?.json.ips).toEqual(expected)
    }
  })

  it("turns top-level x-mq-* headers into properties and removes them from the mime, body untouched", async () => {
    const sent = await sendRaw(daemon.port, "127.0.0.3", MESSAGE_WITH_MQ_HEADERS)
    expect(sent.code, sent.output).toBe(0)
    const [message] = await takeMessages(inbox, 1)
    const json = message!.json
    expect(json).toMatchObject({
      ips: ["10.0.0.9"],
      tags: ["newsletter", "Week 48, Europe"],
      maxattempts: 3,
      dsn: { notify: "FAILURE, DELAY" },
      smarthost: { hostname: "relay.example.net", port: 2525 }
    })
    const mime = json.mime as string
    const [head, body] = mime.split("\r\n\r\n")
    expect(head).not.toMatch(/^x-mq-/im)
    expect(head).toContain("From: sender@example.org\r\nSubject: rules")
    expect(body).toBe("x-mq-ip: 9.9.9.9 is body text, not a header\r\n")
  })

  it("with smtp-validate-address: loose accepts odd real-world addresses and publishes them as written", async () => {
    const client = rawSession(noExtract.port)
    await client.reply()
    await client.command("EHLO loose.example")
    expect(await client.command("MAIL FROM:<john..doe@example.org>")).toMatch(/^250 /)
    expect(await client.command("RCPT TO:<a@b@c.example>")).toMatch(/^250 /)
    expect(await client.command("RCPT TO:<user.@xn--bcher-kva.example>")).toMatch(/^250 /)
    expect(await client.command("RCPT TO:<nobody>")).toMatch(/^553 /)
    expect(await client.command("DATA")).toMatch(/^354 /)
    client.send("Subject: loose\r\n\r\nbody\r\n.\r\n")
    expect(await client.reply()).toMatch(/^250-/)
    client.close()
    const messages = await takeMessages(plainInbox, 2)
    expect(messages.map((m) => m.json.recipient).sort()).toEqual(["a@b@c.example", "user.@xn--bcher-kva.example"])
    expect(messages[0]?.json.envelope).toBe("john..doe@example.org")
  })

  it("with smtp-extract: false leaves x-mq-* headers in the mime and adds no property", async () => {
    const sent = await sendRaw(noExtract.port, "127.0.0.1", MESSAGE_WITH_MQ_HEADERS)
    expect(sent.code, sent.output).toBe(0)
    const [message] = await takeMessages(plainInbox, 1)
    expect(message?.json.ips).toEqual(["127.0.0.1"])
    expect(message?.json).not.toHaveProperty("tags")
    expect(message?.json.mime as string).toContain("X-MQ-Tag: Week 48, Europe\r\nx-mq-ip: 10.0.0.9\r\n")
  })

  it("validates addresses strictly by default: 501 5.1.7 for a bad sender, 553 5.1.3 for a bad recipient", async () => {
    const client = rawSession(daemon.port, "127.0.0.2")
    await client.reply()
    await client.command("EHLO strict.example")
    expect(await client.command("MAIL FROM:<john..doe@example.org>")).toMatch(/^501 5\.1\.7 Bad sender address syntax: /)
    expect(await client.command("MAIL FROM:<ok@example.org>")).toMatch(/^250 /)
    expect(await client.command("RCPT TO:<a@b@c>")).toMatch(/^553 5\.1\.3 Bad recipient address syntax: /)
    expect(await client.command("RCPT TO:<\"john doe\"@example.com>")).toMatch(/^250 /)
    expect(await client.command("RCPT TO:<Postmaster>")).toMatch(/^250 /)
    expect(await client.command("RCPT TO:<x@example.com> NOTIFY=NEVER")).toMatch(/^555 5\.5\.4 Unsupported RCPT TO parameter: NOTIFY/)
    expect(await client.command("RSET")).toMatch(/^250 /)
    expect(await client.command("MAIL FROM:<ok@example.org> RET=HDRS")).toMatch(/^555 5\.5\.4 Unsupported MAIL FROM parameter: RET/)
    expect(await client.command("MAIL FROM:<ok@example.org> BODY=8BITMIME SIZE=100")).toMatch(/^250 /)
    client.close()
  })

  it("carries SMTPUTF8 addresses from Python's smtplib as written", async () => {
    const sent = await python(`
import smtplib, sys
s = smtplib.SMTP("127.0.0.2", int(sys.argv[1]), timeout=20)
s.ehlo("utf8.example")
s.sendmail("jörg@bücher.example", ["ñoño@ejemplo.es"], "Subject: utf8\\r\\n\\r\\nhola\\r\\n".encode(), mail_options=["SMTPUTF8"])
s.quit()
`, daemon.port)
    expect(sent.code, sent.output).toBe(0)
    const [message] = await takeMessages(inbox, 1)
    expect([message?.json.envelope, message?.json.recipient]).toEqual(["jörg@bücher.example", "ñoño@ejemplo.es"])
  })

  it("accepts an x-mq-envelope override of the sender in the JSON", async () => {
    const sent = await swaks(daemon.port, [
      "--from", "real@example.org", "--to", "env@example.com", "--header", "x-mq-envelope: bounces@example.org"
    ], "127.0.0.2")
    expect(queuedIds(sent.output).size, sent.output).toBe(1)
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json.envelope).toBe("bounces@example.org")
  })
})
