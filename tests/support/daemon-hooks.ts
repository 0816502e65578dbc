import { afterAll, afterEach, beforeAll, expect } from "vitest"
import { startDaemon } from "./daemon.ts"
import type { RunningDaemon } from "./daemon.ts"
import { freePort } from "./free-port.ts"
import { deleteQueues, uniqueQueue } from "./rabbit.ts"
import { STARTUP_MS } from "./timing.ts"

/**
 * For a describe block whose tests each start a daemon of their own: `start` starts it, `queue`
 * names a fresh RabbitMQ queue; after each test the daemon is stopped (by `stop`, if given) and
 * the queues are deleted. A start still waiting when the test ends (it timed out) is given up:
 * its daemon is killed.
 */
export const daemonPerTest = (
  options: { readonly stop?: (daemon: RunningDaemon | undefined) => Promise<unknown> } = {}
) => {
  const stop = options.stop ?? ((daemon) => daemon?.stop())
  const daemons: Array<RunningDaemon> = []
  const starting = new Set<Promise<unknown>>()
  let giveUp = new AbortController()
  const queues: Array<string> = []
  afterEach(async () => {
    giveUp.abort()
    await Promise.allSettled([...starting])
    giveUp = new AbortController()
    const failures: Array<unknown> = []
    const stopping = daemons.splice(0)
    // `stop` is called once even when no daemon was started (a custom one may check that)
    for (const daemon of stopping.length === 0 ? [undefined] : stopping) {
      try {
        await stop(daemon)
      } catch (error) {
        failures.push(error)
        // a custom `stop` that failed before stopping the daemon must not leave it running
        await daemon?.stop()
      }
    }
    await deleteQueues(...queues.splice(0))
    if (failures.length > 0) throw failures[0]
  })
  return {
    queue: (purpose: string): string => {
      const queue = uniqueQueue(purpose)
      queues.push(queue)
      return queue
    },
    start: async (...[config, startOptions]: Parameters<typeof startDaemon>): Promise<RunningDaemon> => {
      const started = startDaemon(config, { ...startOptions, signal: giveUp.signal })
      starting.add(started)
      try {
        const daemon = await started
        daemons.push(daemon)
        return daemon
      } finally {
        starting.delete(started)
      }
    }
  }
}

/**
 * For a describe block whose tests share one daemon with its management API on a free port behind
 * `token`: started before the first test, stopped after the last. `api` is `http://127.0.0.1:<port>`.
 */
export const daemonWithManagementApi = (config: Readonly<Record<string, string | number>>, token: string) => {
  let daemon: RunningDaemon | undefined
  let api = ""
  beforeAll(async () => {
    const port = await freePort()
    api = `http://127.0.0.1:${port}`
    daemon = await startDaemon({ ...config, "management-port": port, "management-token": token })
    // the SMTP listener and the management server start side by side: on a loaded machine "listening" can come first
    const started = daemon
    const deadline = Date.now() + STARTUP_MS
    while (!started.logs().some((line) => line.includes("management API up"))) {
      if (Date.now() > deadline) throw new Error(`the management API did not come up within ${STARTUP_MS} ms:\n${started.logs().join("\n")}`)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  })
  afterAll(async () => {
    await daemon?.stop()
  })
  return {
    get daemon(): RunningDaemon {
      if (daemon === undefined) throw new Error("the daemon is started in beforeAll")
      return daemon
    },
    get api(): string {
      return api
    }
  }
}

/**
 * For a describe block whose tests share one daemon: started before them with `config(queue)` (a
 * fresh queue named for `purpose`), stopped after them (it must exit 0), and its queue deleted.
 */
export const daemonPerSuite = (purpose: string, config: (queue: string) => Parameters<typeof startDaemon>[0]) => {
  const queue = uniqueQueue(purpose)
  let daemon: RunningDaemon | undefined
  beforeAll(async () => {
    daemon = await startDaemon(config(queue))
  })
  afterAll(async () => {
    expect(await daemon?.stop()).toBe(0)
    await deleteQueues(queue)
  })
  return {
    queue,
    daemon: (): RunningDaemon => {
      if (daemon === undefined) throw new Error("the suite's daemon has not started")
      return daemon
    }
  }
}
