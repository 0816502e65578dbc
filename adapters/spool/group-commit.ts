/**
 * Group commit of directory fsyncs. Every caller has already renamed its files into
 * place; `commit(dirs)` resolves once an fsync of each of those directories has
 * *started after* the call and finished. While one batch of fsyncs runs, new callers
 * pile up and the next batch serves all of them with one fsync per touched directory.
 */
export interface GroupCommitter {
  commit(directories: Iterable<string>): Promise<void>
  /** resolves when no batch is running or waiting */
  idle(): Promise<void>
  /** how many batches ran, and how many directory fsyncs they made in all */
  stats(): { readonly batches: number; readonly directorySyncs: number }
}

interface Waiter {
  readonly directories: ReadonlySet<string>
  resolve(): void
  reject(error: unknown): void
}

export const makeGroupCommitter = (syncDirectory: (directory: string) => Promise<void>): GroupCommitter => {
  let waiting: Array<Waiter> = []
  let running: Promise<void> | undefined
  let batches = 0
  let directorySyncs = 0

  const runBatches = async (): Promise<void> => {
    while (waiting.length > 0) {
      const batch = waiting
      waiting = []
      const directories = new Set(batch.flatMap((w) => [...w.directories]))
      const failures = new Map<string, unknown>()
      await Promise.all(
        [...directories].map((directory) =>
          syncDirectory(directory).catch((error: unknown) => {
            failures.set(directory, error)
          })
        )
      )
      batches++
      directorySyncs += directories.size
      for (const waiter of batch) {
        const failed = [...waiter.directories].find((d) => failures.has(d))
        if (failed === undefined) waiter.resolve()
        else waiter.reject(failures.get(failed))
      }
    }
    running = undefined
  }

  return {
    commit: (directories) =>
      new Promise<void>((resolve, reject) => {
        waiting.push({ directories: new Set(directories), resolve, reject })
        running ??= runBatches()
      }),
    idle: () => running ?? Promise.resolve(),
    stats: () => ({ batches, directorySyncs })
  }
}
