/**
 * Fast start (issue 16): a command loads only what it needs. The heavy optional packages (pg, mysql2,
 * mailauth, ldapts, radius) are imported when a config asks for them, never because a module on the
 * way imports them statically. A resolve hook records every package a run of the CLI imports.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { pathToFileURL } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { CLI, CLI_NODE_FLAGS } from "../support/daemon.ts"
import { freePort } from "../support/free-port.ts"
import { startListening } from "../support/listening-daemon.ts"
import { runTracked } from "../support/processes.ts"

const dir = mkdtempSync(join(tmpdir(), "smtp-intake-loads-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const hook = join(dir, "record-packages.mjs")
writeFileSync(hook, [
  "import { registerHooks } from \"node:module\"",
  "import { appendFileSync } from \"node:fs\"",
  "registerHooks({ resolve(specifier, context, next) {",
  "  if (!specifier.startsWith(\".\") && !specifier.startsWith(\"/\") && !specifier.includes(\":\")) appendFileSync(process.env.LOADS_LOG, specifier + \"\\n\")",
  "  return next(specifier, context)",
  "} })"
].join("\n"))

const OPTIONAL = ["pg", "mysql2", "mailauth", "ldapts", "radius"]

const nodeArgs = ["--import", pathToFileURL(hook).href, ...CLI_NODE_FLAGS, CLI]

/** The packages (first path segment, or scope/name) named in a log of the hook. */
const packagesIn = (log: string) =>
  new Set(readFileSync(log, "utf8").split("\n").filter((line) => line !== "")
    .map((specifier) => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/")))

/** The packages a run of the CLI to its end imported. */
const packagesLoadedBy = async (name: string, args: ReadonlyArray<string>) => {
  const log = join(dir, `${name}.log`)
  writeFileSync(log, "")
  const { code, stderr } = await runTracked(process.execPath, [...nodeArgs, ...args], { env: { ...process.env, LOADS_LOG: log } })
  expect(stderr).toBe("")
  expect(code).toBe(0)
  return packagesIn(log)
}

describe("each command loads only what it needs", () => {
  const config = join(dir, "sqlite.conf")
  writeFileSync(config, `database-address: sqlite://${join(dir, "intake.db")}\nsmtp-range: 127.0.0.0/8\n`)

  it("--version loads no Effect and none of the optional packages", async () => {
    const loaded = await packagesLoadedBy("version", ["--version"])
    expect([...loaded].filter((name) => name === "effect" || OPTIONAL.includes(name))).toEqual([])
  })

  it("a list command and --check-config with a SQLite database-address load none of the optional packages", async () => {
    for (const [name, args] of [["list", ["--config", config, "local", "list"]], ["check", ["--check-config", config]]] as const) {
      const loaded = await packagesLoadedBy(name, args)
      expect(loaded.has("effect")).toBe(true) // the hook sees what is loaded
      expect([...loaded].filter((name) => OPTIONAL.includes(name))).toEqual([])
    }
  })

  it("the daemon with a SQLite database-address and no smtp-auth, smtp-check or management-port loads none of them", async () => {
    const log = join(dir, "daemon.log")
    writeFileSync(log, "")
    const daemonConfig = join(dir, "daemon.conf")
    writeFileSync(daemonConfig, `smtp-ip: 127.0.0.1\nsmtp-port: ${await freePort()}\nsmtp-range: 127.0.0.0/8\n` +
      `embedded-spool-directory: ${join(dir, "spool")}\ndatabase-address: sqlite://${join(dir, "daemon.db")}\n`)
    const { process: daemon } = await startListening("the daemon", process.execPath, [...nodeArgs, "--config", daemonConfig], { env: { ...process.env, LOADS_LOG: log } })
    expect((await daemon.stop()).code).toBe(0)
    expect([...packagesIn(log)].filter((name) => OPTIONAL.includes(name))).toEqual([])
  })
})
