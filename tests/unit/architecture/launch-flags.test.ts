import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { CLI_NODE_FLAGS } from "../../support/daemon.ts"

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8")
const FLAG = /--max-semi-space-size=\d+/g

/** V8 reads its heap flags only at start: every way of starting the daemon must give the same ones. */
describe("the daemon's V8 flags", () => {
  it("are the same in the command's first line, npm start, the Dockerfile, the systemd unit and the bench", () => {
    const launchers = {
      "infrastructure/bin/smtp-intake.ts": read("infrastructure/bin/smtp-intake.ts").split("\n")[0]!,
      "npm start": (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts["start"]!,
      "deploy/Dockerfile": read("deploy/Dockerfile").split("\n").find((line) => line.startsWith("ENTRYPOINT"))!,
      "deploy/smtp-intake.service": read("deploy/smtp-intake.service").split("\n").find((line) => line.startsWith("ExecStart="))!,
      "scripts/bench/bench-daemon.ts": read("scripts/bench/bench-daemon.ts").split("\n").find((line) => line.startsWith("export const DAEMON_FLAGS"))!
    }
    const flags = Object.fromEntries(Object.entries(launchers).map(([where, line]) => [where, line.match(FLAG) ?? []]))
    const first = flags["infrastructure/bin/smtp-intake.ts"]!
    expect(first).toHaveLength(1)
    for (const found of Object.values(flags)) expect(found).toEqual(first)
    // and the daemons the tests start get them too
    expect(CLI_NODE_FLAGS).toEqual(first)
  })
})
