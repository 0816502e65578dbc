import { Effect } from "effect"
import { access, constants, mkdir, readdir, rename, rm, statfs, unlink } from "node:fs/promises"
import { join } from "node:path"
import { PublishFailed } from "../../application/ports/publisher.ts"
import type { Delivery } from "../../application/ports/publisher.ts"
import { syncDirectory, writeFileDurably } from "./durable-fs.ts"
import { makeGroupCommitter } from "./group-commit.ts"
import { unsafeNameReason } from "./spool-names.ts"
import { SpoolUnavailable } from "./spool-unavailable.ts"

export interface SpoolStats {
  /** group commits: each one fsynced every directory touched since the previous one */
  readonly directoryFsyncBatches: number
  readonly directoryFsyncs: number
  readonly filesWritten: number
}

export interface Spool {
  /** writes `<directory>/<queue>/<messageId>.json` for each delivery; succeeds once all are durable */
  publish(deliveries: ReadonlyArray<Delivery>): Effect.Effect<void, PublishFailed>
  readonly isReady: Effect.Effect<boolean>
  stats(): SpoolStats
  /** resolves when no directory fsync is running or waiting */
  idle(): Promise<void>
}

const TMP = ".tmp"

/** Below this much free space the spool reports not ready: the next messages may not fit. */
export const MIN_FREE_BYTES = 16 * 1024 * 1024

const freeBytes = async (directory: string): Promise<number> => {
  const stats = await statfs(directory)
  return Number(stats.bavail) * Number(stats.bsize)
}

/** Temp files are named `<pid>-…` after the process writing them. */
const writerOf = (name: string): number | undefined => {
  const pid = /^(\d+)-/.exec(name)?.[1]
  return pid === undefined ? undefined : Number(pid)
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * A leftover in `.tmp` was never renamed into place, so never answered 250. With smtp-threads,
 * other live workers share `.tmp`: only what a process that is gone left behind is removed.
 */
const isLeftover = (name: string): boolean => {
  const writer = writerOf(name)
  return writer === undefined || writer === process.pid || !isRunning(writer)
}

/**
 * Opens the spool in `directory`: creates it, checks it is writable, and removes what
 * an earlier run left in `.tmp`.
 */
export const makeSpool = (directory: string): Effect.Effect<Spool, SpoolUnavailable> =>
  Effect.tryPromise({
    try: () => openSpool(directory),
    catch: (error) =>
      new SpoolUnavailable({ message: `spool directory "${directory}" is not usable: ${describe(error)}` })
  })

const openSpool = async (directory: string): Promise<Spool> => {
  const tmpDirectory = join(directory, TMP)
  await mkdir(tmpDirectory, { recursive: true })
  for (const leftover of (await readdir(tmpDirectory)).filter(isLeftover)) {
    await rm(join(tmpDirectory, leftover), { recursive: true, force: true })
  }
  const probe = join(tmpDirectory, `${process.pid}-probe`)
  await writeFileDurably(probe, new Uint8Array())
  await unlink(probe)
  await syncDirectory(directory)

  const committer = makeGroupCommitter(syncDirectory)
  const queueDirectories = new Map<string, Promise<string>>()
  let sequence = 0
  let filesWritten = 0

  // a new queue directory is itself an entry of `directory`, so that needs an fsync too
  const queueDirectory = (queue: string): Promise<string> => {
    let ready = queueDirectories.get(queue)
    if (ready === undefined) {
      const path = join(directory, queue)
      ready = mkdir(path, { recursive: true }).then(() => syncDirectory(directory)).then(() => path)
      ready.catch(() => queueDirectories.delete(queue))
      queueDirectories.set(queue, ready)
    }
    return ready
  }

  /** writes, fsyncs and renames one file; returns where it went, or throws after removing its traces */
  const place = async (delivery: Delivery): Promise<{ readonly directory: string; readonly path: string }> => {
    const target = await queueDirectory(delivery.queue)
    // unique even if the same id is being written to two queues at once
    const tmp = join(tmpDirectory, `${process.pid}-${delivery.messageId}.${++sequence}.json`)
    const path = join(target, `${delivery.messageId}.json`)
    try {
      await writeFileDurably(tmp, delivery.body)
      await rename(tmp, path)
    } catch (error) {
      await unlink(tmp).catch(() => undefined)
      // the queue directory may have been removed under us: recreate it next time
      queueDirectories.delete(delivery.queue)
      throw error
    }
    filesWritten++
    return { directory: target, path }
  }

  /** the last write failed for want of space; cleared by the next write that succeeds */
  let diskFull = false
  const publishAll = async (deliveries: ReadonlyArray<Delivery>): Promise<void> => {
    try {
      await placeAll(deliveries)
      diskFull = false
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOSPC") diskFull = true
      throw error
    }
  }
  const placeAll = async (deliveries: ReadonlyArray<Delivery>): Promise<void> => {
    const results = await Promise.allSettled(deliveries.map(place))
    const placed = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []))
    const failure = results.find((r) => r.status === "rejected")
    try {
      if (failure !== undefined) throw failure.reason
      await committer.commit(placed.map((p) => p.directory))
    } catch (error) {
      // the caller answers 451 and the client retries: take back what did get written
      await Promise.all(placed.map((p) => unlink(p.path).catch(() => undefined)))
      throw error
    }
  }

  return {
    publish: (deliveries) => {
      for (const delivery of deliveries) {
        const refused = unsafeNameReason(delivery.queue, "queue") ?? unsafeNameReason(delivery.messageId, "message id")
        if (refused !== undefined) return Effect.fail(new PublishFailed({ message: `spool refuses ${refused}` }))
      }
      return Effect.tryPromise({
        try: () => publishAll(deliveries),
        catch: (error) => new PublishFailed({ message: `spool write failed: ${describe(error)}` })
      })
    },
    // ready: writable, with room for more, and the last write did not run out of space
    isReady: Effect.promise(async () => {
      if (diskFull) return false
      try {
        await access(tmpDirectory, constants.W_OK)
        return (await freeBytes(tmpDirectory)) >= MIN_FREE_BYTES
      } catch {
        return false
      }
    }),
    stats: () => {
      const { batches, directorySyncs } = committer.stats()
      return { directoryFsyncBatches: batches, directoryFsyncs: directorySyncs, filesWritten }
    },
    idle: () => committer.idle()
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))
