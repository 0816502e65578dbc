import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { commandExists, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"

const ready = serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

describe.runIf(ready)("the daemon without rabbitmq-address: the embedded spool", () => {
  let daemon: RunningDaemon
  beforeAll(async () => {
    daemon = await startDaemon({ "smtp-ip": "127.0.0.1", "smtp-range": "127.0.0.1", "rabbitmq-inbox": "inbox" })
  })
  afterAll(async () => {
    expect(await daemon?.stop()).toBe(0)
  })

  it("writes one JSON file per recipient into embedded-spool-directory/<inbox>/ before answering 250", async () => {
    const sent = await swaks(daemon.port, [
      "--from", "spool@example.org",
      "--to", "one@example.com,two@example.com",
      "--header", "Subject: spooled",
      "--body", "kept on disk"
    ])
    expect(sent.code, sent.output).toBe(0)
    const ids = queuedIds(sent.output)
    expect(ids.size).toBe(2)
    const queueDir = join(daemon.dir, "spool", "inbox")
    expect(readdirSync(queueDir).sort()).toEqual([...ids.values()].map((id) => `${id}.json`).sort())
    for (const [recipient, id] of ids) {
      const json = JSON.parse(readFileSync(join(queueDir, `${id}.json`), "utf8"))
      expect(json).toMatchObject({ "message-id": id, recipient, envelope: "spool@example.org" })
      expect(json.mime).toContain("kept on disk")
    }
  })

  it("logs one structured line per message and per connection", async () => {
    await new Promise((resolve) => setTimeout(resolve, 200))
    const lines = daemon.logs().filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
    const queued = lines.find((l) => l.message === "message queued")
    expect(queued?.annotations).toMatchObject({ client: "127.0.0.1", sender: "spool@example.org", recipients: 2 })
    expect(queued?.annotations.ids.split(",")).toHaveLength(2)
    // DATA-to-250 and the publisher's share of it (here the spool's writes and fsync), to a tenth of a ms
    const { ms, brokerMs } = queued?.annotations as { ms: number; brokerMs: number }
    expect(brokerMs).toBeGreaterThan(0)
    expect(ms).toBeGreaterThanOrEqual(brokerMs)
    const closed = lines.find((l) => l.message === "connection closed")
    expect(closed?.annotations).toMatchObject({ queued: 1, secure: false })
  })
})
