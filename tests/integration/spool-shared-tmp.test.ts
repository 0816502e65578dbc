import { spawn } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { mkdir, readdir, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { makeSpool } from "../../adapters/spool/spool-publisher.ts"
import { spawnTracked } from "../support/processes.ts"

const root = mkdtempSync(join(tmpdir(), "spool-shared-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** A pid that surely belongs to no running process: a child that has exited. */
const exitedPid = () =>
  new Promise<number>((resolve) => {
    const child = spawn("true")
    child.once("exit", () => resolve(child.pid ?? 0))
  })

describe("the spool's .tmp shared by smtp-threads workers", () => {
  it("removes at start only what processes that are gone left behind", async () => {
    const tmp = join(root, ".tmp")
    const sibling = spawnTracked("sleep", "sleep", ["10"]).child
    try {
      const gone = await exitedPid()
      await mkdir(tmp, { recursive: true })
      await writeFile(join(tmp, `${sibling.pid}-being-written.1.json`), "{\"mes")
      await writeFile(join(tmp, `${gone}-half-written.1.json`), "{\"mes")
      await writeFile(join(tmp, "from-an-older-version.1.json"), "{\"mes")
      await Effect.runPromise(makeSpool(root))
      expect(await readdir(tmp)).toEqual([`${sibling.pid}-being-written.1.json`])
    } finally {
      sibling.kill()
    }
  })
})
