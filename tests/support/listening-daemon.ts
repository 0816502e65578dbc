import type { SpawnOptions } from "node:child_process"
import { spawnTracked } from "./processes.ts"
import type { TrackedProcess } from "./processes.ts"
import { STARTUP_MS } from "./timing.ts"

export interface ListeningDaemon {
  readonly process: TrackedProcess
  /** everything it wrote so far, stdout and stderr */
  readonly output: () => string
}

/**
 * Starts a daemon the way a user would (a command and its arguments, not the test helpers' own
 * config) and waits for its "listening" line; throws with its output if it exits or takes too long.
 */
export const startListening = async (
  what: string,
  command: string,
  args: ReadonlyArray<string>,
  options: Omit<SpawnOptions, "stdio" | "detached"> = {}
): Promise<ListeningDaemon> => {
  const daemon = spawnTracked(what, command, args, options)
  let output = ""
  daemon.child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
  daemon.child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
  const deadline = Date.now() + STARTUP_MS
  while (!output.includes("\"listening\"")) {
    if (daemon.child.exitCode !== null || Date.now() > deadline) {
      await daemon.stop()
      throw new Error(`${what} did not start:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { process: daemon, output: () => output }
}
