import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { deleteQueues, takeMessages, uniqueQueue, BROKER_URL } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { python, queuedIds, rawSession, swaks } from "../support/smtp-clients.ts"

const ready = (await rabbitAvailable()) && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

describe.runIf(ready)("the daemon publishing to RabbitMQ, with real clients", () => {
  const inbox = uniqueQueue("inbox")
  let daemon: RunningDaemon

  beforeAll(async () => {
    daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.0/8",
      "smtp-hostname": "mx.intake.test",
      "smtp-maxsize": "20KB",
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
  })
  afterAll(async () => {
    expect(await daemon?.stop()).toBe(0)
    await deleteQueues(inbox)
  })

  it("publishes one JSON per recipient from swaks, after answering with MailerQ's queued reply", async () => {
    const sent = await swaks(daemon.port, [
      "--from", "sender@example.org",
      "--to", "info@example.com,sales@example.com",
      "--helo", "client.example.org",
      "--header", "Subject: walking skeleton",
      "--body", "Hello from swaks"
    ])
    expect(sent.code, sent.output).toBe(0)
    expect(sent.output).toContain("250-Ok, your message has been queued using the following identifiers:")
    const ids = queuedIds(sent.output)
    expect([...ids.keys()]).toEqual(["info@example.com", "sales@example.com"])

    const messages = await takeMessages(inbox, 2)
    expect(messages).toHaveLength(2)
    const byRecipient = new Map(messages.map((m) => [m.json.recipient, m]))
    for (const [recipient, id] of ids) {
      const message = byRecipient.get(recipient)!
      const json = message.json
      expect(json["message-id"]).toBe(id)
      expect(json.received).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
      expect(Math.abs(Date.parse(`${json.received as string}Z`) - Date.now())).toBeLessThan(60_000)
      expect(json.hostname).toBe("mx.intake.test")
      expect(json.envelope).toBe("sender@example.org")
      expect(json.ips).toEqual(["127.0.0.1"])
      expect(json.connection).toEqual({
        "local-ip": "127.0.0.1",
        "local-port": daemon.port,
        "remote-ip": "127.0.0.1",
        "remote-port": expect.any(Number),
        secure: false
      })
      const mime = json.mime as string
      expect(mime).toMatch(new RegExp(`^Received: from client\\.example\\.org \\(\\[127\\.0\\.0\\.1\\]\\)\\r\\n\\tby mx\\.intake\\.test with ESMTP id ${id}\\r\\n\\tfor <${recipient}>;`))
      expect(mime).toContain("Subject: walking skeleton\r\n")
      expect(mime).toContain("Hello from swaks")
      expect(message.properties.contentType).toBe("application/json")
      expect(message.properties.deliveryMode).toBe(2)
    }
  })

  it("carries an 8-bit UTF-8 message from Python's smtplib byte for byte", async () => {
    const body = "Subject: =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\n\r\nGrüße aus Köln — ✉\r\n"
    const sent = await python(`
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.ehlo("python.example")
refused = s.sendmail("py@example.org", ["dest@example.com"], ${JSON.stringify(body)}.encode("utf-8"), mail_options=["BODY=8BITMIME"])
print(s.noop())
s.quit()
print("refused:", refused)
`, daemon.port)
    expect(sent.code, sent.output).toBe(0)
    expect(sent.output).toContain("refused: {}")
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json.envelope).toBe("py@example.org")
    expect((message?.json.mime as string).endsWith(body)).toBe(true)
  })

  it("advertises SIZE, PIPELINING, 8BITMIME, SMTPUTF8 and ENHANCEDSTATUSCODES, and no AUTH without TLS", async () => {
    const client = rawSession(daemon.port)
    expect(await client.reply()).toBe("220 mx.intake.test ESMTP\r\n")
    const ehlo = await client.command("EHLO probe.example")
    for (const capability of ["SIZE 20480", "PIPELINING", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES"]) {
      expect(ehlo).toMatch(new RegExp(`^250[ -]${capability}\\r$`, "m"))
    }
    expect(ehlo).not.toMatch(/AUTH|STARTTLS/)
    client.close()
  })

  it("refuses a message over smtp-maxsize with 552, both as declared and as sent", async () => {
    const client = rawSession(daemon.port)
    await client.reply()
    await client.command("EHLO probe.example")
    expect(await client.command("MAIL FROM:<a@example.org> SIZE=99999")).toMatch(/^552 5\.3\.4 /)
    expect(await client.command("MAIL FROM:<a@example.org>")).toMatch(/^250 /)
    expect(await client.command("RCPT TO:<big@example.com>")).toMatch(/^250 /)
    expect(await client.command("DATA")).toMatch(/^354 /)
    client.send(`Subject: big\r\n\r\n${"0123456789abcdef\r\n".repeat(2000)}.\r\n`)
    expect(await client.reply()).toMatch(/^552 5\.3\.4 /)
    expect(await client.command("MAIL FROM:<a@example.org>")).toMatch(/^250 /)
    client.close()
    const oversized = await takeMessages(inbox, 1, 500)
    expect(oversized.filter((m) => m.json.recipient === "big@example.com")).toEqual([])
  })

  it("answers each command of a pipelined transaction in order", async () => {
    const client = rawSession(daemon.port)
    await client.reply()
    await client.command("EHLO probe.example")
    client.send("MAIL FROM:<p@example.org>\r\nRCPT TO:<one@example.com>\r\nRCPT TO:<bad address>\r\nRCPT TO:<two@example.com>\r\nDATA\r\n")
    expect(await client.reply()).toMatch(/^250 /)
    expect(await client.reply()).toMatch(/^250 /)
    expect(await client.reply()).toMatch(/^5\d\d /)
    expect(await client.reply()).toMatch(/^250 /)
    expect(await client.reply()).toMatch(/^354 /)
    client.send("Subject: pipelined\r\n\r\nbody\r\n.\r\n")
    const queued = await client.reply()
    expect(queued).toMatch(/^250-Ok, your message has been queued/)
    expect([...queuedIds(queued).keys()]).toEqual(["one@example.com", "two@example.com"])
    expect(await client.command("QUIT")).toMatch(/^221 /)
    expect((await takeMessages(inbox, 2)).map((m) => m.json.recipient).sort()).toEqual(["one@example.com", "two@example.com"])
  })
})
