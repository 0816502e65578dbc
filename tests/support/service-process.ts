import { rmSync } from "node:fs"
import { spawnTracked } from "./processes.ts"

export interface ServiceProcess {
  /** what it printed so far, stdout and stderr together */
  readonly output: () => string
  /** SIGTERM (unless it has ended already), then its exit awaited (its process group killed should it linger) and its directory removed */
  readonly stop: () => Promise<void>
  /**
   * Tries `ready` until it holds, pausing `pauseMs` between tries. Should the process exit or
   * `timeoutMs` pass first, kills it (and whatever it started) and throws `failure` with what it printed.
   */
  readonly waitUntil: (
    ready: () => boolean | Promise<boolean>,
    failure: string,
    timing: { readonly timeoutMs: number; readonly pauseMs: number }
  ) => Promise<void>
}

/** A real service for the tests (slapd, spamd, FreeRADIUS) run in the foreground, in a process group of its own; `dir` is its temporary directory. */
export const spawnService = (command: string, args: ReadonlyArray<string>, dir: string): ServiceProcess => {
  const service = spawnTracked(command, command, args)
  const child = service.child
  const output: Array<string> = []
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  const stop = async () => {
    await service.stop("SIGTERM")
    rmSync(dir, { recursive: true, force: true })
  }
  const waitUntil: ServiceProcess["waitUntil"] = async (ready, failure, { timeoutMs, pauseMs }) => {
    const deadline = Date.now() + timeoutMs
    while (!(await ready())) {
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        await service.kill()
        rmSync(dir, { recursive: true, force: true })
        throw new Error(`${failure}:\n${output.join("")}`)
      }
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs))
    }
  }
  return { output: () => output.join(""), stop, waitUntil }
}
