import { execFileSync } from "node:child_process"
import { mkdtempSync, readdirSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startDaemon } from "../support/daemon.ts"
import type { RunningDaemon } from "../support/daemon.ts"
import { freePort } from "../support/free-port.ts"
import { serviceAvailable } from "../support/services.ts"
import { fillerBody, sendOneMessage } from "../support/smtp-clients.ts"

/** A small tmpfs of the test's own stands for a disk that fills up; mounting one takes root. */
const canMount = (() => {
  if (process.getuid?.() !== 0) return false
  const probe = mkdtempSync(join(tmpdir(), "spool-mount-probe-"))
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe])
    execFileSync("umount", [probe])
    return true
  } catch {
    return false
  } finally {
    rmSync(probe, { recursive: true, force: true })
  }
})()
const ready = serviceAvailable("a tmpfs mount (root)", canMount, "run as root where mount -t tmpfs works")

const MB = 1024 * 1024

const sendMessage = async (port: number, to: string, bytes: number) => (await sendOneMessage(port, to, fillerBody(bytes), 20_000)).reply

describe.runIf(ready)("the embedded spool on a disk that fills up (a 24 MB tmpfs)", () => {
  const disk = mkdtempSync(join(tmpdir(), "spool-full-"))
  let daemon: RunningDaemon
  let api = ""

  beforeAll(async () => {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=24m", "tmpfs", disk])
    const managementPort = await freePort()
    api = `http://127.0.0.1:${managementPort}`
    daemon = await startDaemon({
      "smtp-ip": "127.0.0.1",
      "smtp-range": "127.0.0.1",
      "rabbitmq-inbox": "inbox",
      "embedded-spool-directory": join(disk, "spool"),
      "management-port": managementPort
    })
  })
  afterAll(async () => {
    await daemon?.stop()
    try {
      execFileSync("umount", [disk])
    } finally {
      rmSync(disk, { recursive: true, force: true })
    }
  })

  const readiness = async () => (await fetch(`${api}/readyz`)).status

  it("is ready while there is room, not ready once it runs short, answers 451 when full, and is ready again when emptied", async () => {
    expect(await readiness()).toBe(200)
    expect(await sendMessage(daemon.port, "a@example.com", 5 * MB)).toMatch(/^250-Ok/)
    // 24 MB less one 5 MB message: under the 16 MB the spool keeps in hand
    expect(await sendMessage(daemon.port, "b@example.com", 5 * MB)).toMatch(/^250-Ok/)
    expect(await readiness()).toBe(503)
    let full = ""
    for (let i = 0; i < 6 && !full.startsWith("451"); i++) full = await sendMessage(daemon.port, `c${i}@example.com`, 5 * MB)
    expect(full).toMatch(/^451 4\.3\.0 /)
    expect(await readiness()).toBe(503)
    // the operator moves the spooled messages away
    const inbox = join(disk, "spool", "inbox")
    for (const file of readdirSync(inbox)) rmSync(join(inbox, file))
    expect(await sendMessage(daemon.port, "d@example.com", 1_000)).toMatch(/^250-Ok/)
    expect(await readiness()).toBe(200)
  })
})
