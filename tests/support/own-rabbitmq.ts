import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./free-port.ts"
import { runTracked, spawnTracked } from "./processes.ts"
import type { TrackedProcess } from "./processes.ts"
import { commandExists, portOpen, serviceAvailable } from "./services.ts"
import { STARTUP_MS, STOP_GRACE_MS } from "./timing.ts"

/**
 * A RabbitMQ node of a test's own, for fault tests that stop, restart or break the broker:
 * never the machine's shared node (rabbit@localhost on 5672).
 *
 * It runs Debian's `rabbitmq-server` with its own node name, AMQP port, distribution port,
 * data and log directories in a temp dir, its own config and env files (so that
 * /etc/rabbitmq's NODENAME and listener are not read) and no plugins. It shares only epmd
 * (4369). As root, Debian's wrapper runs both the node and `rabbitmqctl` as the rabbitmq user,
 * so both use that user's default cookie (~rabbitmq/.erlang.cookie); nothing is written to it.
 */
export interface OwnRabbit {
  readonly node: string
  readonly port: number
  /** amqp://guest:guest@127.0.0.1:<port>/ */
  readonly url: string
  /** how long each start took, up to `rabbitmqctl await_startup` succeeding, in ms */
  readonly startTimesMs: ReadonlyArray<number>
  /** starts the node on its data dir (again after `stop`: durable queues and persistent messages survive) */
  start(): Promise<void>
  /** stops the node and waits until its process has exited (the AMQP port is closed then) */
  stop(): Promise<void>
  /** SIGKILLs the node's Erlang VM, as a crash would, and waits until it is gone; `start` brings it back on its data */
  kill(): Promise<void>
  /** `rabbitmqctl -n <node> ...args`, resolving with stdout */
  ctl(...args: ReadonlyArray<string>): Promise<string>
  /** stops the node if it runs and removes its directories */
  dispose(): Promise<void>
}

const START_TIMEOUT_MS = STARTUP_MS
const STOP_TIMEOUT_MS = STOP_GRACE_MS

/** Under CI a missing rabbitmq-server is a failure; elsewhere the tests say so and skip. */
export const ownRabbitAvailable = (): boolean =>
  serviceAvailable(
    "rabbitmq-server (to run a separate RabbitMQ node)",
    commandExists("rabbitmq-server") && commandExists("rabbitmqctl"),
    "apt-get install -y rabbitmq-server"
  )

/** `config`: more lines for the node's rabbitmq.conf (e.g. `max_message_size = 1048576`) */
export const createOwnRabbit = async (config: ReadonlyArray<string> = []): Promise<OwnRabbit> => {
  const node = `intake-fault-${randomBytes(4).toString("hex")}@localhost`
  const port = await freePort()
  const distPort = await freePort()
  const base = makeDirectories(port, config)
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    RABBITMQ_NODENAME: node,
    RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_BASE: base,
    RABBITMQ_MNESIA_BASE: join(base, "mnesia"),
    RABBITMQ_LOG_BASE: join(base, "log"),
    RABBITMQ_PID_FILE: join(base, "node.pid"),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(base, "enabled_plugins"),
    RABBITMQ_CONFIG_FILE: join(base, "rabbitmq.conf"),
    RABBITMQ_ADVANCED_CONFIG_FILE: join(base, "advanced.config"),
    RABBITMQ_CONF_ENV_FILE: join(base, "rabbitmq-env.conf"),
    // the distribution port on loopback only, as the shared node has it
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1}"
  }
  let child: TrackedProcess | undefined
  let exited: Promise<void> = Promise.resolve()
  let output = ""
  const startTimesMs: Array<number> = []

  const ctl = async (...args: ReadonlyArray<string>) => {
    const run = await runTracked("rabbitmqctl", ["-n", node, ...args], { timeoutMs: START_TIMEOUT_MS })
    if (run.code === 0) return run.stdout
    const why = run.timedOut ? `no answer within ${START_TIMEOUT_MS} ms` : `exit ${run.code ?? run.signal}`
    throw new Error(`rabbitmqctl -n ${node} ${args.join(" ")}: ${why}\n${run.stdout}${run.stderr}`)
  }

  const start = async () => {
    if (child !== undefined) throw new Error(`${node} is already running`)
    const started = Date.now()
    output = ""
    const running = spawnTracked(`RabbitMQ node ${node}`, "rabbitmq-server", [], { env })
    child = running
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-20_000)
    }
    running.child.stdout.on("data", collect)
    running.child.stderr.on("data", collect)
    exited = running.exited.then(() => undefined)
    let gone = false
    void exited.then(() => {
      gone = true
    })
    while (!(await portOpen(port, "127.0.0.1", 200))) {
      if (gone || Date.now() - started > START_TIMEOUT_MS) {
        child = undefined
        // given up on: as root the node runs in a session of its own (su), so its pid file names it
        killNode(base)
        await running.kill()
        throw new Error(`RabbitMQ node ${node} did not open port ${port}:\n${output}\n${logTail(base)}`)
      }
      await sleep(100)
    }
    await ctl("await_startup")
    startTimesMs.push(Date.now() - started)
  }

  const stop = async () => {
    const running = child
    if (running === undefined) return
    await ctl("stop").catch((error: unknown) => console.warn(`${String(error)}; killing the node`))
    const done = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)])
    if (!done) killNode(base)
    await exited
    await running.kill()
    child = undefined
  }

  const kill = async () => {
    const running = child
    if (running === undefined) return
    killNode(base)
    await exited
    await running.kill()
    child = undefined
  }

  const cleanUpOnExit = () => {
    if (child !== undefined) killNode(base)
    rmSync(base, { recursive: true, force: true })
  }
  process.once("exit", cleanUpOnExit)

  return {
    node,
    port,
    url: `amqp://guest:guest@127.0.0.1:${port}/`,
    startTimesMs,
    start,
    stop,
    kill,
    ctl,
    dispose: async () => {
      await stop()
      process.off("exit", cleanUpOnExit)
      rmSync(base, { recursive: true, force: true })
    }
  }
}

/** The node's own directories and files, owned by the rabbitmq user when Debian's wrapper will switch to it. */
const makeDirectories = (port: number, config: ReadonlyArray<string>): string => {
  const base = mkdtempSync(join(tmpdir(), "intake-fault-rabbit-"))
  chmodSync(base, 0o755)
  mkdirSync(join(base, "mnesia"))
  mkdirSync(join(base, "log"))
  writeFileSync(join(base, "enabled_plugins"), "[].\n")
  writeFileSync(join(base, "rabbitmq.conf"), [`listeners.tcp.1 = 127.0.0.1:${port}`, ...config, ""].join("\n"))
  writeFileSync(join(base, "rabbitmq-env.conf"), "")
  const owner = rabbitmqUser()
  if (owner !== undefined) chownTree(base, owner)
  return base
}

const rabbitmqUser = (): { uid: number; gid: number } | undefined => {
  if (process.getuid?.() !== 0) return undefined
  try {
    const uid = Number(execFileSync("id", ["-u", "rabbitmq"], { encoding: "utf8" }).trim())
    const gid = Number(execFileSync("id", ["-g", "rabbitmq"], { encoding: "utf8" }).trim())
    return { uid, gid }
  } catch {
    return undefined
  }
}

const chownTree = (path: string, owner: { uid: number; gid: number }): void => {
  chownSync(path, owner.uid, owner.gid)
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name)
    if (entry.isDirectory()) chownTree(child, owner)
    else chownSync(child, owner.uid, owner.gid)
  }
}

/** Last resort when `rabbitmqctl stop` did not end it: SIGKILL the node's own Erlang VM, by its pid file. */
const killNode = (base: string): void => {
  try {
    process.kill(Number(readFileSync(join(base, "node.pid"), "utf8").trim()), "SIGKILL")
  } catch {
    // no pid file yet, or already gone
  }
}

const logTail = (base: string): string => {
  try {
    const dir = join(base, "log")
    return readdirSync(dir)
      .map((file) => `--- ${file}\n${readFileSync(join(dir, file), "utf8").slice(-4000)}`)
      .join("\n")
  } catch {
    return ""
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
