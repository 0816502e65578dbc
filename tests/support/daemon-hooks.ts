import { afterAll, afterEach, beforeAll } from "vitest"
import { startDaemon } from "./daemon.ts"
import type { RunningDaemon } from "./daemon.ts"
import { freePort } from "./free-port.ts"
import { deleteQueues, uniqueQueue } from "./rabbit.ts"

/**
 * For a describe block whose tests each start a daemon of their own: `start` starts it, `queue`
 * names a fresh RabbitMQ queue; after each test the daemon is stopped (by `stop`, if given) and
 * the queues are deleted.
 */
export const daemonPerTest = (
  options: { readonly stop?: (daemon: RunningDaemon | undefined) => Promise<unknown> } = {}
) => {
  const stop = options.stop ?? ((daemon) => daemon?.stop())
  let daemon: RunningDaemon | undefined
  const queues: Array<string> = []
  afterEach(async () => {
    await stop(daemon)
    daemon = undefined
    await deleteQueues(...queues.splice(0))
  })
  return {
    queue: (purpose: string): string => {
      const queue = uniqueQueue(purpose)
      queues.push(queue)
      return queue
    },
    start: async (...args: Parameters<typeof startDaemon>): Promise<RunningDaemon> => {
      daemon = await startDaemon(...args)
      return daemon
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
