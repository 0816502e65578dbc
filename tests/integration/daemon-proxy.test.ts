import { connect } from "node:net"
import { connect as tlsConnect } from "node:tls"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { certificateFactory } from "../support/certificates.ts"
import { freePort } from "../support/free-port.ts"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { startHaproxy } from "../support/haproxy.ts"
import type { RunningHaproxy } from "../support/haproxy.ts"
import { encodeProxyV2 } from "../support/proxy-header-encoder.ts"
import { BROKER_URL, deleteQueues, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { python, queuedIds, rawSession, swaks } from "../support/smtp-clients.ts"

const ready = (await rabbitAvailable()) &&
  serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks") &&
  serviceAvailable("haproxy", commandExists("haproxy"), "apt-get install -y haproxy")

/**
 * Loopback stands in for three hosts: the client (127.0.0.7), HAProxy's public address
 * (127.0.0.9) and HAProxy's side towards the daemon (127.0.0.1, the only smtp-proxy peer).
 */
const CLIENT = "127.0.0.7"
const PUBLIC = "127.0.0.9"

const sendThrough = async (port: number, host: string, to: string) => {
  const session = rawSession(port, host, CLIENT)
  const transcript = [await session.reply()]
  for (const line of ["EHLO proxied.example", "MAIL FROM:<p@example.org>", `RCPT TO:<${to}>`, "DATA"]) {
    transcript.push(await session.command(line))
  }
  session.send("Subject: via proxy\r\n\r\nhello\r\n.\r\n")
  transcript.push(await session.reply())
  await session.command("QUIT")
  return transcript.join("")
}

describe.runIf(ready)("the daemon behind a PROXY-protocol proxy", () => {
  const inbox = uniqueQueue("proxy")
  let daemon: RunningDaemon
  let haproxy: RunningHaproxy

  beforeAll(async () => {
    daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-proxy": "127.0.0.1/32",
      // the proxy itself may not send mail; the clients behind it may
      "smtp-range": `${CLIENT}/32;2001:db8::/32`,
      "smtp-mappable-ips": `${PUBLIC}/32`,
      "smtp-default-ips": "192.0.2.1",
      "smtp-timeout": 2,
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
    haproxy = await startHaproxy({ host: "127.0.0.1", port: daemon.port }, PUBLIC)
  })
  afterAll(async () => {
    await haproxy?.stop()
    await daemon?.stop()
    await deleteQueues(inbox)
  })

  for (const version of ["v1", "v2"] as const) {
    it(`takes the client and the address it reached from HAProxy's send-proxy${version === "v2" ? "-v2" : ""} header`, async () => {
      const port = version === "v1" ? haproxy.v1Port : haproxy.v2Port
      const transcript = await sendThrough(port, PUBLIC, `${version}@example.com`)
      expect(transcript).toContain("250-Ok, your message has been queued")
      const [message] = await takeMessages(inbox, 1)
      expect(message?.json.recipient).toBe(`${version}@example.com`)
      expect(message?.json.connection).toMatchObject({ "remote-ip": CLIENT, "local-ip": PUBLIC, "local-port": port })
      // the public address is mappable, so mail is sent out from it
      expect(message?.json.ips).toEqual([PUBLIC])
      expect(message?.json.mime as string).toMatch(/^Received: from proxied\.example \(\[127\.0\.0\.7\]\)/)
    })
  }

  it("works for swaks through HAProxy too", async () => {
    const sent = await swaks(haproxy.v2Port, ["--from", "s@example.org", "--to", "swaks@example.com", "--local-interface", CLIENT], PUBLIC)
    expect(queuedIds(sent.output).size, sent.output).toBe(1)
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json.connection).toMatchObject({ "remote-ip": CLIENT })
  })

  it("applies smtp-range to the client in the header, not to the proxy", async () => {
    const session = rawSession(daemon.port)
    session.send("PROXY TCP4 203.0.113.50 127.0.0.9 40000 25\r\n")
    expect(await session.reply()).toMatch(/^554 5\.7\.1 .*203\.0\.113\.50/)
  })

  it("reads an IPv6 PROXY v1 header and a binary v2 header sent in pieces", async () => {
    const v1 = rawSession(daemon.port)
    v1.send("PROXY TCP6 2001:db8::7 2001:db8::25 40000 25\r\n")
    expect(await v1.reply()).toMatch(/^220 /)
    v1.close()

    const v2 = rawSession(daemon.port)
    const header = encodeProxyV2({
      version: 2, command: "proxy", transport: "tcp4",
      source: { ip: CLIENT, port: 41000 }, destination: { ip: PUBLIC, port: 25 }
    })
    v2.send(Buffer.from(header.subarray(0, 7)).toString("latin1"))
    await new Promise((resolve) => setTimeout(resolve, 100))
    v2.send(Buffer.from(header.subarray(7)).toString("latin1"))
    expect(await v2.reply()).toMatch(/^220 /)
    expect(await v2.command("EHLO pieces.example")).toMatch(/^250-/)
    v2.close()
  })

  it("treats a PROXY line from a peer outside smtp-proxy as a bad SMTP command", async () => {
    const session = rawSession(daemon.port, "127.0.0.1", CLIENT)
    expect(await session.reply()).toMatch(/^220 /)
    expect(await session.command("PROXY TCP4 198.51.100.1 127.0.0.1 1 25")).toMatch(/^5\d\d /)
    expect(await session.command("EHLO still.me")).toMatch(/^250-/)
    session.close()
    const sent = await python(`
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20, source_address=("${CLIENT}", 0))
s.sendmail("direct@example.org", ["direct@example.com"], b"Subject: direct\\r\\n\\r\\nx\\r\\n")
s.quit()
`, daemon.port)
    expect(sent.code, sent.output).toBe(0)
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json.connection).toMatchObject({ "remote-ip": CLIENT, "local-ip": "127.0.0.1" })
  })

  it("closes a proxy connection that starts with anything but a PROXY header, without a greeting", async () => {
    const session = rawSession(daemon.port)
    session.send("EHLO not-a-header\r\n")
    expect(await session.reply()).toBe("(closed)")
  })

  it("closes a proxy connection that sends no header within smtp-timeout", async () => {
    const session = rawSession(daemon.port)
    const started = Date.now()
    expect(await session.reply(6000)).toBe("(closed)")
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500)
  })
})

describe.runIf(ready)("PROXY header in front of implicit TLS", () => {
  const inbox = uniqueQueue("proxytls")
  const certificates = certificateFactory()
  let daemon: RunningDaemon
  let securePort: number

  beforeAll(async () => {
    const cert = certificates.selfSigned("mx.proxy.test")
    securePort = await freePort()
    daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-proxy": "127.0.0.1/32",
      "smtp-range": `${CLIENT}/32`,
      "smtp-certificate": cert.certificate,
      "smtp-key": cert.key,
      "smtp-secure-port": securePort,
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
  })
  afterAll(async () => {
    await daemon?.stop()
    certificates.cleanup()
    await deleteQueues(inbox)
  })

  it("reads the header in clear text, then speaks TLS, and reports the proxied client as secure", async () => {
    const socket = connect({ host: "127.0.0.1", port: securePort })
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()))
    socket.write(`PROXY TCP4 ${CLIENT} ${PUBLIC} 45000 465\r\n`)
    const secure = tlsConnect({ socket, rejectUnauthorized: false })
    const lines: Array<string> = []
    secure.on("data", (chunk: Buffer) => lines.push(chunk.toString()))
    const waitFor = async (pattern: RegExp) => {
      for (let i = 0; i < 100 && !pattern.test(lines.join("")); i++) await new Promise((r) => setTimeout(r, 50))
      expect(lines.join("")).toMatch(pattern)
    }
    await waitFor(/^220 /)
    for (const [command, reply] of [
      ["EHLO tls.behind.proxy", /250 /], ["MAIL FROM:<t@example.org>", /250 2\.1\.0/], ["RCPT TO:<tls@example.com>", /250 2\.1\.5/],
      ["DATA", /354 /]
    ] as const) {
      secure.write(`${command}\r\n`)
      await waitFor(reply)
    }
    secure.write("Subject: tls via proxy\r\n\r\nx\r\n.\r\n")
    await waitFor(/queued using/)
    secure.end("QUIT\r\n")
    const [message] = await takeMessages(inbox, 1)
    expect(message?.json.connection).toMatchObject({ "remote-ip": CLIENT, "local-ip": PUBLIC, "local-port": 465, secure: true })
  })
})
