import { describe, expect, it } from "vitest"
import { daemonPerSuite } from "../support/daemon-hooks.ts"
import { BROKER_URL, takeMessages } from "../support/rabbit.ts"
import { rabbitAvailable } from "../support/services.ts"
import { python } from "../support/smtp-clients.ts"

const ready = await rabbitAvailable()

/** sending-bounces.md, "Receiving DSN settings": dsn-advertise offers DSN, and its parameters land in the JSON's dsn. */
describe.runIf(ready)("SMTP DSN (RFC 3461) with dsn-advertise, Python's smtplib and the real RabbitMQ", () => {
  const { queue: inbox, daemon } = daemonPerSuite("dsn", (queue) => ({
    "smtp-ip": "127.0.0.1",
    "smtp-range": "127.0.0.0/8",
    "rabbitmq-address": BROKER_URL,
    "rabbitmq-inbox": queue,
    "dsn-advertise": "true"
  }))

  it("offers DSN and puts RET, ENVID, NOTIFY and ORCPT in each recipient's dsn object", async () => {
    const sent = await python(`
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.ehlo("python.example")
print("dsn offered:", s.has_extn("dsn"))
s.mail("bounces@example.org", ["RET=HDRS", "ENVID=QQ314159+2Bx"])
print(s.rcpt("a@example.com", ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;orig+40example.com"]))
print(s.rcpt("b@example.com"))
print(s.rcpt("c@example.com", ["NOTIFY=NEVER,DELAY"]))
print(s.data(b"Subject: dsn\\r\\n\\r\\nbody\\r\\n"))
s.quit()
`, daemon().port)
    expect(sent.code, sent.output).toBe(0)
    expect(sent.output).toContain("dsn offered: True")
    expect(sent.output).toMatch(/\(501, b'5\.5\.4 Syntax error: NOTIFY must be NEVER/)
    const messages = await takeMessages(inbox, 2)
    const dsnOf = new Map(messages.map((m) => [m.json.recipient, m.json.dsn]))
    expect(dsnOf.get("a@example.com")).toEqual({ ret: "HDRS", envid: "QQ314159+x", notify: "SUCCESS,FAILURE", orcpt: "orig@example.com" })
    expect(dsnOf.get("b@example.com")).toEqual({ ret: "HDRS", envid: "QQ314159+x" })
  })
})
