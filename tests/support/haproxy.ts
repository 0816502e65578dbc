import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./free-port.ts"
import { spawnTracked } from "./processes.ts"
import { portOpen } from "./services.ts"
import { STARTUP_MS } from "./timing.ts"

export interface RunningHaproxy {
  /** frontend that forwards with `send-proxy` (PROXY v1) */
  readonly v1Port: number
  /** frontend that forwards with `send-proxy-v2` */
  readonly v2Port: number
  readonly stop: () => Promise<void>
}

/**
 * A real HAProxy (Debian package) in TCP mode in front of the daemon, listening on `bindIp`,
 * with one frontend per PROXY protocol version.
 */
export const startHaproxy = async (backend: { host: string; port: number }, bindIp: string): Promise<RunningHaproxy> => {
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-haproxy-"))
  const v1Port = await freePort()
  const v2Port = await freePort()
  const config = join(dir, "haproxy.cfg")
  writeFileSync(config, [
    "global",
    "  maxconn 200",
    "defaults",
    "  mode tcp",
    "  timeout connect 5s",
    "  timeout client 30s",
    "  timeout server 30s",
    "frontend smtp_v1",
    `  bind ${bindIp}:${v1Port}`,
    "  default_backend daemon_v1",
    "frontend smtp_v2",
    `  bind ${bindIp}:${v2Port}`,
    "  default_backend daemon_v2",
    "backend daemon_v1",
    `  server intake ${backend.host}:${backend.port} send-proxy`,
    "backend daemon_v2",
    `  server intake ${backend.host}:${backend.port} send-proxy-v2`,
    ""
  ].join("\n"))
  const haproxy = spawnTracked("haproxy", "haproxy", ["-db", "-f", config])
  const child = haproxy.child
  const output: Array<string> = []
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  const deadline = Date.now() + STARTUP_MS
  while (!(await portOpen(v2Port, bindIp, 200))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await haproxy.kill()
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`haproxy did not open ${bindIp}:${v2Port}:\n${output.join("")}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    v1Port,
    v2Port,
    stop: async () => {
      await haproxy.stop("SIGTERM")
      rmSync(dir, { recursive: true, force: true })
    }
  }
}
