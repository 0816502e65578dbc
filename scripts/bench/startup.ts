/**
 * `npm run bench -- --startup`: how fast the command starts (issue 16), measured, never asserted.
 *
 * Each figure is the median of `runs` cold starts of a new process, from exec to exit (or, for the
 * daemon, to its `listening` line), on the built JavaScript the installed command runs
 * (`dist/bin/smtp-intake.js`; `--startup-cli FILE` measures another entry, e.g. the
 * `.ts` one). The daemon runs the bench config (smtp-range, rabbitmq-address, a queue of its own);
 * its RSS at rest is read 1 s after `listening`. Targets: --version < 0.3 s, a list command < 0.5 s,
 * listening < 1 s.
 */
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "../../tests/support/free-port.ts"
import { BUILT_CLI, buildCommand, DAEMON_FLAGS } from "./bench-daemon.ts"
import { benchQueue, BROKER_URL } from "./bench-queue.ts"
import { median } from "./stats.ts"


interface Start {
  readonly seconds: number
  readonly rssMb: number | undefined
}

const MB = 1024 * 1024

/** VmRSS of a live process, in MB. */
const rssMb = (pid: number) => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))
  return Number(/(\d+)/.exec(line ?? "")?.[1] ?? Number.NaN) * 1024 / MB
}

/** Runs the CLI once; ends at exit, or (with `until`) at the first stdout line matching it, then SIGTERM. */
const runOnce = (cli: string, args: ReadonlyArray<string>, until?: string, restMs = 0): Promise<Start> =>
  new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, [...DAEMON_FLAGS, cli, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9
    let output = ""
    let seconds: number | undefined
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
      if (until === undefined || seconds !== undefined || !output.includes(until)) return
      seconds = elapsed()
      setTimeout(() => {
        const rss = rssMb(child.pid!)
        child.kill("SIGTERM")
        child.once("exit", () => resolve({ seconds: seconds!, rssMb: rss }))
      }, restMs)
    })
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    child.once("exit", (code) => {
      if (until !== undefined && seconds !== undefined) return
      if (until !== undefined || code !== 0) reject(new Error(`${args.join(" ")} exited ${code}:\n${output}`))
      else resolve({ seconds: elapsed(), rssMb: undefined })
    })
  })

export interface StartupFigures {
  readonly versionS: number
  readonly checkConfigS: number
  readonly listS: number
  readonly listeningS: number
  readonly restRssMb: number
}

/**
 * The figures for one CLI entry, with the daemon's config (`key: value` pairs) written to a temp
 * file; `database-address` is a temp SQLite file unless the config names one.
 */
export const measureStartup = async (
  cli: string,
  config: Readonly<Record<string, string | number>>,
  runs: number
): Promise<StartupFigures> => {
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-startup-"))
  try {
    const file = join(dir, "startup.conf")
    const lines = { "spool-directory": join(dir, "spool"), "database-address": `sqlite://${join(dir, "intake.db")}`, ...config }
    writeFileSync(file, Object.entries(lines).map(([key, value]) => `${key}: ${value}`).join("\n") + "\n")
    const series = async (args: ReadonlyArray<string>, until?: string, restMs?: number) => {
      const starts: Array<Start> = []
      for (let run = 0; run < runs; run++) starts.push(await runOnce(cli, args, until, restMs))
      return starts
    }
    const seconds = (starts: ReadonlyArray<Start>) => median(starts.map((s) => s.seconds))
    const version = await series(["--version"])
    const check = await series(["--check-config", file])
    const list = await series(["--config", file, "local", "list"])
    const daemon = await series(["--config", file], "\"listening\"", 1_000)
    return {
      versionS: seconds(version),
      checkConfigS: seconds(check),
      listS: seconds(list),
      listeningS: seconds(daemon),
      restRssMb: median(daemon.map((s) => s.rssMb!))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const verdict = (met: boolean) => (met ? "met" : "NOT met")

/** The lines the bench prints. */
export const describeStartup = (cli: string, runs: number, f: StartupFigures): ReadonlyArray<string> => [
  `start-up of ${cli}, median of ${runs} cold starts:`,
  `  --version          ${f.versionS.toFixed(3)} s (target < 0.3 s: ${verdict(f.versionS < 0.3)})`,
  `  --check-config     ${f.checkConfigS.toFixed(3)} s`,
  `  local list         ${f.listS.toFixed(3)} s (target < 0.5 s: ${verdict(f.listS < 0.5)})`,
  `  daemon listening   ${f.listeningS.toFixed(3)} s after exec (target < 1 s: ${verdict(f.listeningS < 1)})`,
  `  daemon RSS at rest ${Math.round(f.restRssMb)} MB (1 s after listening; smtp-range, rabbitmq-address, a queue)`
]

const SOURCE_CLI = new URL("../../infrastructure/bin/smtp-intake.ts", import.meta.url).pathname

/**
 * The start-up section of `npm run bench -- --startup [--runs N] [--startup-cli FILE]`: builds
 * `dist/` first, then measures the built command and, for comparison, the TypeScript sources (or
 * only FILE). The daemon publishes to a queue of its own, deleted afterwards.
 */
export const runStartupBench = async (runs: number, cli: string | undefined): Promise<void> => {
  buildCommand()
  const queue = benchQueue()
  try {
    for (const entry of cli === undefined ? [BUILT_CLI, SOURCE_CLI] : [cli]) {
      const config = { "smtp-ip": "127.0.0.1", "smtp-port": await freePort(), "smtp-range": "127.0.0.0/8", "rabbitmq-address": BROKER_URL, "rabbitmq-inbox": queue.name }
      const figures = await measureStartup(entry, config, runs)
      for (const line of describeStartup(entry, runs, figures)) process.stdout.write(`${line}\n`)
      process.stdout.write(`${JSON.stringify({ startup: { cli: entry, ...figures } })}\n`)
    }
  } finally {
    await queue.remove().catch(() => {})
  }
}
