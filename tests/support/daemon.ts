import type { ChildProcess } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./free-port.ts"
import { spawnTracked } from "./processes.ts"
import { STARTUP_MS } from "./timing.ts"

const ROOT = new URL("../../", import.meta.url).pathname
export const CLI = join(ROOT, "infrastructure/bin/smtp-intake.ts")

/**
 * The V8 flags of the command's first line (`#!/usr/bin/env -S node --max-semi-space-size=4`):
 * `node CLI` does not read them, so a test passes them, and measures memory as users run it.
 */
export const CLI_NODE_FLAGS: ReadonlyArray<string> = (readFileSync(CLI, "utf8").split("\n")[0] ?? "").split(/\s+/).filter((part) => part.startsWith("--"))

export interface RunningDaemon {
  readonly port: number
  readonly dir: string
  /** the config file it was started with (a reload test edits it and sends SIGHUP) */
  readonly configFile: string
  readonly process: ChildProcess
  /** every line the daemon logged so far */
  readonly logs: () => ReadonlyArray<string>
  /**
   * SIGTERM to the daemon (the primary, with smtp-threads), as an operator stops it; resolves with
   * its exit code once it and its workers are gone. Should it not exit in time, its whole process
   * group is killed (and the code is null).
   */
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
 *
 * The daemon runs in a process group of its own. Should it not be listening within
 * `startupTimeoutMs` (a loaded machine's allowance, timing.ts), exit first, or `signal` abort the
 * wait (a test that gave up on it), the whole group (the primary and its workers) is killed before
 * this rejects.
 */
export const startDaemon = async (
  config: Readonly<Record<string, string | number>>,
  options: {
    readonly env?: Readonly<Record<string, string>>
    readonly waitForListening?: number
    readonly startupTimeoutMs?: number
    readonly signal?: AbortSignal
    /** the command line after the CLI, given the written config file; `--config FILE` unless given */
    readonly args?: (file: string) => ReadonlyArray<string>
  } = {}
): Promise<RunningDaemon> => {
  options.signal?.throwIfAborted()
  const port = Number(config["smtp-port"] ?? (await freePort()))
  const dir = mkdtempSync(join(tmpdir(), "smtp-intake-test-"))
  const file = join(dir, "test.conf")
  const lines = Object.entries({
    "smtp-port": port,
    // without a broker of the test's choosing, the embedded spool ("embedded-spool-directory": "" for MailerQ's default broker)
    ...(config["rabbitmq-address"] === undefined ? { "embedded-spool-directory": join(dir, "spool") } : {}),
    "database-address": `sqlite://${join(dir, "intake.db")}`,
    ...config
  })
  writeFileSync(file, lines.map(([k, v]) => `${k}: ${v}`).join("\n") + "\n")
  const daemon = spawnTracked(`the daemon on port ${port}`, process.execPath, [...CLI_NODE_FLAGS, CLI, ...(options.args?.(file) ?? ["--config", file])], {
    env: { ...process.env, ...options.env }
  })
  const child = daemon.child
  const output: Array<string> = []
  child.stdout.on("data", lineCollector(output))
  child.stderr.on("data", lineCollector(output))
  const exited = daemon.exited.then(({ code }) => code)
  const startupTimeoutMs = options.startupTimeoutMs ?? STARTUP_MS
  const startedAt = Date.now()
  try {
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer)
        child.stdout.off("data", check)
        options.signal?.removeEventListener("abort", onAbort)
        if (error === undefined) resolve()
        else reject(error)
      }
      const timer = setTimeout(
        () => done(new Error(`daemon did not start within ${startupTimeoutMs} ms:\n${output.join("\n")}`)),
        startupTimeoutMs
      )
      const check = () => {
        if (output.filter((l) => l.includes("\"listening\"")).length >= (options.waitForListening ?? 1)) done()
      }
      const onAbort = () => done(new Error(`gave up on the daemon after ${Date.now() - startedAt} ms:\n${output.join("\n")}`))
      child.stdout.on("data", check)
      options.signal?.addEventListener("abort", onAbort, { once: true })
      void exited.then((code) => done(new Error(`daemon exited with ${code} before listening:\n${output.join("\n")}`)))
    })
  } catch (error) {
    // given up on: the primary and whatever workers it forked go, with the temporary directory
    await daemon.kill()
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return {
    port,
    dir,
    configFile: file,
    process: child,
    logs: () => output,
    stop: async () => {
      const { code } = await daemon.stop("SIGTERM")
      rmSync(dir, { recursive: true, force: true })
      return code
    }
  }
}
