import { chmodSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { certificateFactory } from "../support/certificates.ts"
import type { CertificateFactory } from "../support/certificates.ts"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { drainQueue } from "../support/fault-tally.ts"
import { freePort } from "../support/free-port.ts"
import { createOwnRabbit, ownRabbitAvailable } from "../support/own-rabbitmq.ts"
import type { OwnRabbit } from "../support/own-rabbitmq.ts"
import { commandExists, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"
import { withStartup } from "../support/timing.ts"

const ready = ownRabbitAvailable() && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

describe.runIf(ready)("rabbitmq-verify: amqps:// to a RabbitMQ node with a self-signed certificate", () => {
  let rabbit: OwnRabbit
  let certificates: CertificateFactory
  let tlsPort: number
  const daemons: Array<RunningDaemon> = []

  beforeAll(async () => {
    certificates = certificateFactory("rsa")
    const { certificate, key } = certificates.selfSigned("localhost")
    // the node runs as the rabbitmq user
    chmodSync(certificates.dir, 0o755)
    for (const file of [certificate, key]) chmodSync(file, 0o644)
    tlsPort = await freePort()
    rabbit = await createOwnRabbit([
      `listeners.ssl.default = 127.0.0.1:${tlsPort}`,
      `ssl_options.certfile = ${certificate}`,
      `ssl_options.keyfile = ${key}`,
      "ssl_options.verify = verify_none",
      "ssl_options.fail_if_no_peer_cert = false"
    ])
    await rabbit.start()
  }, withStartup(30_000))

  afterAll(async () => {
    for (const daemon of daemons) await daemon.stop()
    await rabbit?.dispose()
    certificates?.cleanup()
  })

  const start = async (inbox: string, verify: Readonly<Record<string, string>>) => {
    const daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.0/8",
      "rabbitmq-address": `amqps://guest:guest@localhost:${tlsPort}/`,
      "rabbitmq-inbox": inbox,
      ...verify
    })
    daemons.push(daemon)
    return daemon
  }

  it("by default refuses a broker whose certificate does not verify: 451, and the log says why", async () => {
    const daemon = await start("verified-inbox", {})
    const sent = await swaks(daemon.port, ["--from", "s@example.org", "--to", "r@example.com"])
    expect(sent.output).toMatch(/451 4\.3\.0/)
    expect(daemon.logs().join("\n")).toMatch(/cannot reach RabbitMQ at localhost:\d+: .*(self[- ]signed|certificate)/i)
  })

  it("rabbitmq-verify: false connects over TLS all the same, and the message is queued", async () => {
    const daemon = await start("unverified-inbox", { "rabbitmq-verify": "false" })
    const sent = await swaks(daemon.port, ["--from", "s@example.org", "--to", "r@example.com"])
    expect(sent.code, sent.output).toBe(0)
    const id = queuedIds(sent.output).get("r@example.com")
    expect((await drainQueue(rabbit.url, "unverified-inbox")).map((d) => d.id)).toEqual([id])
  })
})
