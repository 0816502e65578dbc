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
  /** the config file it was started with (a reload test edits it and sends SIGHUP) */
  readonly configFile: string
  readonly process: ChildProcess
  /** every line the daemon logged so far */
  readonly logs: () => ReadonlyArray<string>
  readonly stop: () => Promise<number | null>
}

/** Splits a stream's chunks into lines; a line cut between two chunks is kept until its end arrives. */
const lineCollector = (into: Array<string>) => {
  let partial = ""
  return (chunk: Buffer) => {
    const lines = (partial + chunk.toString("utf8")).split("\n")
    partial = lines.pop() ?? ""
    into.push(...lines.filter((l) => l !== ""))
  }
}

/**
 * Starts the real daemon (the CLI, as an operator runs it) with a temporary config file whose
 * smtp-port is a free port, and waits until it logs that it is listening (with smtp-threads,
 * until `waitForListening` workers have).
 */
export const startDaemon = async (
  config: Readonly<Record<string, string | number>>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly waitForListening?: number } = {}
): Promise<RunningDaemon> => {
  const port = Number(config["smtp-port"] ?? (await freePort()))
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-test-"))
  const file = join(dir, "test.conf")
  const lines = Object.entries({
    "smtp-port": port,
    "spool-directory": join(dir, "spool"),
    "database-address": `sqlite://${join(dir, "intake.db")}`,
    ...config
  })
  writeFileSync(file, lines.map(([k, v]) => `${k}: ${v}`).join("\n") + "\n")
  const child = spawn(process.execPath, [CLI, "--config", file], {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  const output: Array<string> = []
  child.stdout.on("data", lineCollector(output))
  child.stderr.on("data", lineCollector(output))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon did not start:\n${output.join("\n")}`)), 15_000)
    const check = () => {
      if (output.filter((l) => l.includes("\"listening\"")).length >= (options.waitForListening ?? 1)) {
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
    configFile: file,
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
