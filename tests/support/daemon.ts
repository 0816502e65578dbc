import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./free-port.ts"

const ROOT = new URL("../../", import.meta.url).pathname
export const CLI = join(ROOT, "infrastructure/bin/smtp-intake.ts")

export interface RunningDaemon {
  readonly port: number
  readonly dir: string
  readonly process: ChildProcess
  /** every line the daemon logged so far */
  readonly logs: () => ReadonlyArray<string>
  readonly stop: () => Promise<number | null>
}

/**
 * Starts the real daemon (the CLI, as an operator runs it) with a temporary config file whose
 * smtp-port is a free port, and waits until it logs that it is listening.
 */
export const startDaemon = async (
  config: Readonly<Record<string, string | number>>,
  options: { readonly env?: Readonly<Record<string, string>> } = {}
): Promise<RunningDaemon> => {
  const port = Number(config["smtp-port"] ?? (await freePort()))
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-test-"))
  const file = join(dir, "test.conf")
  const lines = Object.entries({ "smtp-port": port, "spool-directory": join(dir, "spool"), ...config })
  writeFileSync(file, lines.map(([k, v]) => `${k}: ${v}`).join("\n") + "\n")
  const child = spawn(process.execPath, [CLI, "--config", file], {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const output: Array<string> = []
  const collect = (chunk: Buffer) => output.push(...chunk.toString("utf8").split("\n").filter((l) => l !== ""))
  child.stdout.on("data", collect)
  child.stderr.on("data", collect)
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start:\n${output.join("\n")}`)), 15_000)
    const check = () => {
      if (output.some((l) => l.includes("\"listening\""))) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on("data", check)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`daemon exited with ${code} before listening:\n${output.join("\n")}`))
    })
  })
  return {
    port,
    dir,
    process: child,
    logs: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM")
      const code = await exited
      rmSync(dir, { recursive: true, force: true })
      return code
    }
  }
}
