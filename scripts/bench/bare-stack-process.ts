import { spawn } from "node:child_process"

const SCRIPT = new URL("./bare-stack.ts", import.meta.url).pathname

export interface BareStack {
  readonly pid: number
  readonly port: number
  readonly stop: () => Promise<void>
}

/** Starts scripts/bench/bare-stack.ts in a process of its own and waits until it listens. */
export const startBareStack = (port: number, queue: string, brokerUrl: string): Promise<BareStack> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, String(port), queue, brokerUrl], { stdio: ["ignore", "pipe", "inherit"] })
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    child.once("exit", (code) => reject(new Error(`bare-stack exited with ${code} before listening`)))
    child.stdout.once("data", () =>
      resolve({
        pid: child.pid ?? 0,
        port,
        stop: async () => {
          if (child.exitCode === null) child.kill("SIGTERM")
          await exited
        }
      }))
  })
