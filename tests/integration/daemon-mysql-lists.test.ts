import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { createConnection } from "mysql2/promise"
import { afterAll, describe, expect, it } from "vitest"
import { CLI, startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { runTracked } from "../support/processes.ts"
import { BROKER_URL, deleteQueues, takeMessages, uniqueQueue } from "../support/rabbit.ts"
import { commandExists, portOpen, rabbitAvailable, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"

const SERVER = "mysql://root@127.0.0.1:3306"
const ready = serviceAvailable("MariaDB (or MySQL) on 127.0.0.1:3306", await portOpen(3306), "apt-get install -y mariadb-server") &&
  (await rabbitAvailable()) && serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

const admin = async (sql: string) => {
  const connection = await createConnection({ uri: SERVER, connectTimeout: 5000 })
  try {
    await connection.query(sql)
  } finally {
    await connection.end()
  }
}

describe.runIf(ready)("database-address: mysql:// (the machine's MariaDB), from the CLI to the daemon", () => {
  const database = `intake_test_${randomBytes(6).toString("hex")}`
  const inbox = uniqueQueue("mysql-inbox")
  const local = uniqueQueue("mysql-local")
  let daemon: RunningDaemon | undefined

  afterAll(async () => {
    await daemon?.stop()
    await deleteQueues(inbox, local)
    await admin(`drop database if exists ${database}`)
  })

  it("a local address added with `smtp-intake local add` into MariaDB routes mail to rabbitmq-local", async () => {
    await admin(`create database ${database}`)
    const config = {
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.0/8",
      "rabbitmq-address": BROKER_URL,
      "rabbitmq-inbox": inbox,
      "rabbitmq-local": local,
      "database-address": `${SERVER}/${database}`
    }
    // the CLI first, as an operator sets up a new node: it migrates the database itself
    const cliConfig = join(mkdtempSync(join(tmpdir(), "smtp-intake-mysql-")), "cli.conf")
    writeFileSync(cliConfig, `database-address: ${SERVER}/${database}\n`)
    const added = await runTracked(process.execPath, [CLI, "--config", cliConfig, "local", "add", "postmaster@intake.test", "exact"])
    expect(added.code, added.stderr).toBe(0)
    const listed = await runTracked(process.execPath, [CLI, "--config", cliConfig, "local", "list"])
    expect(listed.stdout).toBe("postmaster@intake.test\texact\n")
    rmSync(dirname(cliConfig), { recursive: true, force: true })

    daemon = await startDaemon(config)
    const sent = await swaks(daemon.port, ["--from", "s@example.org", "--to", "postmaster@intake.test"])
    expect(sent.code, sent.output).toBe(0)
    const [message] = await takeMessages(local, 1)
    expect(message?.json["message-id"]).toBe(queuedIds(sent.output).get("postmaster@intake.test"))
    expect(message?.json.local).toBe(true)
  })
})
