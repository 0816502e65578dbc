import { spawn } from "node:child_process"
import { stopOnExit } from "./on-exit.ts"

/** The programs the daemon is measured against, each `node SCRIPT PORT QUEUE BROKER_URL`. */
export const YARDSTICKS = {
  /** bare smtp-server + amqplib: the least a program on the daemon's libraries does */
  bare: new URL("./bare-stack.ts", import.meta.url).pathname,
  /** Node's net + amqplib, no SMTP library and no work: the floor for any Node.js server here */
  floor: new URL("./node-floor.ts", import.meta.url).pathname
} as const

export interface Yardstick {
  readonly pid: number
  readonly port: number
  readonly stop: () => Promise<void>
}

/** Starts one of the YARDSTICKS in a process of its own and waits until it listens. */
export const startYardstick = (which: keyof typeof YARDSTICKS, port: number, queue: string, brokerUrl: string): Promise<Yardstick> =>
  new Promise((resolve, reject) => {
    const child = stopOnExit(spawn(process.execPath, [YARDSTICKS[which], String(port), queue, brokerUrl], { stdio: ["ignore", "pipe", "inherit"] }))
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    child.once("exit", (code) => reject(new Error(`${which} exited with ${code} before listening`)))
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
