import { connect } from "node:net"
import type { Socket } from "node:net"
import { connect as tlsConnect } from "node:tls"
import { afterAll, describe, expect, it } from "vitest"
import { certificateFactory } from "../support/certificates.ts"
import { daemonPerTest } from "../support/daemon-hooks.ts"
import { freePort } from "../support/free-port.ts"
import { BROKER_URL } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { rawSession } from "../support/smtp-clients.ts"
import { withStartup } from "../support/timing.ts"

const ready = (await rabbitAvailable()) && serviceAvailable("openssl", commandExists("openssl"), "apt-get install -y openssl")

/**
 * A client may reset its connection (TCP RST) at any moment, also before its SMTP session has
 * started: while it is held for a slot in the connection budget, while its PROXY header is read,
 * or while its greeting name is chosen. The daemon must shrug that off, never stop on it: an
 * HAProxy health check does exactly this, and so can anyone who can reach the port.
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const opened = (port: number): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" })
    socket.once("connect", () => resolve(socket))
    socket.once("error", reject)
  })

/** Connects, optionally sends `first`, then resets the connection (RST, not FIN) after `afterMs`. */
const connectAndReset = async (port: number, first: string | undefined, afterMs: number) => {
  const socket = await opened(port)
  socket.on("error", () => {})
  if (first !== undefined) socket.write(first)
  if (afterMs > 0) await sleep(afterMs)
  socket.resetAndDestroy()
}

const stillServes = async (port: number, first?: string) => {
  const client = rawSession(port)
  try {
    if (first !== undefined) client.send(first)
    expect(await client.reply(5_000)).toMatch(/^220 /)
    expect(await client.command("QUIT")).toMatch(/^221 /)
  } finally {
    client.close()
  }
}

describe("clients that reset their connection before the session starts", () => {
  const daemons = daemonPerTest()

  it("held for a slot in the connection budget: the daemon keeps running and serves the next client", async () => {
    const daemon = await daemons.start({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.1", "smtp-connections-in": 1 })
    const holder = rawSession(daemon.port)
    expect(await holder.reply()).toMatch(/^220 /)
    // held: no greeting until the holder leaves; then reset while waiting
    await Promise.all(Array.from({ length: 5 }, () => connectAndReset(daemon.port, undefined, 200)))
    await sleep(300)
    expect(daemon.process.exitCode).toBeNull()
    expect(await holder.command("QUIT")).toMatch(/^221 /)
    holder.close()
    await stillServes(daemon.port)
    expect(daemon.process.exitCode).toBeNull()
  })

  it("from an smtp-proxy peer, at every point around its PROXY header: the daemon keeps running", async () => {
    const daemon = await daemons.start({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.7", "smtp-proxy": "127.0.0.1/32" })
    // A local address not seen before makes the daemon look up its greeting name (reverse DNS),
    // which leaves the socket waiting a while after its header: the reset then lands in that wait.
    const headerTo = (local: string) => `PROXY TCP4 127.0.0.7 ${local} 40000 25\r\n`
    const header = headerTo("127.0.0.1")
    for (let round = 0; round < 20; round++) {
      await Promise.all([
        connectAndReset(daemon.port, undefined, 0),
        connectAndReset(daemon.port, header.slice(0, 10), 0),
        connectAndReset(daemon.port, header, 0),
        connectAndReset(daemon.port, header, 1),
        connectAndReset(daemon.port, headerTo(`127.0.1.${round + 1}`), 1),
        connectAndReset(daemon.port, `${headerTo(`127.0.2.${round + 1}`)}EHLO x\r\n`, 5)
      ])
    }
    await sleep(200)
    expect(daemon.process.exitCode).toBeNull()
    await stillServes(daemon.port, header)
  })

  it("straight after connecting, without a proxy: the daemon keeps running", async () => {
    const daemon = await daemons.start({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.1" })
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 5 }, (_, i) => connectAndReset(daemon.port, i % 2 === 0 ? undefined : "EHLO x\r\n", i % 3)))
    }
    await sleep(200)
    expect(daemon.process.exitCode).toBeNull()
    await stillServes(daemon.port)
  })
})

/** Sends `lines` one at a time, each after the previous reply, then `last` without waiting, then resets. */
const resetDuring = async (port: number, lines: ReadonlyArray<string>, last: string, afterMs: number) => {
  const socket = await opened(port)
  socket.on("error", () => {})
  const replies: Array<string> = []
  let buffer = ""
  socket.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("latin1")
    const complete = buffer.match(/(?:^|\r\n)\d{3} [^\r]*\r\n$/)
    if (complete !== null) {
      replies.push(buffer)
      buffer = ""
    }
  })
  const waitReplies = async (count: number) => {
    for (let waited = 0; replies.length < count && waited < 5_000; waited += 5) await sleep(5)
  }
  await waitReplies(1)
  for (const [i, line] of lines.entries()) {
    socket.write(line)
    await waitReplies(i + 2)
  }
  socket.write(last)
  if (afterMs > 0) await sleep(afterMs)
  socket.resetAndDestroy()
}

describe.runIf(ready)("clients that reset their connection in the middle of a session", () => {
  const daemons = daemonPerTest()
  const certificates = certificateFactory()
  afterAll(() => certificates.cleanup())

  it("at every step, in clear text and in TLS, also while the broker confirms: the daemon keeps running, logs no error and serves the next client", async () => {
    const cert = certificates.selfSigned("mx.resets.test")
    const securePort = await freePort()
    const inbox = daemons.queue("resets")
    const daemon = await daemons.start({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "smtp-secure-port": securePort,
      "smtp-certificate": cert.certificate,
      "smtp-key": cert.key,
      "smtp-auth": "hardcoded://alice:wonder",
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox
    })
    const ehlo = "EHLO resets.example\r\n"
    const transaction = [ehlo, "MAIL FROM:<r@example.org>\r\n", "RCPT TO:<postmaster>\r\n", "DATA\r\n"]
    const steps: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
      [[], "EH"],
      [[ehlo], "MAIL FROM:<r@exa"],
      [[ehlo, "MAIL FROM:<r@example.org>\r\n"], "RCPT TO:<postmaster>\r\n"],
      [transaction, "Subject: cut\r\n\r\nhalf a bo"],
      [transaction, "Subject: cut\r\n\r\nwhole\r\n.\r\n"],
      [[ehlo], "STARTTLS\r\n"],
      [[ehlo], "STARTTLS\r\n\u0016\u0003\u0001\u0000"],
      [[ehlo], "AUTH LOGIN\r\n"]
    ]
    for (let round = 0; round < 5; round++) {
      await Promise.all(steps.flatMap(([lines, last]) => [0, 1, 3].map((afterMs) => resetDuring(daemon.port, lines, last, afterMs))))
      // implicit TLS: reset before, during and after the handshake
      await Promise.all([0, 2, 10].map(async (afterMs) => {
        const tcp = await opened(securePort)
        tcp.on("error", () => {})
        tlsConnect({ socket: tcp, rejectUnauthorized: false }).on("error", () => {})
        await sleep(afterMs)
        tcp.resetAndDestroy()
      }))
    }
    await sleep(300)
    expect(daemon.process.exitCode).toBeNull()
    expect(daemon.logs().filter((line) => /uncaught|Unhandled|"level":"(ERROR|FATAL)"/.test(line))).toEqual([])
    await stillServes(daemon.port)
  }, withStartup(60_000))
})
