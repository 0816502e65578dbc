import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { CLI } from "../support/daemon.ts"
import { freePort } from "../support/free-port.ts"
import { startListening } from "../support/listening-daemon.ts"
import { commandExists, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"

const ROOT = new URL("../../", import.meta.url).pathname
const ready = serviceAvailable("swaks", commandExists("swaks"), "apt-get install -y swaks")

describe.runIf(ready)("config/example.conf, as `npm start` runs it", () => {
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-example-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("starts without a broker and puts an accepted message into its embedded spool", async () => {
    // as from a checkout: the example's paths (./var/...) are relative to where it runs
    mkdirSync(join(dir, "config"))
    copyFileSync(join(ROOT, "config/example.conf"), join(dir, "config/example.conf"))
    // its port 2525 may be taken on a shared machine: the environment overrides it, as an operator may
    const port = await freePort()
    const { process: daemon, output } = await startListening("the example daemon", process.execPath, [CLI, "--config", "config/example.conf"], {
      cwd: dir,
      env: { ...process.env, SMTP_INTAKE_SMTP_PORT: String(port) }
    })
    try {
      expect(output()).toContain("accepted messages go to the embedded spool in ./var/spool")
      const sent = await swaks(port, ["--from", "me@example.org", "--to", "you@example.com"])
      expect(sent.code, sent.output).toBe(0)
      const id = queuedIds(sent.output).get("you@example.com")
      expect(readdirSync(join(dir, "var/spool/inbox"))).toEqual([`${id}.json`])
      expect(output()).not.toMatch(/connected to RabbitMQ|cannot reach RabbitMQ/)
    } finally {
      await daemon.stop()
    }
  })
})
