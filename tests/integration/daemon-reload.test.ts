import { once } from "node:events"
import { copyFileSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { connect as connectTcp } from "node:net"
import { join } from "node:path"
import { connect as connectTls } from "node:tls"
import { describe, expect, it } from "vitest"
import { certificateFactory } from "../support/certificates.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { daemonPerTest } from "../support/daemon-hooks.ts"
import { freePort } from "../support/free-port.ts"
import { BROKER_URL, takeMessages } from "../support/rabbit.ts"
import { commandExists, portOpen, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { rawSession } from "../support/smtp-clients.ts"
import { withStartup } from "../support/timing.ts"

const ready = await rabbitAvailable()
const withOpenssl = ready && serviceAvailable("openssl", commandExists("openssl"), "apt-get install -y openssl")
const HOST = "127.0.0.1"
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

type Client = ReturnType<typeof rawSession>

/** Rewrites the daemon's config file: each key given is set to its value, or removed when undefined. */
const editConfig = (daemon: RunningDaemon, changes: Readonly<Record<string, string | number | undefined>>) => {
  const keyOf = (line: string) => line.slice(0, line.indexOf(":")).trim()
  const kept = readFileSync(daemon.configFile, "utf8").split("\n").filter((line) => line !== "" && !(keyOf(line) in changes))
  const set = Object.entries(changes).flatMap(([key, value]) => (value === undefined ? [] : [`${key}: ${value}`]))
  writeFileSync(daemon.configFile, [...kept, ...set].join("\n") + "\n")
}

/** The log lines after `mark` that contain `text`, once there are `count` of them. */
const waitForLines = async (daemon: RunningDaemon, text: string, mark: number, count = 1, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const lines = daemon.logs().slice(mark).filter((line) => line.includes(text))
    if (lines.length >= count) return lines
    if (Date.now() > deadline) throw new Error(`no "${text}" (${count}) in the log within ${timeoutMs} ms:\n${daemon.logs().join("\n")}`)
    await sleep(25)
  }
}

/** SIGHUP, as `systemctl reload` sends it; resolves with every log line of the reload once `count` processes logged `outcome`. */
const reload = async (daemon: RunningDaemon, outcome: "config reloaded" | "config reload refused", count = 1) => {
  const mark = daemon.logs().length
  process.kill(daemon.process.pid!, "SIGHUP")
  await waitForLines(daemon, outcome, mark, count)
  return daemon.logs().slice(mark).filter((line) => line.includes("config reload"))
}

/** A greeted client after EHLO: the EHLO reply. */
const greeted = async (client: Client) => {
  expect(await client.reply()).toMatch(/^220 /)
  return client.command("EHLO reload.example")
}

/** One message over an open session after EHLO; the reply to its end of data. */
const send = async (client: Client, recipient: string, body = "hello") => {
  expect(await client.command("MAIL FROM:<sender@example.org>")).toMatch(/^250 /)
  expect(await client.command(`RCPT TO:<${recipient}>`)).toMatch(/^250 /)
  expect(await client.command("DATA")).toMatch(/^354 /)
  client.send(`Subject: reload\r\n\r\n${body}\r\n.\r\n`)
  return client.reply()
}

const QUEUED = /^250-Ok, your message has been queued/

/** STARTTLS on a new connection: the CN of the certificate the daemon served. */
const starttlsPeer = async (port: number): Promise<unknown> => {
  const socket = connectTcp({ host: HOST, port })
  let buffer = ""
  const onData = (chunk: Buffer) => void (buffer += chunk.toString("latin1"))
  socket.on("data", onData)
  const replyTo = async (line?: string) => {
    if (line !== undefined) socket.write(`${line}\r\n`)
    for (let i = 0; i < 400 && !/^\d{3} .*\r\n/m.test(buffer); i++) await sleep(25)
    const reply = buffer
    buffer = ""
    return reply
  }
  try {
    expect(await replyTo()).toMatch(/^220 /)
    expect(await replyTo("EHLO tls.example")).toMatch(/STARTTLS/)
    expect(await replyTo("STARTTLS")).toMatch(/^220 /)
    socket.off("data", onData)
    const tls = connectTls({ socket, rejectUnauthorized: false })
    await once(tls, "secureConnect")
    const cn = tls.getPeerCertificate().subject?.CN
    tls.destroy()
    return cn
  } finally {
    socket.destroy()
  }
}

describe.runIf(ready)("SIGHUP reloads the config without dropping live sessions", () => {
  const clients: Array<Client> = []
  const client = (port: number) => {
    const opened = rawSession(port)
    clients.push(opened)
    return opened
  }
  const daemons = daemonPerTest({
    stop: async (daemon) => {
      for (const opened of clients.splice(0)) opened.close()
      expect(await daemon?.stop()).toBe(0)
    }
  })

  it("a new smtp-range refuses new connections with 554; a session opened before still queues its message", async () => {
    const inbox = daemons.queue("reload-range")
    const daemon = await daemons.start({ "smtp-ip": HOST, "smtp-range": HOST, "rabbitmq-address": BROKER_URL, "rabbitmq-inbox": inbox })
    const before = client(daemon.port)
    await greeted(before)

    editConfig(daemon, { "smtp-range": "192.0.2.0/24" })
    const logged = await reload(daemon, "config reloaded")
    expect(logged.join("\n")).toContain("applied smtp-range")

    const after = client(daemon.port)
    expect(await after.reply()).toMatch(/^554 5\.7\.1 .*127\.0\.0\.1/)
    expect(await after.reply()).toBe("(closed)")

    expect(await send(before, "before-reload@example.com")).toMatch(QUEUED)
    expect(await before.command("QUIT")).toMatch(/^221 /)
    const messages = await takeMessages(inbox, 1)
    expect(messages.map((m) => m.json.recipient)).toEqual(["before-reload@example.com"])
  })

  it("a new smtp-maxsize is advertised and enforced for new sessions; a session opened before keeps its own", async () => {
    const daemon = await daemons.start({ "smtp-ip": HOST, "smtp-range": HOST, "smtp-maxsize": "10KB" })
    const before = client(daemon.port)
    expect(await greeted(before)).toMatch(/^250[- ]SIZE 10240\r$/m)

    editConfig(daemon, { "smtp-maxsize": "1KB" })
    expect((await reload(daemon, "config reloaded")).join("\n")).toContain("applied smtp-maxsize")

    const after = client(daemon.port)
    const ehlo = await greeted(after)
    expect(ehlo).toMatch(/^250[- ]SIZE 1024\r$/m)
    const twoKb = "x".repeat(70) + "\r\n"
    expect(await send(after, "too-big@example.com", twoKb.repeat(30))).toMatch(/^552 /)
    expect(await send(after, "small@example.com")).toMatch(QUEUED)
    // 2 KB is within the 10 KB the earlier session started with
    expect(await send(before, "started-before@example.com", twoKb.repeat(30))).toMatch(QUEUED)
  })

  it("a config that is not valid is refused with file, line and key; nothing of it applies and the daemon serves on", async () => {
    const daemon = await daemons.start({ "smtp-ip": HOST, "smtp-range": HOST, "smtp-hostname": "mx.before.test" })
    // a valid new range and hostname, and one broken line: nothing may be applied
    editConfig(daemon, { "smtp-range": "192.0.2.0/24", "smtp-hostname": "mx.after.test", "smtp-maxsize": "lots" })
    const lines = readFileSync(daemon.configFile, "utf8").split("\n")
    const brokenLine = lines.findIndex((line) => line.startsWith("smtp-maxsize:")) + 1
    const [refused] = await reload(daemon, "config reload refused")
    expect(refused).toContain(`${daemon.configFile}:${brokenLine}: smtp-maxsize: \\"lots\\" is not valid`)
    expect(refused).toContain("\"level\":\"ERROR\"")

    const after = client(daemon.port)
    expect(await after.reply()).toBe("220 mx.before.test ESMTP\r\n")
    await after.command("EHLO reload.example")
    expect(await send(after, "still-served@example.com")).toMatch(QUEUED)

    // a config file that is gone is refused the same way
    renameSync(daemon.configFile, join(daemon.dir, "moved.conf"))
    const [unreadable] = await reload(daemon, "config reload refused")
    expect(unreadable).toContain(`${daemon.configFile}: cannot read the config file: ENOENT`)
    expect(daemon.process.exitCode).toBeNull()
    const last = client(daemon.port)
    expect(await last.reply()).toBe("220 mx.before.test ESMTP\r\n")
  })

  it("a new smtp-port is named in a warning and the old port kept; the rest of the change still applies", async () => {
    const daemon = await daemons.start({ "smtp-ip": HOST, "smtp-range": HOST, "smtp-hostname": "mx.before.test" })
    const newPort = await freePort()
    editConfig(daemon, { "smtp-port": newPort, "smtp-hostname": "mx.after.test" })
    const logged = await reload(daemon, "config reloaded")
    const warning = logged.find((line) => line.includes("\"level\":\"WARN\""))
    expect(warning).toContain("smtp-port changed but needs a restart")
    expect(logged.join("\n")).toContain("applied smtp-hostname")

    expect(await portOpen(newPort)).toBe(false)
    const after = client(daemon.port)
    expect(await after.reply()).toBe("220 mx.after.test ESMTP\r\n")
  })

  it("smtp-connections-in: a raised limit lets a held connection in at once; a lowered one drops nobody and holds newcomers", async () => {
    const daemon = await daemons.start({ "smtp-ip": HOST, "smtp-range": HOST, "smtp-connections-in": 1, "smtp-timeout": 60 })
    const first = client(daemon.port)
    expect(await first.reply()).toMatch(/^220 /)
    const second = client(daemon.port)
    await expect(second.reply(1_000), "held: no greeting while the only slot is taken").rejects.toThrow(/no reply/)

    editConfig(daemon, { "smtp-connections-in": 2 })
    await reload(daemon, "config reloaded")
    expect(await second.reply()).toMatch(/^220 /)
    expect(first.closed()).toBe(false)

    editConfig(daemon, { "smtp-connections-in": 1 })
    await reload(daemon, "config reloaded")
    // both keep their sessions
    expect(await first.command("NOOP")).toMatch(/^250 /)
    expect(await second.command("NOOP")).toMatch(/^250 /)
    const third = client(daemon.port)
    await expect(third.reply(1_000), "held: two are in, the limit is one").rejects.toThrow(/no reply/)
    first.close()
    await expect(third.reply(1_000), "still held: one is in, none free").rejects.toThrow(/no reply/)
    second.close()
    expect(await third.reply()).toMatch(/^220 /)
  })

  it("smtp-threads: 2: the primary and both workers reload; the primary's budget takes the new limit, the workers the new name", async () => {
    const daemon = await daemons.start(
      { "smtp-ip": HOST, "smtp-range": HOST, "smtp-threads": 2, "smtp-connections-in": 1, "smtp-timeout": 60, "smtp-hostname": "mx.before.test" },
      { waitForListening: 2 }
    )
    const first = client(daemon.port)
    expect(await first.reply()).toBe("220 mx.before.test ESMTP\r\n")
    const second = client(daemon.port)
    await expect(second.reply(1_000), "held: the one slot of the shared budget is taken").rejects.toThrow(/no reply/)

    editConfig(daemon, { "smtp-connections-in": 5, "smtp-hostname": "mx.after.test" })
    const logged = await reload(daemon, "config reloaded", 3)
    expect(logged.filter((line) => line.includes("\"role\":\"primary\"")).length).toBe(1)
    expect(new Set(logged.flatMap((line) => /"worker":(\d+)/.exec(line)?.[1] ?? [])).size).toBe(2)

    // the primary's budget lets the held connection in (under whichever name its worker has at that moment)
    expect(await second.reply()).toMatch(/^220 /)
    // new connections, whichever worker takes them, get the new name
    for (const _ of [1, 2]) {
      const late = client(daemon.port)
      expect(await late.reply()).toBe("220 mx.after.test ESMTP\r\n")
    }
  }, withStartup(60_000))

  it.runIf(withOpenssl)("TLS files that went bad refuse the whole reload: the new smtp-range is not applied either", async () => {
    const certs = certificateFactory("ec")
    try {
      const live = { certificate: join(certs.dir, "live-cert.pem"), key: join(certs.dir, "live-key.pem") }
      certs.install(certs.selfSigned("a.reload.test"), live)
      const daemon = await daemons.start({ "smtp-ip": HOST, "smtp-range": HOST, "smtp-certificate": live.certificate, "smtp-key": live.key })
      copyFileSync(certs.unrelatedKey(), live.key)
      editConfig(daemon, { "smtp-range": "192.0.2.0/24" })
      const [refused] = await reload(daemon, "config reload refused")
      expect(refused).toContain(`smtp-key ${live.key} does not match`)
      expect(await starttlsPeer(daemon.port)).toBe("a.reload.test")

      // with a good pair again, the whole change applies: new certificate, new range
      certs.install(certs.selfSigned("b.reload.test"), live)
      const logged = await reload(daemon, "config reloaded")
      expect(logged.join("\n")).toContain("applied smtp-range")
      expect(daemon.logs().some((line) => line.includes("TLS certificate and key reloaded"))).toBe(true)
      const after = client(daemon.port)
      expect(await after.reply()).toMatch(/^554 /)
    } finally {
      certs.cleanup()
    }
  })
})
