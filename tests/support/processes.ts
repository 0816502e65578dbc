import { spawn } from "node:child_process"
import type { ChildProcessByStdio, SpawnOptions } from "node:child_process"
import type { Readable, Writable } from "node:stream"
import { scaled, STARTUP_MS, STOP_GRACE_MS } from "./timing.ts"

/**
 * Every process the tests start runs in a process group of its own (`detached`), so that giving
 * up on it can end it together with whatever it started (a daemon's smtp-threads workers, spamd's
 * children). Each group is registered here until it is seen gone; whatever is still registered
 * when a test file ends (see process-cleanup.ts) or when the vitest worker exits is killed.
 *
 * The registry lives on globalThis: vitest may load this module once per test file in one worker.
 */
interface Registry {
  /** process group id (the leader's pid) → what it is, for the warnings */
  readonly groups: Map<number, string>
  installed: boolean
}
const KEY = Symbol.for("smtp-intake.tests.process-groups")
const holder = globalThis as unknown as Record<symbol, Registry | undefined>
const registry: Registry = (holder[KEY] ??= { groups: new Map(), installed: false })

/** Whether any process of the group is still there. */
export const groupAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

const signalGroup = (pgid: number, signal: NodeJS.Signals): void => {
  try {
    process.kill(-pgid, signal)
  } catch {
    // the group is gone already
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Waits until the group is gone; false if it is still there after `timeoutMs`. */
const groupGone = async (pgid: number, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) return false
    await sleep(25)
  }
  return true
}

/**
 * SIGKILLs every registered group that is still there and forgets them all. Returns what was
 * killed. Synchronous, so that it can run in the worker's 'exit' handler.
 */
export const killAllTracked = (): Array<string> => {
  const killed: Array<string> = []
  for (const [pgid, what] of registry.groups) {
    if (groupAlive(pgid)) {
      signalGroup(pgid, "SIGKILL")
      killed.push(`${what} (process group ${pgid})`)
    }
  }
  registry.groups.clear()
  return killed
}

/**
 * For the end of a test file: gives what is still registered `graceMs` to end (a process just
 * sent SIGTERM), then SIGKILLs whatever is left. Returns what it had to kill.
 */
export const killLeftovers = async (graceMs: number): Promise<Array<string>> => {
  const deadline = Date.now() + graceMs
  while ([...registry.groups.keys()].some(groupAlive) && Date.now() < deadline) await sleep(25)
  return killAllTracked()
}

/**
 * The safety net: when the vitest worker ends, so does every group it started and did not see
 * end. On exit; and on SIGTERM (vitest stops its forks with it), SIGINT and SIGHUP, after which the
 * signal is raised again so that the worker ends as it would have.
 */
const installSafetyNet = () => {
  if (registry.installed) return
  registry.installed = true
  process.on("exit", () => void killAllTracked())
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    const onSignal = () => {
      killAllTracked()
      process.off(signal, onSignal)
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
    }
    process.on(signal, onSignal)
  }
}

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface TrackedProcess {
  readonly child: ChildProcessByStdio<Writable | null, Readable, Readable>
  /** resolves when the process itself (the group's leader) has exited, or could not be started */
  readonly exited: Promise<Exit>
  /** SIGKILL to the whole group; resolves once the leader has exited and the group is gone */
  readonly kill: () => Promise<void>
  /**
   * `signal` (SIGTERM) to the process itself, as an operator stops it; the whole group is killed
   * should the process not exit within `graceMs`, or should anything of its group outlive it by
   * `graceMs`. Resolves with the process's exit once the group is gone.
   */
  readonly stop: (signal?: NodeJS.Signals, graceMs?: number) => Promise<Exit>
}

/**
 * Spawns `command` in a process group of its own, registered until the group is seen gone.
 * stdout and stderr are pipes; stdin is a pipe when `stdin` is "pipe", else /dev/null.
 */
export const spawnTracked = (
  what: string,
  command: string,
  args: ReadonlyArray<string>,
  options: Omit<SpawnOptions, "stdio" | "detached"> & { readonly stdin?: "pipe" | "ignore" } = {}
): TrackedProcess => {
  installSafetyNet()
  const { stdin = "ignore", ...spawnOptions } = options
  const child = spawn(command, [...args], { ...spawnOptions, stdio: [stdin, "pipe", "pipe"], detached: true }) as ChildProcessByStdio<
    Writable | null,
    Readable,
    Readable
  >
  const pgid = child.pid
  if (pgid !== undefined) registry.groups.set(pgid, `${what} (pid ${pgid})`)
  const forget = () => {
    if (pgid !== undefined && !groupAlive(pgid)) registry.groups.delete(pgid)
  }
  const exited = new Promise<Exit>((resolve) => {
    child.once("exit", (code, signal) => {
      resolve({ code, signal })
      // what the process started may still be ending; if not, the group stays registered
      setImmediate(forget)
    })
    child.once("error", () => {
      if (child.pid === undefined) resolve({ code: null, signal: null })
    })
  })
  // an 'error' (a failed spawn, a failed kill) must not end the worker: the exit says what happened
  child.on("error", () => {})

  const killGroup = async () => {
    if (pgid === undefined) return
    signalGroup(pgid, "SIGKILL")
    await exited
    if (!(await groupGone(pgid, scaled(10_000)))) {
      console.warn(`${what}: process group ${pgid} is still there after SIGKILL`)
      return
    }
    registry.groups.delete(pgid)
  }

  const stop = async (signal: NodeJS.Signals = "SIGTERM", graceMs = STOP_GRACE_MS): Promise<Exit> => {
    if (pgid === undefined) return exited
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    const inTime = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)])
    if (!inTime) console.warn(`${what} did not exit within ${graceMs} ms of ${signal}; killing its process group`)
    if (inTime && !(await groupGone(pgid, graceMs))) {
      console.warn(`${what} exited, but its process group outlived it by ${graceMs} ms; killing the group`)
    }
    await killGroup()
    return exited
  }

  return { child, exited, kill: killGroup, stop }
}

export interface Run {
  /** the exit code; null when ended by a signal (a timeout's SIGKILL among them) or not started */
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly timedOut: boolean
}

/**
 * Runs a command to its end, as execFile does, collecting its output; `input` is written to its
 * stdin. Past `timeoutMs` (a start-up's limit unless given) its whole process group is killed.
 */
export const runTracked = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly env?: NodeJS.ProcessEnv; readonly input?: string; readonly timeoutMs?: number; readonly what?: string } = {}
): Promise<Run> => {
  const run = spawnTracked(options.what ?? `${command} ${args.join(" ")}`.slice(0, 200), command, args, {
    ...(options.env === undefined ? {} : { env: options.env }),
    stdin: "pipe"
  })
  let stdout = ""
  let stderr = ""
  run.child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk))
  run.child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk))
  run.child.stdin?.on("error", () => {})
  if (options.input !== undefined) run.child.stdin?.end(options.input)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    void run.kill()
  }, options.timeoutMs ?? STARTUP_MS)
  const closed = new Promise<void>((resolve) => {
    run.child.once("close", () => resolve())
    run.child.once("error", () => {
      if (run.child.pid === undefined) resolve()
    })
  })
  return Promise.all([run.exited, closed]).then(async ([exit]) => {
    clearTimeout(timer)
    // whatever the command left behind in its group goes with it
    await run.kill()
    return { ...exit, stdout, stderr, timedOut }
  })
}
