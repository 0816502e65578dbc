import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { stopOnExit } from "./on-exit.ts"
import { childrenOf } from "./cpu-time.ts"

/** The built command (`npm run build`), what `npm start` and an installed smtp-intake run. */
export const BUILT_CLI = new URL("../../dist/bin/smtp-intake.js", import.meta.url).pathname

/** The V8 flags every way of starting the daemon passes (the command's first line, `npm start`, deploy/). */
export const DAEMON_FLAGS = ["--max-semi-space-size=4"]

/** Builds dist/ from the sources in this checkout, so the bench measures what they are now. */
export const buildCommand = (): void => {
  execFileSync(process.execPath, [new URL("../build.ts", import.meta.url).pathname], { stdio: "inherit" })
}

/** Enough descriptors for 10,000 idle clients and then some; the hard limit caps what we get. */
const WANTED_FILES = 65536

/** One message's DATA-to-250 time and the broker's share of it (its confirms), ms. */
export interface QueuedTiming {
  readonly ms: number
  readonly brokerMs: number
}

export interface BenchDaemon {
  readonly pid: number
  readonly port: number
  /** the `ms` and `brokerMs` of every "message queued" line since the last call, then forgets them */
  readonly takeQueued: () => Array<QueuedTiming>
  /** VmRSS from /proc/<pid>/status, in bytes */
  readonly rssBytes: () => number
  /** the same for the process and its children (smtp-threads: the workers) */
  readonly treeRssBytes: () => number
  /** the open-files limit the daemon runs with */
  readonly fileLimit: () => number
  readonly stop: () => Promise<number | null>
}

/**
 * The real daemon, started the way an operator would (the CLI with a config file), behind a shell
 * that raises its open-files limit first (`ulimit -n`, as far as the hard limit allows).
 */
export const startBenchDaemon = async (
  config: Readonly<Record<string, string | number>>,
  /** how many "listening" lines mean it is up (smtp-threads: one per worker) */
  listeners = 1
): Promise<BenchDaemon> => {
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-bench-"))
  const file = join(dir, "bench.conf")
  const lines = Object.entries({
    ...(config["rabbitmq-address"] === undefined ? { "embedded-spool-directory": join(dir, "spool") } : {}),
    "database-address": `sqlite://${join(dir, "intake.db")}`,
    ...config
  })
  writeFileSync(file, lines.map(([key, value]) => `${key}: ${value}`).join("\n") + "\n")
  const script = `ulimit -n ${WANTED_FILES} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`
  const child = stopOnExit(spawn("sh", ["-c", script, process.execPath, ...DAEMON_FLAGS, BUILT_CLI, "--config", file], { stdio: ["ignore", "pipe", "pipe"] }))
  const queued: Array<QueuedTiming> = []
  const output: Array<string> = []
  let partial = ""
  let listening = 0
  child.stdout.on("data", (chunk: Buffer) => {
    const text = partial + chunk.toString("utf8")
    const parts = text.split("\n")
    partial = parts.pop() ?? ""
    for (const line of parts) {
      if (line.includes("\"message queued\"")) {
        const ms = /"ms":([\d.]+)/.exec(line)
        const brokerMs = /"brokerMs":([\d.]+)/.exec(line)
        if (ms !== null && brokerMs !== null) queued.push({ ms: Number(ms[1]), brokerMs: Number(brokerMs[1]) })
      } else {
        if (line.includes("\"listening\"")) listening++
        if (output.length < 200) output.push(line)
      }
    }
  })
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")))
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  let gone = false
  void exited.then(() => (gone = true))
  const deadline = Date.now() + 20_000
  while (listening < listeners) {
    if (gone || Date.now() > deadline) {
      rmSync(dir, { recursive: true, force: true })
      throw new Error(`the daemon did not start:\n${output.join("\n")}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const pid = child.pid ?? 0
  return {
    pid,
    port: Number(config["smtp-port"]),
    takeQueued: () => queued.splice(0),
    rssBytes: () => statusField(pid, "VmRSS") * 1024,
    treeRssBytes: () => [pid, ...childrenOf(pid)].reduce((total, p) => total + statusField(p, "VmRSS") * 1024, 0),
    fileLimit: () => {
      const line = readFileSync(`/proc/${pid}/limits`, "utf8").split("\n").find((l) => l.startsWith("Max open files"))
      return Number(line?.split(/\s{2,}/)[1] ?? Number.NaN)
    },
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM")
      const code = await exited
      rmSync(dir, { recursive: true, force: true })
      return code
    }
  }
}

/** A `kB` field of /proc/<pid>/status, as a number of kB. */
const statusField = (pid: number, field: string): number => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith(`${field}:`))
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? Number.NaN)
}
