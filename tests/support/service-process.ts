import { spawn } from "node:child_process"
import { rmSync } from "node:fs"

export interface ServiceProcess {
  /** what it printed so far, stdout and stderr together */
  readonly output: () => string
  /** SIGTERM (unless it has ended already), then its exit awaited and its directory removed */
  readonly stop: () => Promise<void>
  /**
   * Tries `ready` until it holds, pausing `pauseMs` between tries. Should the process exit or
   * `timeoutMs` pass first, stops it and throws `failure` with what it printed.
   */
  readonly waitUntil: (
    ready: () => boolean | Promise<boolean>,
    failure: string,
    timing: { readonly timeoutMs: number; readonly pauseMs: number }
  ) => Promise<void>
}

/** A real service for the tests (slapd, spamd, FreeRADIUS) run in the foreground; `dir` is its temporary directory. */
export const spawnService = (command: string, args: ReadonlyArray<string>, dir: string): ServiceProcess => {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] })
  const output: Array<string> = []
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
  const waitUntil: ServiceProcess["waitUntil"] = async (ready, failure, { timeoutMs, pauseMs }) => {
    const deadline = Date.now() + timeoutMs
    while (!(await ready())) {
      if (child.exitCode !== null || Date.now() > deadline) {
        await stop()
        throw new Error(`${failure}:\n${output.join("")}`)
      }
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
    }
  }
  return { output: () => output.join(""), stop, waitUntil }
}
