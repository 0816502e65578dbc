import { afterEach } from "vitest"
import { startDaemon } from "./daemon.ts"
import type { RunningDaemon } from "./daemon.ts"
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
