import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { existsSync } from "node:fs"
import { connect } from "node:net"
import { stopOnExit } from "./on-exit.ts"

export const SMTP_SOURCE = "/usr/sbin/smtp-source"
export const SMTP_SINK = "/usr/sbin/smtp-sink"

export const postfixToolsMissing = (): string | undefined =>
  [SMTP_SOURCE, SMTP_SINK].find((path) => !existsSync(path))

export interface SourceRun {
  readonly messages: number
  readonly seconds: number
  readonly perSecond: number
}

export interface SourceLoad {
  readonly port: number
  readonly sessions: number
  readonly messages: number
  readonly size: number
  /** true: every session sends all its messages over one connection (-d); false: one message per connection */
  readonly reuseConnections: boolean
}

/**
 * Postfix's smtp-source (no Postfix daemon involved): `sessions` parallel SMTP sessions sending
 * `messages` messages of `size` bytes of payload in all. It stops at the first reply it did not
 * expect, so a clean exit means every message got its 250. `prefix` starts it through another
 * command (`taskset -c N` under `--pin`).
 */
export const runSmtpSource = (load: SourceLoad, prefix: ReadonlyArray<string> = []): Promise<SourceRun> =>
  new Promise((resolve, reject) => {
    const args = [
      "-s", String(load.sessions),
      "-m", String(load.messages),
      "-l", String(load.size),
      "-M", "bench.example.org",
      "-f", "bench@example.org",
      "-t", "sink@example.com",
      ...(load.reuseConnections ? ["-d"] : []),
      `127.0.0.1:${load.port}`
    ]
    const started = process.hrtime.bigint()
    const [command, ...rest] = [...prefix, SMTP_SOURCE, ...args]
    const child = stopOnExit(spawn(command!, rest, { stdio: ["ignore", "ignore", "pipe"] }))
    let errors = ""
    child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString("utf8")))
    child.once("error", reject)
    child.once("exit", (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9
      if (code !== 0) return reject(new Error(`smtp-source ${args.join(" ")} exited with ${code}: ${errors.trim()}`))
      resolve({ messages: load.messages, seconds, perSecond: load.messages / seconds })
    })
  })

export interface RunningSink {
  readonly port: number
  readonly stop: () => Promise<void>
}

/** Postfix's smtp-sink on loopback: answers every command positively and throws the mail away. */
export const startSmtpSink = async (port: number): Promise<RunningSink> => {
  // smtp-sink refuses to run as root unless told whose privileges to drop to.
  const privileges = process.getuid?.() === 0 ? ["-u", "nobody"] : []
  const child: ChildProcess = stopOnExit(spawn(SMTP_SINK, [...privileges, "-m", "1024", `127.0.0.1:${port}`, "1024"], {
    stdio: ["ignore", "ignore", "inherit"]
  }))
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()))
  await waitForPort(port, exited)
  return {
    port,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM")
      await exited
    }
  }
}

const waitForPort = async (port: number, exited: Promise<void>): Promise<void> => {
  let gone = false
  void exited.then(() => (gone = true))
  for (let attempt = 0; attempt < 100; attempt++) {
    if (gone) throw new Error(`smtp-sink exited before listening on ${port}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: "127.0.0.1" })
      socket.once("connect", () => {
        socket.destroy()
        resolve(true)
      })
      socket.once("error", () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`smtp-sink did not listen on ${port}`)
}
