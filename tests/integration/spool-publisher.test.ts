import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Publisher } from "../../application/ports/publisher.ts"
import type { Delivery } from "../../application/ports/publisher.ts"
import { makeSpool, SpoolPublisher } from "../../adapters/spool/spool-publisher.ts"

const root = mkdtempSync(join(tmpdir(), "spool-test-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))
let dirs = 0
const freshDirectory = () => join(root, `spool-${++dirs}`)

const delivery = (queue: string, n: number): Delivery => ({
  queue,
  messageId: `msg-${n}`,
  body: new TextEncoder().encode(JSON.stringify({ "message-id": `msg-${n}`, mime: `caf\u00e9 ${n}\r\n` }))
})

const withPublisher = <A, E>(directory: string, use: (publisher: Publisher["Service"]) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    return yield* use(yield* Publisher)
  }).pipe(Effect.provide(SpoolPublisher.layer({ directory })))

describe("SpoolPublisher", () => {
  it.live("writes one byte-exact file per delivery and leaves nothing in .tmp", () => {
    const directory = freshDirectory()
    const batch = [delivery("inbox", 1), delivery("inbox", 2), delivery("local", 3)]
    return withPublisher(directory, (publisher) =>
      Effect.gen(function*() {
        assert.isTrue(yield* publisher.isReady)
        yield* publisher.publish(batch)
        for (const d of batch) {
          const content = yield* Effect.promise(() => readFile(join(directory, d.queue, `${d.messageId}.json`)))
          assert.deepStrictEqual(new Uint8Array(content), d.body)
        }
        assert.deepStrictEqual(yield* Effect.promise(() => readdir(join(directory, ".tmp"))), [])
      })
    )
  })

  it.live("removes leftovers of an earlier run from .tmp at start", () => {
    const directory = freshDirectory()
    return Effect.gen(function*() {
      yield* Effect.promise(async () => {
        await mkdir(join(directory, ".tmp"), { recursive: true })
        await writeFile(join(directory, ".tmp", "half-written.1.json"), "{\"mes")
      })
      yield* withPublisher(directory, () => Effect.void)
      assert.deepStrictEqual(yield* Effect.promise(() => readdir(join(directory, ".tmp"))), [])
    })
  })

  it.live("shares directory fsyncs among 200 concurrent publishes", () => {
    const directory = freshDirectory()
    const all = Array.from({ length: 200 }, (_, n) => delivery("inbox", n))
    return Effect.gen(function*() {
      const spool = yield* makeSpool(directory)
      yield* Effect.forEach(all, (d) => spool.publish([d]), { concurrency: "unbounded", discard: true })
      const files = yield* Effect.promise(() => readdir(join(directory, "inbox")))
      assert.strictEqual(files.length, 200)
      const stats = spool.stats()
      assert.strictEqual(stats.filesWritten, 200)
      assert.isAtLeast(stats.directoryFsyncBatches, 1)
      assert.isBelow(stats.directoryFsyncBatches, 50, `batches: ${stats.directoryFsyncBatches}`)
    })
  })

  it.live("fails at start with SpoolUnavailable naming the path when the directory cannot be made", () => {
    const blocker = join(root, `a-file-${++dirs}`)
    const directory = join(blocker, "spool")
    return Effect.gen(function*() {
      yield* Effect.promise(() => writeFile(blocker, "not a directory"))
      const exit = yield* Effect.exit(withPublisher(directory, () => Effect.void))
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(withPublisher(directory, () => Effect.void))
      assert.strictEqual(error._tag, "SpoolUnavailable")
      assert.include(error.message, directory)
      assert.include(error.message, "ENOTDIR")
    })
  })

  it.live("refuses queue names and ids that could escape the spool", () => {
    const directory = freshDirectory()
    const bad: ReadonlyArray<Delivery> = [
      { ...delivery("inbox", 1), queue: "../etc" },
      { ...delivery("inbox", 2), queue: "a/b" },
      { ...delivery("inbox", 3), queue: ".tmp" },
      { ...delivery("inbox", 4), queue: "" },
      { ...delivery("inbox", 5), messageId: "x\0y" },
      { ...delivery("inbox", 6), messageId: "../../x" }
    ]
    return withPublisher(directory, (publisher) =>
      Effect.gen(function*() {
        for (const d of bad) {
          const error = yield* Effect.flip(publisher.publish([delivery("inbox", 0), d]))
          assert.strictEqual(error._tag, "PublishFailed")
          assert.include(error.message, "spool refuses")
        }
        // refused before anything was written, not even the good delivery beside it
        assert.deepStrictEqual(yield* Effect.promise(() => readdir(directory)), [".tmp"])
      })
    )
  })
})
