import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fileURLToPath } from "node:url"
import { CLI, startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { freePort } from "../support/free-port.ts"
import { runTracked } from "../support/processes.ts"
import { BROKER_URL, deleteQueues, queueDepth, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import { commandExists, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"
import { daemonPerSuite } from "../support/daemon-hooks.ts"

/** MailerQ's own config for all its parts, ~100 keys written from its docs, as /etc/mailerq/config.txt. */
const MAILERQ_CONFIG = fileURLToPath(new URL("../fixtures/mailerq/config.txt", import.meta.url))

const ready = (await rabbitAvailable()) && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

describe("smtp-intake --check-config on a whole MailerQ's config", () => {
  it("accepts it, names the other parts' keys in one line, and shows every layer's value", async () => {
    const { code, stdout, stderr } = await runTracked(process.execPath, [CLI, "--check-config", "--smtp-maxsize=20MB"], {
      env: { ...process.env, SMTP_INTAKE_CONFIG: MAILERQ_CONFIG, MAILERQ_SMTP_TIMEOUT: "120", MAILERQ_SERVER_ID: "7" }
    })
    expect(code, stderr).toBe(0)
    expect(stdout).toContain(`# ${MAILERQ_CONFIG}: valid`)
    const info = stdout.split("\n").filter((line) => line.startsWith("# info: keys of MailerQ's other parts"))
    expect(info).toHaveLength(1)
    for (const key of ["license", "lock", "server-id", "cluster-address", "storage-address", "www-auth", "dns-min-ttl", "send-log-file"]) {
      expect(info[0]).toContain(key)
    }
    expect(stdout).toMatch(/^smtp-maxsize:\s+20MB$/m) // command line over the file
    expect(stdout).toMatch(/^smtp-timeout:\s+120$/m) // environment over the file
    expect(stdout).toMatch(/^smtp-connections:\s+100$/m) // the file
    expect(stdout).not.toContain("my-password") // smarthost-password: the other parts' values are never shown
    expect(stdout).not.toContain("username:password") // www-auth
  })

  it("says plainly that an empty smtp-range admits no client, and which key opens it", async () => {
    const { code, stdout } = await runTracked(process.execPath, [CLI, "--check-config", "--smtp-range="], {
      env: { ...process.env, SMTP_INTAKE_CONFIG: MAILERQ_CONFIG }
    })
    expect(code).toBe(0)
    expect(stdout).toMatch(/^# warning: smtp-range is empty: no client can connect \(each gets 554\); set smtp-range to the ranges that may/m)
  })

  it("refuses a key MailerQ does not know either, with a did-you-mean", async () => {
    const { code, stderr } = await runTracked(process.execPath, [CLI, "--check-config", "--www-prot=1"], {
      env: { ...process.env, SMTP_INTAKE_CONFIG: MAILERQ_CONFIG }
    })
    expect(code).toBe(1)
    expect(stderr).toContain("command line --www-prot: www-prot: unknown key (MailerQ does not know it either); did you mean --www-port?")
  })
})

describe.runIf(ready)("the daemon on a MailerQ config: default file, --config-file, environment, command line", () => {
  const outbox = uniqueQueue("mq-outbox")
  const local = uniqueQueue("mq-local")
  const reports = uniqueQueue("mq-reports")
  const refused = uniqueQueue("mq-refused")
  let daemon: RunningDaemon
  let port: number

  beforeAll(async () => {
    port = await freePort()
    // the instance file of multiple-instances.md: the keys unique to this instance
    daemon = await startDaemon({
      "rabbitmq-outbox": outbox,
      "rabbitmq-inbox": outbox,
      "rabbitmq-local": local,
      "rabbitmq-reports": reports,
      "rabbitmq-refused": refused,
      "lock": "/tmp/mailerq-instance1.pid",
      "server-id": 1,
      "www-ip": "127.0.0.1",
      "www-host": "mta001.example.com",
      // the broker comes from the environment (MAILERQ_RABBITMQ_ADDRESS), not the embedded spool
      "embedded-spool-directory": ""
    }, {
      args: (file) => ["--config-file", file, `--smtp-port=${port}`],
      env: { SMTP_INTAKE_CONFIG: MAILERQ_CONFIG, MAILERQ_SMTP_HOSTNAME: "mx.mailerq.test", MAILERQ_RABBITMQ_ADDRESS: BROKER_URL }
    })
  })
  afterAll(async () => {
    expect(await daemon?.stop()).toBe(0)
    await deleteQueues(outbox, local, reports, refused)
  })

  it("logs the other parts' keys once, at start", () => {
    const lines = daemon.logs().filter((line) => line.includes("keys of MailerQ's other parts"))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain("www-host")
    expect(lines[0]).toContain("license")
  })

  it("listens on the command line's port and publishes to the instance's queue with the shared file's rules", async () => {
    const sent = await swaks(port, ["--from", "sender@example.org", "--to", "info@example.com", "--body", "migrated"])
    expect(sent.code, sent.output).toBe(0)
    const [id] = queuedIds(sent.output).values()
    const [message] = await takeMessages(outbox, 1)
    expect(message?.json["message-id"]).toBe(id)
    expect(message?.json.hostname).toBe("mx.mailerq.test") // the environment
    expect(message?.json.ips).toEqual(["1.2.3.4", "4.5.6.7"]) // smtp-default-ips of the shared file
  })
})

describe.runIf(ready)("an empty rabbitmq-inbox through the daemon (rabbitmq-config.md: discard what is not local)", () => {
  const suite = daemonPerSuite("discard-outbox", (queue) => ({
    "smtp-ip": "127.0.0.1",
    "smtp-range": "127.0.0.0/8",
    "rabbitmq-address": BROKER_URL,
    "rabbitmq-outbox": queue,
    "rabbitmq-inbox": ""
  }))
  const outbox = suite.queue

  it("warns at start, answers 250 as MailerQ does, logs the discard, and publishes nothing", async () => {
    expect(suite.daemon().logs().some((line) => line.includes("rabbitmq-inbox is empty: mail to non-local recipients is answered 250 and discarded"))).toBe(true)
    const sent = await swaks(suite.daemon().port, ["--from", "a@example.org", "--to", "nobody@example.com"])
    expect(sent.code, sent.output).toBe(0)
    const [id] = queuedIds(sent.output).values()
    expect(await queueDepth(outbox)).toBe(0) // nothing is published before the 250, so nothing can come later
    expect(suite.daemon().logs().some((line) => line.includes("message discarded for non-local recipients") && line.includes(String(id)))).toBe(true)
  })
})
