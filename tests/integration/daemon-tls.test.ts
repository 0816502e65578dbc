import { once } from "node:events"
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { connect as connectTcp } from "node:net"
import type { Socket } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { connect as connectTls, createServer as createTlsServer } from "node:tls"
import type { ConnectionOptions, TLSSocket } from "node:tls"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { certificateFactory } from "../support/certificates.ts"
import type { CertificateFactory, CertificateFiles } from "../support/certificates.ts"
import { CLI, startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { freePort } from "../support/free-port.ts"
import { runTracked, spawnTracked } from "../support/processes.ts"
import { BROKER_URL, deleteQueues, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import type { ConsumedMessage } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { python, queuedIds, swaks } from "../support/smtp-clients.ts"

const ready = (await rabbitAvailable()) &&
  serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks libnet-ssleay-perl") &&
  serviceAvailable("openssl", commandExists("openssl"), "apt-get install -y openssl") &&
  serviceAvailable("python3", commandExists("python3"), "apt-get install -y python3")

const HOST = "127.0.0.1"
const HOSTNAME = "mx.tls.test"

// ---- helpers ----------------------------------------------------------------------------------

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The start of the Received header of a message that came in over TLS (RFC 3848 ESMTPS). */
const receivedOverTls = (helo: string, id: string, recipient: string) =>
  new RegExp(
    `^Received: from ${escape(helo)} \\(\\[127\\.0\\.0\\.1\\]\\)\\r\\n` +
      `\\t\\(using (TLSv1\\.[23]) with cipher ([A-Za-z0-9_-]+)\\)\\r\\n` +
      `\\tby ${escape(HOSTNAME)} with ESMTPS id ${escape(id)}\\r\\n` +
      `\\tfor <${escape(recipient)}>; `
  )

/** The one message a test published: its JSON says it came over TLS on `localPort`, with the id the client was given. */
const expectSecureMessage = async (
  inbox: string,
  expected: { readonly id: string | undefined; readonly recipient: string; readonly helo: string; readonly localPort: number }
): Promise<ConsumedMessage> => {
  expect(expected.id, `no queue id for ${expected.recipient}`).toMatch(/^[A-Za-z0-9_-]{16}$/)
  const [message] = await takeMessages(inbox, 1)
  expect(message, `nothing published for ${expected.recipient}`).toBeDefined()
  const json = message!.json
  expect(json.recipient).toBe(expected.recipient)
  expect(json["message-id"]).toBe(expected.id)
  expect(json.connection).toEqual({
    "local-ip": HOST,
    "local-port": expected.localPort,
    "remote-ip": HOST,
    "remote-port": expect.any(Number),
    secure: true
  })
  expect(json.mime as string).toMatch(receivedOverTls(expected.helo, expected.id!, expected.recipient))
  return message!
}

/** The daemon on HOST as HOSTNAME, serving `files` with STARTTLS on its smtp-port and implicit TLS on `securePort`. */
const startTlsDaemon = (
  securePort: number,
  files: { readonly certificate: string; readonly key: string },
  more: Readonly<Record<string, string>> = {}
): Promise<RunningDaemon> =>
  startDaemon({
    "smtp-ip": HOST,
    "smtp-range": HOST,
    "smtp-hostname": HOSTNAME,
    "smtp-secure-port": securePort,
    "smtp-certificate": files.certificate,
    "smtp-key": files.key,
    ...more
  })

const waitForLog = async (daemon: RunningDaemon, text: string, after = 0, timeoutMs = 5_000): Promise<string> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const line = daemon.logs().slice(after).find((l) => l.includes(text))
    if (line !== undefined) return line
    if (Date.now() > deadline) throw new Error(`the daemon did not log "${text}" within ${timeoutMs} ms:\n${daemon.logs().join("\n")}`)
    await sleep(25)
  }
}

/** Complete SMTP replies (every line up to the one with a space after the code) out of a growing buffer. */
const replyReader = () => {
  let buffer = ""
  let ended = false
  const waiters: Array<() => void> = []
  const wake = () => waiters.splice(0).forEach((w) => w())
  return {
    push: (text: string) => {
      buffer += text
      wake()
    },
    end: () => {
      ended = true
      wake()
    },
    pending: () => buffer,
    reply: async (timeoutMs = 10_000): Promise<string> => {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const m = /^(?:\d{3}-[^\r\n]*\r?\n)*\d{3}(?: [^\r\n]*)?\r?\n/.exec(buffer)
        if (m !== null) {
          buffer = buffer.slice(m[0].length)
          return m[0]
        }
        if (ended) return buffer === "" ? "(closed)" : buffer
        if (Date.now() > deadline) throw new Error(`no reply within ${timeoutMs} ms; have ${JSON.stringify(buffer)}`)
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 50)
        })
      }
    }
  }
}

interface SmtpConnection {
  readonly reply: (timeoutMs?: number) => Promise<string>
  readonly command: (line: string) => Promise<string>
  readonly send: (text: string) => void
  /** the TLS handshake after a 220 to STARTTLS; fails if the server said anything more in plaintext */
  readonly startTls: (options?: ConnectionOptions) => Promise<TLSSocket>
  readonly tls: () => TLSSocket | undefined
  readonly close: () => void
}

/** A raw SMTP conversation that can be upgraded with STARTTLS, or is TLS from the start (implicitTls). */
const openSmtp = async (port: number, implicitTls?: ConnectionOptions): Promise<SmtpConnection> => {
  const reader = replyReader()
  const onData = (chunk: Buffer) => reader.push(chunk.toString("latin1"))
  const onClose = () => reader.end()
  let stream: Socket | TLSSocket
  let secure: TLSSocket | undefined
  const attach = (socket: Socket | TLSSocket) => {
    stream = socket
    socket.on("data", onData)
    socket.on("close", onClose)
    socket.on("error", () => {})
  }
  if (implicitTls === undefined) {
    attach(connectTcp({ host: HOST, port }))
  } else {
    secure = connectTls({ host: HOST, port, rejectUnauthorized: false, ...implicitTls })
    await once(secure, "secureConnect")
    attach(secure)
  }
  return {
    reply: reader.reply,
    command: (line) => {
      stream.write(`${line}\r\n`, "latin1")
      return reader.reply()
    },
    send: (text) => void stream.write(text, "latin1"),
    startTls: async (options = {}) => {
      // Give a server that wrongly answers pipelined plaintext a moment to show it.
      await sleep(100)
      if (reader.pending() !== "") throw new Error(`plaintext after the 220 to STARTTLS: ${JSON.stringify(reader.pending())}`)
      const raw = stream
      raw.off("data", onData)
      raw.off("close", onClose)
      const upgraded = connectTls({ socket: raw, rejectUnauthorized: false, ...options })
      upgraded.on("error", () => {})
      await once(upgraded, "secureConnect")
      secure = upgraded
      attach(upgraded)
      return upgraded
    },
    tls: () => secure,
    close: () => stream.destroy()
  }
}

type Handshake =
  | { readonly ok: true; readonly protocol: string | null; readonly cipher: string; readonly cn: unknown }
  | { readonly ok: false; readonly error: string }

/** One TLS handshake on an implicit-TLS port: what was negotiated and whose certificate it was, or why it failed. */
const handshake = (port: number, options: ConnectionOptions = {}): Promise<Handshake> =>
  new Promise((resolve) => {
    const socket = connectTls({ host: HOST, port, rejectUnauthorized: false, ...options })
    const timer = setTimeout(() => finish({ ok: false, error: "timeout" }), 5_000)
    const finish = (result: Handshake) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(result)
    }
    socket.once("secureConnect", () =>
      finish({ ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name, cn: socket.getPeerCertificate().subject?.CN }))
    socket.once("error", (error) => finish({ ok: false, error: error.message }))
    socket.once("close", () => finish({ ok: false, error: "closed" }))
  })

/** STARTTLS on a plain port, then the same report as `handshake`. */
const starttlsHandshake = async (port: number, options: ConnectionOptions = {}): Promise<Handshake> => {
  const client = await openSmtp(port)
  try {
    await client.reply()
    await client.command("EHLO probe.example")
    const started = await client.command("STARTTLS")
    if (!started.startsWith("220 ")) return { ok: false, error: `STARTTLS answered ${started}` }
    const socket = await client.startTls(options)
    return { ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name, cn: socket.getPeerCertificate().subject?.CN }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) }
  } finally {
    client.close()
  }
}

/** Sends one message over an open, greeted connection and returns the 250 reply. */
const sendMessage = async (client: SmtpConnection, from: string, to: string, subject: string): Promise<string> => {
  expect(await client.command(`MAIL FROM:<${from}>`)).toMatch(/^250 /)
  expect(await client.command(`RCPT TO:<${to}>`)).toMatch(/^250 /)
  expect(await client.command("DATA")).toMatch(/^354 /)
  client.send(`Subject: ${subject}\r\n\r\nsent over TLS\r\n.\r\n`)
  return client.reply()
}

/**
 * `openssl s_client` driven line by line: each line is sent only after the reply to the previous
 * one arrived (s_client -quiet prints the server's replies, and nothing else, to stdout).
 */
const sClient = (args: ReadonlyArray<string>) => {
  const run = spawnTracked("openssl s_client", "openssl", ["s_client", ...args, "-crlf", "-quiet", "-nocommands"], { stdin: "pipe" })
  const child = run.child
  const stdin = child.stdin!
  const reader = replyReader()
  let stderr = ""
  child.stdout.on("data", (chunk: Buffer) => reader.push(chunk.toString("latin1")))
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  const exited = run.exited.then(({ code }) => code)
  void exited.then(() => reader.end())
  return {
    reply: reader.reply,
    command: (line: string) => {
      stdin.write(`${line}\n`)
      return reader.reply()
    },
    send: (text: string) => void stdin.write(text),
    stderr: () => stderr,
    finish: async (): Promise<number | null> => {
      stdin.end()
      const timer = setTimeout(() => void run.kill(), 5_000)
      const code = await exited
      clearTimeout(timer)
      return code
    }
  }
}

/** EHLO, one message and QUIT through s_client, once the TLS session is up (and, on a secure port, the 220 read). */
const sClientTransaction = async (client: ReturnType<typeof sClient>, recipient: string) => {
  const ehlo = await client.command("EHLO openssl.example")
  expect(ehlo, client.stderr()).toMatch(/^250-mx\.tls\.test /)
  expect(ehlo).not.toContain("STARTTLS")
  expect(await client.command("MAIL FROM:<openssl@example.org>")).toMatch(/^250 /)
  expect(await client.command(`RCPT TO:<${recipient}>`)).toMatch(/^250 /)
  expect(await client.command("DATA")).toMatch(/^354 /)
  client.send("Subject: via openssl s_client\n\nencrypted all the way\n.\n")
  const queued = await client.reply()
  expect(queued).toMatch(/^250-Ok, your message has been queued using the following identifiers:\r?\n/)
  expect(await client.command("QUIT")).toMatch(/^221 /)
  expect(await client.finish()).toBe(0)
  return queuedIds(queued).get(recipient)
}

// ---- the tests --------------------------------------------------------------------------------

describe.runIf(ready)("TLS with real clients: STARTTLS, implicit TLS, ciphers, start-up checks, reload", () => {
  // made in beforeAll, so that a machine without openssl skips (or, under CI, fails) like the other services
  let certs: CertificateFactory
  let main: CertificateFiles
  const inbox = uniqueQueue("tls")
  const reloadInbox = uniqueQueue("tls-reload")
  let daemon: RunningDaemon
  let securePort: number

  beforeAll(async () => {
    certs = certificateFactory("ec")
    main = certs.selfSigned(HOSTNAME)
    securePort = await freePort()
    daemon = await startTlsDaemon(securePort, main, { "rabbitmq-address": BROKER_URL, "rabbitmq-inbox": inbox })
  })
  afterAll(async () => {
    expect(await daemon?.stop()).toBe(0)
    await deleteQueues(inbox, reloadInbox)
    certs?.cleanup()
  })

  describe("openssl s_client", () => {
    it("STARTTLS: verifies our certificate for mx.tls.test, queues the message, and the JSON says it came over TLS", async () => {
      const client = sClient([
        "-starttls", "smtp", "-connect", `${HOST}:${daemon.port}`,
        "-CAfile", main.certificate, "-verify_hostname", HOSTNAME, "-verify_return_error"
      ])
      const id = await sClientTransaction(client, "openssl-starttls@example.com")
      expect(client.stderr()).toMatch(/verify return:1/)
      const message = await expectSecureMessage(inbox, { id, recipient: "openssl-starttls@example.com", helo: "openssl.example", localPort: daemon.port })
      expect(message.json.mime as string).toMatch(/\(using TLSv1\.3 with cipher TLS_AES_\d+_GCM_SHA\d+\)/)
    })

    it("implicit TLS on smtp-secure-port: greeting over TLS, message queued, JSON secure", async () => {
      const client = sClient([
        "-connect", `${HOST}:${securePort}`,
        "-CAfile", main.certificate, "-verify_hostname", HOSTNAME, "-verify_return_error"
      ])
      expect(await client.reply()).toBe(`220 ${HOSTNAME} ESMTP\r\n`)
      const id = await sClientTransaction(client, "openssl-implicit@example.com")
      await expectSecureMessage(inbox, { id, recipient: "openssl-implicit@example.com", helo: "openssl.example", localPort: securePort })
    })
  })

  describe("swaks", () => {
    it("--tls (STARTTLS on smtp-port): queued, JSON secure", async () => {
      const sent = await swaks(daemon.port, ["--tls", "--helo", "swaks.example", "--from", "swaks@example.org", "--to", "swaks-starttls@example.com"])
      expect(sent.code, sent.output).toBe(0)
      expect(sent.output).toMatch(/^ -> STARTTLS$/m)
      expect(sent.output).toMatch(/^<-  220 /m)
      // swaks marks what it sent and received inside TLS with ~> and <~
      expect(sent.output).toMatch(/^<~  250-Ok, your message has been queued using the following identifiers:$/m)
      await expectSecureMessage(inbox, {
        id: queuedIds(sent.output).get("swaks-starttls@example.com"),
        recipient: "swaks-starttls@example.com",
        helo: "swaks.example",
        localPort: daemon.port
      })
    })

    it("--tlsc (implicit TLS on smtp-secure-port): queued, JSON secure", async () => {
      const sent = await swaks(securePort, ["--tlsc", "--helo", "swaks.example", "--from", "swaks@example.org", "--to", "swaks-implicit@example.com"])
      expect(sent.code, sent.output).toBe(0)
      expect(sent.output).toMatch(/^<~  220 mx\.tls\.test ESMTP$/m)
      expect(sent.output).toMatch(/^<~  250-Ok, your message has been queued using the following identifiers:$/m)
      await expectSecureMessage(inbox, {
        id: queuedIds(sent.output).get("swaks-implicit@example.com"),
        recipient: "swaks-implicit@example.com",
        helo: "swaks.example",
        localPort: securePort
      })
    })
  })

  describe("Python smtplib", () => {
    const script = (connect: string, recipient: string) => `
import hashlib, smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
${connect}
s.ehlo("python.example")
print("version:", s.sock.version())
print("fingerprint:", hashlib.sha256(s.sock.getpeercert(binary_form=True)).hexdigest())
print("mail:", s.mail("py@example.org"))
print("rcpt:", s.rcpt("${recipient}"))
code, reply = s.data(b"Subject: from python\\r\\n\\r\\nhello over TLS\\r\\n")
print("data:", code, reply.decode())
s.quit()
`
    const fingerprint = (output: string) => /^fingerprint: ([0-9a-f]{64})$/m.exec(output)?.[1]
    const ourFingerprint = () => main.fingerprint256.replace(/:/g, "").toLowerCase()
    const queuedId = (output: string, recipient: string) => new RegExp(`^(\\S{16}) for ${escape(recipient)}$`, "m").exec(output)?.[1]

    it("starttls(): queued, served our certificate, JSON secure", async () => {
      const sent = await python(script(`
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
s.ehlo("python.example")
assert s.has_extn("starttls"), "no STARTTLS in EHLO"
print("starttls:", s.starttls(context=ctx))`, "py-starttls@example.com"), daemon.port)
      expect(sent.code, sent.output).toBe(0)
      expect(sent.output).toMatch(/^starttls: \(220, /m)
      expect(sent.output).toMatch(/^data: 250 Ok, your message has been queued/m)
      expect(fingerprint(sent.output)).toBe(ourFingerprint())
      await expectSecureMessage(inbox, {
        id: queuedId(sent.output, "py-starttls@example.com"),
        recipient: "py-starttls@example.com",
        helo: "python.example",
        localPort: daemon.port
      })
    })

    it("SMTP_SSL: queued, served our certificate, JSON secure", async () => {
      const sent = await python(script(`
s = smtplib.SMTP_SSL("127.0.0.1", int(sys.argv[1]), context=ctx, timeout=20)`, "py-implicit@example.com"), securePort)
      expect(sent.code, sent.output).toBe(0)
      expect(sent.output).toMatch(/^data: 250 Ok, your message has been queued/m)
      expect(fingerprint(sent.output)).toBe(ourFingerprint())
      await expectSecureMessage(inbox, {
        id: queuedId(sent.output, "py-implicit@example.com"),
        recipient: "py-implicit@example.com",
        helo: "python.example",
        localPort: securePort
      })
    })
  })

  describe("STARTTLS in the session (RFC 3207)", () => {
    it("is advertised on the plain port (AUTH is not), and no longer after the upgrade or on the secure port", async () => {
      const client = await openSmtp(daemon.port)
      expect(await client.reply()).toBe(`220 ${HOSTNAME} ESMTP\r\n`)
      const before = await client.command("EHLO probe.example")
      expect(before).toMatch(/^250[ -]STARTTLS\r$/m)
      expect(before).not.toMatch(/AUTH/)
      expect(await client.command("STARTTLS")).toMatch(/^220 /)
      const socket = await client.startTls({ ca: main.pem, servername: HOSTNAME, rejectUnauthorized: true })
      expect(socket.authorized).toBe(true)
      const after = await client.command("EHLO probe.example")
      expect(after).toMatch(/^250-mx\.tls\.test /)
      expect(after).not.toMatch(/STARTTLS|AUTH/)
      expect(await client.command("STARTTLS")).toMatch(/^503 /)
      client.close()

      const implicit = await openSmtp(securePort, { ca: main.pem, servername: HOSTNAME, rejectUnauthorized: true })
      expect(await implicit.reply()).toBe(`220 ${HOSTNAME} ESMTP\r\n`)
      expect(await implicit.command("EHLO probe.example")).not.toMatch(/STARTTLS|AUTH/)
      implicit.close()
    })

    it("discards commands pipelined behind STARTTLS in plaintext (CVE-2011-0411): the injected MAIL never happened", async () => {
      const client = await openSmtp(daemon.port)
      await client.reply()
      await client.command("EHLO x")
      client.send("STARTTLS\r\nMAIL FROM:<evil@example.org>\r\n")
      expect(await client.reply()).toMatch(/^220 /)
      await client.startTls() // fails if the injected MAIL was answered in plaintext
      // the first reply inside TLS is the one to our EHLO, not one to the injected MAIL
      expect(await client.command("EHLO x")).toMatch(/^250-mx\.tls\.test /)
      expect(await client.command("RCPT TO:<victim@example.com>")).toMatch(/^503 /)
      expect(await client.command("DATA")).toMatch(/^503 /)
      expect(await client.command("QUIT")).toMatch(/^221 /)
      expect(await client.reply()).toBe("(closed)") // and no reply left over
      client.close()
      const published = await takeMessages(inbox, 1, 500)
      expect(published.map((m) => m.json)).toEqual([])
    })

    it("forgets a transaction begun before STARTTLS, and a new one over TLS works", async () => {
      const client = await openSmtp(daemon.port)
      await client.reply()
      await client.command("EHLO client.example")
      expect(await client.command("MAIL FROM:<before-tls@example.org>")).toMatch(/^250 /)
      expect(await client.command("STARTTLS")).toMatch(/^220 /)
      await client.startTls()
      // RFC 3207 §4.2: nothing from before the handshake counts, neither the MAIL nor the EHLO
      expect(await client.command("RCPT TO:<victim2@example.com>")).toMatch(/^503 /)
      expect(await client.command("MAIL FROM:<no-ehlo@example.org>")).toMatch(/^503 /)
      expect(await client.command("EHLO client.example")).toMatch(/^250-mx\.tls\.test /)
      expect(await client.command("RCPT TO:<victim2@example.com>")).toMatch(/^503 /)
      // not "nested MAIL": the session behind smtp-server was reset as well
      const queued = await sendMessage(client, "after-tls@example.org", "after-tls@example.com", "after STARTTLS")
      expect(queued).toMatch(/^250-Ok, your message has been queued/)
      client.close()
      const message = await expectSecureMessage(inbox, {
        id: queuedIds(queued).get("after-tls@example.com"),
        recipient: "after-tls@example.com",
        helo: "client.example",
        localPort: daemon.port
      })
      expect(message.json.envelope).toBe("after-tls@example.org")
    })
  })

  describe("protocol versions", () => {
    const tls11: ConnectionOptions = { minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT@SECLEVEL=0" }
    let legacy: RunningDaemon
    let legacySecurePort: number

    beforeAll(async () => {
      // An operator who opens the cipher list up completely (security level 0) still gets no TLS < 1.2.
      legacySecurePort = await freePort()
      legacy = await startTlsDaemon(legacySecurePort, main, { "smtp-ciphers": "DEFAULT@SECLEVEL=0" })
    })
    afterAll(async () => {
      expect(await legacy?.stop()).toBe(0)
    })

    it("the TLS 1.1 client is a willing one: a server that allows TLS 1.1 gets a handshake", async () => {
      const server = createTlsServer({ key: readFileSync(main.key), cert: main.pem, minVersion: "TLSv1", ciphers: "DEFAULT@SECLEVEL=0" }, (s) => s.end())
      server.listen(0, HOST)
      await once(server, "listening")
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      try {
        expect(await handshake(port, tls11)).toMatchObject({ ok: true, protocol: "TLSv1.1" })
      } finally {
        server.close()
      }
    })

    it("refuses TLS 1.0/1.1 on the secure port and on STARTTLS, even with smtp-ciphers at security level 0; TLS 1.2 works", async () => {
      for (const port of [securePort, legacySecurePort]) {
        const refused = await handshake(port, tls11)
        expect(refused.ok, `TLS 1.1 accepted on ${port}`).toBe(false)
        expect(await handshake(port, { ...tls11, maxVersion: "TLSv1" })).toMatchObject({ ok: false })
        expect(await handshake(port, { maxVersion: "TLSv1.2" })).toMatchObject({ ok: true, protocol: "TLSv1.2", cn: HOSTNAME })
      }
      expect(await starttlsHandshake(legacy.port, tls11)).toMatchObject({ ok: false })
      expect(await starttlsHandshake(legacy.port, { maxVersion: "TLSv1.2" })).toMatchObject({ ok: true, protocol: "TLSv1.2" })
    })
  })

  describe("smtp-ciphers", () => {
    const only = "ECDHE-ECDSA-AES256-GCM-SHA384"
    const other = "ECDHE-ECDSA-AES128-GCM-SHA256"
    const cipherInbox = uniqueQueue("tls-ciphers")
    let restricted: RunningDaemon
    let restrictedSecurePort: number

    beforeAll(async () => {
      restrictedSecurePort = await freePort()
      restricted = await startTlsDaemon(restrictedSecurePort, main, {
        "smtp-ciphers": only,
        "rabbitmq-address": BROKER_URL,
        "rabbitmq-inbox": cipherInbox
      })
    })
    afterAll(async () => {
      expect(await restricted?.stop()).toBe(0)
      await deleteQueues(cipherInbox)
    })

    it("a TLS 1.2 client negotiates exactly the configured cipher, and the Received header names it", async () => {
      expect(await starttlsHandshake(restricted.port, { maxVersion: "TLSv1.2" })).toMatchObject({ ok: true, protocol: "TLSv1.2", cipher: only })
      const client = await openSmtp(restrictedSecurePort, { maxVersion: "TLSv1.2" })
      const cipher = client.tls()!.getCipher()
      expect(cipher.name).toBe(only)
      await client.reply()
      await client.command("EHLO cipher.example")
      const queued = await sendMessage(client, "c@example.org", "cipher@example.com", "one cipher")
      client.close()
      const message = await expectSecureMessage(cipherInbox, {
        id: queuedIds(queued).get("cipher@example.com"),
        recipient: "cipher@example.com",
        helo: "cipher.example",
        localPort: restrictedSecurePort
      })
      const [, version, named] = receivedOverTls("cipher.example", message.json["message-id"] as string, "cipher@example.com").exec(message.json.mime as string)!
      expect(version).toBe("TLSv1.2")
      expect([cipher.name, cipher.standardName]).toContain(named)
    })

    it("a TLS 1.2 client offering only another cipher gets no handshake (the same client does on the default list)", async () => {
      const otherOnly: ConnectionOptions = { maxVersion: "TLSv1.2", ciphers: other }
      expect(await handshake(securePort, otherOnly)).toMatchObject({ ok: true, cipher: other })
      expect(await handshake(restrictedSecurePort, otherOnly)).toMatchObject({ ok: false })
      expect(await starttlsHandshake(restricted.port, otherOnly)).toMatchObject({ ok: false })
    })
  })

  describe("start-up checks of the certificate and key", () => {
    let dir: string
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "smtp-intake-tls-cli-"))
    })
    afterAll(() => rmSync(dir, { recursive: true, force: true }))

    const start = async (name: string, tls: Readonly<Record<string, string>>) => {
      const file = join(dir, `${name}.conf`)
      const lines = {
        "smtp-ip": HOST,
        "smtp-port": String(await freePort()),
        "smtp-range": HOST,
        "embedded-spool-directory": join(dir, "spool"),
        ...tls
      }
      writeFileSync(file, Object.entries(lines).map(([k, v]) => `${k}: ${v}`).join("\n") + "\n")
      const { code, stdout, stderr } = await runTracked(process.execPath, [CLI, "--config", file])
      return { code: code ?? -1, stdout, stderr }
    }
    const expectRefused = (result: { code: number; stdout: string; stderr: string }, ...mentions: ReadonlyArray<string>) => {
      expect(result.code, result.stderr).toBe(1)
      expect(result.stdout).not.toContain("\"listening\"")
      for (const text of mentions) expect(result.stderr).toContain(text)
      expect(result.stderr.trim().split("\n")).toHaveLength(1)
    }

    it("a missing certificate file: exit 1, the file named", async () => {
      const missing = join(dir, "no-such-cert.pem")
      expectRefused(await start("missing", { "smtp-certificate": missing, "smtp-key": main.key }), "smtp-certificate", missing)
    })

    it("a key that is not the certificate's: exit 1, says it does not match, names the key file", async () => {
      const stranger = certs.unrelatedKey()
      expectRefused(await start("mismatch", { "smtp-certificate": main.certificate, "smtp-key": stranger }), "does not match", stranger)
    })

    it("a certificate file that is not a certificate: exit 1, the file named", async () => {
      const garbage = join(dir, "garbage.pem")
      writeFileSync(garbage, "this is not a certificate\n")
      expectRefused(await start("garbage", { "smtp-certificate": garbage, "smtp-key": main.key }), "smtp-certificate", garbage)
    })

    it("a key file that is not a key, and smtp-ciphers that select nothing: exit 1, each named", async () => {
      const garbage = join(dir, "garbage-key.pem")
      writeFileSync(garbage, "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
      const [badKey, badCiphers] = await Promise.all([
        start("garbage-key", { "smtp-certificate": main.certificate, "smtp-key": garbage }),
        start("ciphers", { "smtp-certificate": main.certificate, "smtp-key": main.key, "smtp-ciphers": "NO-SUCH-CIPHER" })
      ])
      expectRefused(badKey, "smtp-key", garbage)
      expectRefused(badCiphers, "smtp-ciphers", "NO-SUCH-CIPHER")
    })
  })

  describe("reload on SIGHUP", () => {
    let a: CertificateFiles
    let b: CertificateFiles
    let live: { readonly certificate: string; readonly key: string }
    let reloading: RunningDaemon
    let reloadingSecurePort: number

    beforeAll(async () => {
      a = certs.selfSigned("a.tls.test")
      b = certs.selfSigned("b.tls.test")
      live = { certificate: join(certs.dir, "live-cert.pem"), key: join(certs.dir, "live-key.pem") }
      certs.install(a, live)
      reloadingSecurePort = await freePort()
      reloading = await startTlsDaemon(reloadingSecurePort, live, { "rabbitmq-address": BROKER_URL, "rabbitmq-inbox": reloadInbox })
    })
    afterAll(async () => {
      expect(await reloading?.stop()).toBe(0)
    })

    it("new handshakes get the renewed certificate, a session opened before keeps going; a bad pair is refused and the old one kept", async () => {
      expect(await handshake(reloadingSecurePort)).toMatchObject({ ok: true, cn: "a.tls.test" })

      const old = await openSmtp(reloading.port)
      await old.reply()
      await old.command("EHLO old.example")
      expect(await old.command("STARTTLS")).toMatch(/^220 /)
      const oldSocket = await old.startTls()
      expect(oldSocket.getPeerCertificate().subject?.CN).toBe("a.tls.test")
      await old.command("EHLO old.example")

      certs.install(b, live)
      let mark = reloading.logs().length
      process.kill(reloading.process.pid!, "SIGHUP")
      const reloaded = await waitForLog(reloading, "TLS certificate and key reloaded", mark)
      expect(reloaded).toContain(live.certificate)

      expect(await handshake(reloadingSecurePort)).toMatchObject({ ok: true, cn: "b.tls.test" })
      // with SNI too, and it verifies against B
      expect(await handshake(reloadingSecurePort, { servername: "b.tls.test", ca: b.pem, rejectUnauthorized: true }))
        .toMatchObject({ ok: true, cn: "b.tls.test" })
      expect(await starttlsHandshake(reloading.port, { servername: HOSTNAME })).toMatchObject({ ok: true, cn: "b.tls.test" })

      const queued = await sendMessage(old, "old@example.org", "old-session@example.com", "after the reload")
      expect(queued).toMatch(/^250-Ok, your message has been queued/)
      expect(await old.command("QUIT")).toMatch(/^221 /)
      old.close()
      await expectSecureMessage(reloadInbox, {
        id: queuedIds(queued).get("old-session@example.com"),
        recipient: "old-session@example.com",
        helo: "old.example",
        localPort: reloading.port
      })

      const stranger = certs.unrelatedKey()
      copyFileSync(stranger, live.key)
      mark = reloading.logs().length
      process.kill(reloading.process.pid!, "SIGHUP")
      const refused = await waitForLog(reloading, "config reload refused", mark)
      expect(refused).toContain("does not match")
      expect(refused).toContain(live.key)
      expect(reloading.process.exitCode).toBeNull()
      expect(await handshake(reloadingSecurePort)).toMatchObject({ ok: true, cn: "b.tls.test" })
      expect(await starttlsHandshake(reloading.port)).toMatchObject({ ok: true, cn: "b.tls.test" })
    })

    it("a daemon without TLS is not killed by SIGHUP (logrotate and `systemctl reload` send it)", async () => {
      const plain = await startDaemon({ "smtp-ip": HOST, "smtp-range": HOST, "smtp-hostname": HOSTNAME })
      try {
        process.kill(plain.process.pid!, "SIGHUP")
        await sleep(300)
        expect(plain.process.exitCode, plain.logs().join("\n")).toBeNull()
        expect(plain.process.signalCode).toBeNull()
        const client = await openSmtp(plain.port)
        expect(await client.reply()).toBe(`220 ${HOSTNAME} ESMTP\r\n`)
        client.close()
      } finally {
        await plain.stop()
      }
    })
  })
})
