import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"

const WRITER = new URL("../../../adapters/logging/stdout-lines.ts", import.meta.url).pathname
const dir = mkdtempSync(join(tmpdir(), "smtp-intake-log-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** A process that logs three lines through the daemon's writer, then ends the way `ending` says. */
const logThenEnd = (ending: string) => {
  const script = join(dir, `${ending.replace(/\W/g, "")}.ts`)
  writeFileSync(script, `import { writeLogLine } from ${JSON.stringify(WRITER)}
for (const line of ["one", "two", "three"]) writeLogLine(line)
${ending}
`)
  return spawnSync(process.execPath, [script], { encoding: "utf8" })
}

describe("log lines written together every few milliseconds", () => {
  it("come out whole and in order when the process ends normally", () => {
    expect(logThenEnd("").stdout).toBe("one\ntwo\nthree\n")
  })

  it("are not lost when the process exits at once or dies of an uncaught error", () => {
    const exited = logThenEnd("process.exit(3)")
    expect(exited.status).toBe(3)
    expect(exited.stdout).toBe("one\ntwo\nthree\n")
    const crashed = logThenEnd("throw new Error('boom')")
    expect(crashed.status).toBe(1)
    expect(crashed.stdout).toBe("one\ntwo\nthree\n")
  })

  it("come out whole and in order when a burst fills the buffer before the timer", () => {
    const burst = logThenEnd("for (let i = 0; i < 3000; i++) writeLogLine(`line ${i} ${'x'.repeat(90)}`)")
    const expected = ["one", "two", "three", ...Array.from({ length: 3000 }, (_, i) => `line ${i} ${"x".repeat(90)}`)]
    expect(burst.stdout).toBe(expected.map((line) => `${line}\n`).join(""))
  })

  it("from later turns follow the earlier ones", () => {
    const later = logThenEnd("setImmediate(() => { writeLogLine('four'); setTimeout(() => writeLogLine('five'), 10) })")
    expect(later.stdout).toBe("one\ntwo\nthree\nfour\nfive\n")
  })
})
