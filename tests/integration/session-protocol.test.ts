import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { certificateFactory } from "../support/certificates.ts"
import type { CertificateFactory } from "../support/certificates.ts"
import { HARNESS_HOSTNAME, startInProcessSmtp } from "../support/in-process-smtp.ts"
import type { InProcessSmtp } from "../support/in-process-smtp.ts"
import { python } from "../support/smtp-clients.ts"
import { wireClient } from "../support/wire-client.ts"
import { parseIpRange } from "../../domain/ip/ip-range.ts"

/**
 * Protocol behaviour a client sees, against the in-process harness: the real listener, connection
 * loop, session and acceptMessage, an in-memory publisher, no broker.
 */
const mimeOf = (smtp: InProcessSmtp, i: number) => String(JSON.parse(Buffer.from(smtp.deliveries[i]!.body).toString("utf8")).mime)

const greeted = async (port: number) => {
  const client = await wireClient(port)
  expect(await client.reply()).toMatch(/^220 /)
  client.send("EHLO client.example\r\n")
  expect(await client.reply()).toMatch(/^250-/)
  return client
}

describe("the session core answers every command (in-process, no broker)", () => {
  let smtp: InProcessSmtp
  let certificates: CertificateFactory
  let tlsSmtp: InProcessSmtp

  beforeAll(async () => {
    certificates = certificateFactory()
    const cert = certificates.selfSigned("mx.harness.test")
    smtp = await startInProcessSmtp()
    tlsSmtp = await startInProcessSmtp({
      policy: { authRequired: true },
      tls: { cert: readFileSync(cert.certificate), key: readFileSync(cert.key), ciphers: undefined }
    })
  })
  afterAll(async () => {
    await smtp?.stop()
    await tlsSmtp?.stop()
    certificates?.cleanup()
  })

  it("removes the first dot of every data line that starts with one (RFC 5321 §4.5.2)", async () => {
    const client = await greeted(smtp.port)
    client.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<dots@example.com>\r\nDATA\r\n")
    expect([await client.reply(), await client.reply(), await client.reply()].map((r) => r.slice(0, 3))).toEqual(["250", "250", "354"])
    const before = smtp.deliveries.length
    client.send("Subject: dots\r\n\r\n.foo\r\n..bar\r\n...\r\n.\r\n")
    expect(await client.reply()).toMatch(/^250-Ok/)
    expect(mimeOf(smtp, before)).toMatch(/\r\n\r\nfoo\r\n\.bar\r\n\.\.\r\n$/)
    client.close()
  })

  it("refuses a message holding a NUL byte whole, and publishes nothing of it", async () => {
    const client = await greeted(smtp.port)
    const before = smtp.deliveries.length
    client.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<nul@example.com>\r\nDATA\r\n")
    for (let i = 0; i < 3; i++) await client.reply()
    client.send("Subject: nul\r\n\r\nbefore\u0000after\r\n.\r\n")
    expect(await client.reply()).toBe("550 5.6.0 NUL byte in message data not allowed\r\n")
    client.send("NOOP\r\n")
    expect(await client.reply()).toMatch(/^250 /)
    expect(smtp.deliveries.length).toBe(before)
    client.close()
  })

  it("ends DATA only at CRLF.CRLF: a bare-LF dot neither ends it nor smuggles a second message", async () => {
    const client = await greeted(smtp.port)
    const before = smtp.deliveries.length
    client.send("MAIL FROM:<a@example.org>\r\nRCPT TO:<smuggle@example.com>\r\nDATA\r\n")
    for (let i = 0; i < 3; i++) await client.reply()
    client.send("Subject: outer\r\n\r\nx\n.\r\nMAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\ninner\r\n.\r\n")
    expect(await client.reply()).toBe("550 5.6.0 Bare LF or CR in message data not allowed\r\n")
    expect(smtp.deliveries.length).toBe(before)
    client.close()
  })

  it("refuses an address that is not valid UTF-8 under SMTPUTF8 with 501, never publishing U+FFFD", async () => {
    for (const bad of [[0xff, 0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80]]) {
      const client = await greeted(smtp.port)
      const line = Buffer.concat([Buffer.from("MAIL FROM:<"), Buffer.from(bad), Buffer.from("@example.org> SMTPUTF8\r\n")])
      client.send(line)
      expect(await client.reply()).toBe("501 5.5.4 Syntax error: the command is not valid UTF-8\r\n")
      client.close()
    }
    expect(smtp.deliveries.some((d) => Buffer.from(d.body).toString("utf8").includes("\ufffd"))).toBe(false)
  })

  it("answers a pipelined group in order, and DATA with no valid recipients with 503", async () => {
    const client = await greeted(smtp.port)
    client.send("NOOP\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<bad address>\r\nVRFY x\r\nDATA\r\nRSET\r\n")
    const replies = [await client.reply(), await client.reply(), await client.reply(), await client.reply(), await client.reply(), await client.reply()]
    expect(replies.map((r) => r.slice(0, 3))).toEqual(["250", "250", "553", "252", "503", "250"])
    expect(replies[4]).toMatch(/no valid recipients/)
    client.close()
  })

  it("says 'You talk too soon' to a client that sends before the greeting, and closes", async () => {
    const client = await wireClient(smtp.port, "EHLO early.example\r\n")
    expect(await client.reply()).toBe(`421 4.7.0 ${HARNESS_HOSTNAME} You talk too soon\r\n`)
    expect(await client.reply()).toBe("(closed)")
  })

  it("ends a session at its 10th unrecognized command with 421", async () => {
    const client = await wireClient(smtp.port)
    await client.reply()
    client.send("XYZZY\r\n".repeat(10))
    for (let i = 0; i < 9; i++) expect(await client.reply()).toBe("500 5.5.2 Command not recognized\r\n")
    expect(await client.reply()).toMatch(/^421 4\.7\.0 .*Too many unrecognized commands/)
    expect(await client.reply()).toBe("(closed)")
  })

  it("drops what a client pipelines after STARTTLS before the handshake (no command injection)", async () => {
    const client = await greeted(tlsSmtp.port)
    client.send("STARTTLS\r\nNOOP\r\n")
    expect(await client.reply()).toBe("220 2.0.0 Ready to start TLS\r\n")
    await client.startTls()
    client.send("EHLO again.example\r\n")
    const ehlo = await client.reply()
    expect(ehlo).toMatch(/^250-/)
    expect(ehlo).toMatch(/AUTH PLAIN LOGIN/)
    expect(ehlo).not.toMatch(/STARTTLS/)
    client.close()
  })

  it("offers neither AUTH nor takes it before TLS: 538", async () => {
    const client = await wireClient(tlsSmtp.port)
    await client.reply()
    client.send("EHLO plain.example\r\n")
    expect(await client.reply()).not.toMatch(/AUTH/)
    client.send(`AUTH PLAIN ${Buffer.from("\0alice\0right").toString("base64")}\r\n`)
    expect(await client.reply()).toMatch(/^538 5\.7\.11 /)
    client.close()
  })

  it("lets Python's smtplib log in after a refused recipient and RSET (the issue's sequence)", async () => {
    const script = `
import smtplib, ssl, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.starttls(context=ssl._create_unverified_context())
s.ehlo()
print("MAIL", s.mail("sender@example.org"))
print("RCPT", s.rcpt("a@example.com"))
print("RSET", s.rset())
print("LOGIN", s.login("alice", "right"))
s.sendmail("sender@example.org", ["a@example.com"], b"Subject: after login\\r\\n\\r\\nhello\\r\\n")
s.quit()
print("SENT")
`
    const before = tlsSmtp.deliveries.length
    const run = await python(script, tlsSmtp.port)
    expect(run.output).toMatch(/RCPT \(530, b'5\.7\.0 Authentication required'\)/)
    expect(run.output).toMatch(/LOGIN \(235, b'2\.7\.0 Authentication successful'\)/)
    expect(run.output).toMatch(/SENT/)
    expect(run.code).toBe(0)
    expect(tlsSmtp.deliveries.length).toBe(before + 1)
  })

  it("puts a PROXY header's port 0 in the JSON, not the socket's port", async () => {
    const proxied = await startInProcessSmtp({
      proxyRanges: ["127.0.0.1"],
      policy: { allowedRanges: [parseIpRange("192.0.2.0/24")!] }
    })
    try {
      const client = await wireClient(proxied.port, "PROXY TCP4 192.0.2.7 198.51.100.1 0 0\r\n")
      expect(await client.reply()).toMatch(/^220 /)
      client.send("EHLO proxied.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n")
      for (let i = 0; i < 4; i++) await client.reply()
      client.send("Subject: port 0\r\n\r\nx\r\n.\r\n")
      expect(await client.reply()).toMatch(/^250-Ok/)
      client.close()
      const json = JSON.parse(Buffer.from(proxied.deliveries[0]!.body).toString("utf8")) as { connection: Record<string, unknown> }
      expect(json.connection).toMatchObject({ "remote-ip": "192.0.2.7", "remote-port": 0, "local-ip": "198.51.100.1", "local-port": 0 })
    } finally {
      await proxied.stop()
    }
  })

  it("keeps a journal of each session: commands, replies, decisions; no credentials", async () => {
    const client = await greeted(tlsSmtp.port)
    client.send("STARTTLS\r\n")
    await client.reply()
    await client.startTls()
    client.send("EHLO journal.example\r\n")
    await client.reply()
    const secret = Buffer.from("\0alice\0wrong-secret").toString("base64")
    client.send(`AUTH PLAIN ${secret}\r\n`)
    expect(await client.reply()).toMatch(/^535 /)
    client.send("QUIT\r\n")
    await client.reply()
    const [journal] = await tlsSmtp.journals({ client: "127.0.0.1" })
    const text = JSON.stringify(journal)
    expect(text).not.toContain(secret)
    expect(text).not.toContain("wrong-secret")
    const tags = journal!.entries.flatMap((e) => e.events.map((ev) => ev._tag))
    expect(tags).toEqual(["ConnectionAccepted", "Greeted", "TlsStarting", "ConnectionSecured", "Greeted", "AuthStarted", "AuthFailed", "SessionClosed"])
  })
})
