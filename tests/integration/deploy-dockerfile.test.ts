import { execFileSync } from "node:child_process"
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "../support/free-port.ts"
import { spawnTracked } from "../support/processes.ts"
import { commandExists, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"
import { STARTUP_MS, withStartup } from "../support/timing.ts"

/**
 * This machine has no container engine, so deploy/Dockerfile is replayed on the host instead:
 * its COPY lines into an empty directory, its `npm ci` (production dependencies only), its
 * config file, and its ENTRYPOINT + CMD, as an unprivileged user when the test runs as root.
 * What this proves is what would break the image: a runtime import of a devDependency, a
 * source folder the Dockerfile does not copy, or a config that does not start.
 */
const ROOT = new URL("../../", import.meta.url).pathname
const dockerfile = readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8")
/** Dockerfile lines with their `\` continuations joined */
const instructions = dockerfile.replace(/\\\n/g, " ").split("\n").filter((l) => /^[A-Z]+ /.test(l))
const argsOf = (keyword: string) =>
  instructions.filter((l) => l.startsWith(`${keyword} `)).map((l) => l.slice(keyword.length + 1).trim())

const jsonArray = (keyword: string): ReadonlyArray<string> => JSON.parse(argsOf(keyword)[0] ?? "[]") as Array<string>

/** The config the image writes: the lines of its `printf '%s\n' '...' > /etc/smtp-intake/smtp-intake.conf`. */
const imageConfig = (): string => {
  const run = argsOf("RUN").find((l) => l.includes("/etc/smtp-intake/smtp-intake.conf"))
  const printed = run?.match(/printf '%s\\n'(.*?)>\s*\/etc\/smtp-intake\/smtp-intake\.conf/)?.[1] ?? ""
  return [...printed.matchAll(/'([^']*)'/g)].map((m) => m[1]).join("\n") + "\n"
}

const NOBODY = 65534
const asRoot = process.getuid?.() === 0

describe("deploy/Dockerfile, replayed on the host", () => {
  const ready = serviceAvailable("swaks", commandExists("swaks"), "apt-get install swaks")
  let app = ""

  beforeAll(() => {
    if (!ready) return
    app = mkdtempSync(join(tmpdir(), "smtp-intake-image-"))
    chmodSync(app, 0o755)
    for (const copy of argsOf("COPY")) {
      const parts = copy.split(/\s+/)
      const destination = parts.pop()!
      for (const source of parts) {
        const target = destination.endsWith("/") ? join(app, destination, source) : join(app, destination)
        mkdirSync(dirname(target), { recursive: true })
        cpSync(join(ROOT, source), target, { recursive: true })
      }
    }
    const install = argsOf("RUN").find((l) => l.startsWith("npm ci"))!.split("&&")[0]!.trim().split(/\s+/)
    // the packages are in npm's cache from the checkout's own install: no download needed
    execFileSync("npm", [...install.slice(1), "--prefer-offline", "--no-audit", "--no-fund"], { cwd: app, stdio: "pipe", timeout: 120_000 })
    if (asRoot) execFileSync("chown", ["-R", `${NOBODY}:${NOBODY}`, app])
  }, 180_000)

  afterAll(() => {
    if (app !== "") rmSync(app, { recursive: true, force: true })
  })

  it.runIf(ready)("installs only production dependencies, and copies every source folder the daemon imports", () => {
    const installed = readdirSync(join(app, "node_modules"))
    for (const dev of ["vitest", "typescript", "fast-check", "node", "playwright-core"]) {
      expect(installed).not.toContain(dev)
    }
    for (const folder of ["domain", "application", "adapters", "infrastructure"]) expect(existsSync(join(app, folder))).toBe(true)
    expect(existsSync(join(app, "tests"))).toBe(false)
  })

  it.runIf(ready)("starts with the image's own config, unprivileged, and takes a message into its spool", async () => {
    const port = await freePort()
    const data = join(app, "var")
    mkdirSync(join(data, "spool"), { recursive: true })
    if (asRoot) chownSync(data, NOBODY, NOBODY), chownSync(join(data, "spool"), NOBODY, NOBODY)
    const config = join(app, "smtp-intake.conf")
    writeFileSync(config, imageConfig())
    expect(readFileSync(config, "utf8")).toContain("smtp-port:")
    const [command, ...entry] = jsonArray("ENTRYPOINT")
    const cmd = jsonArray("CMD").map((arg) => (arg === "/etc/smtp-intake/smtp-intake.conf" ? config : arg))
    expect(command).toBe("node")
    // `docker run -e SMTP_INTAKE_…` as the Dockerfile's header shows; port 25 needs root outside a container
    const daemon = spawnTracked("the image's daemon", process.execPath, [...entry, ...cmd], {
      cwd: app,
      env: {
        PATH: process.env.PATH ?? "",
        SMTP_INTAKE_SMTP_PORT: String(port),
        SMTP_INTAKE_SMTP_IP: "127.0.0.1",
        SMTP_INTAKE_SMTP_RANGE: "127.0.0.1",
        SMTP_INTAKE_EMBEDDED_SPOOL_DIRECTORY: join(data, "spool"),
        SMTP_INTAKE_DATABASE_ADDRESS: `sqlite://${join(data, "intake.db")}`
      },
      ...(asRoot ? { uid: NOBODY, gid: NOBODY } : {})
    })
    let output = ""
    daemon.child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    daemon.child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
    try {
      const deadline = Date.now() + STARTUP_MS
      while (!output.includes("\"listening\"")) {
        if (daemon.child.exitCode !== null || Date.now() > deadline) throw new Error(`the image's daemon did not start:\n${output}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      const sent = await swaks(port, ["--to", "someone@example.com", "--from", "sender@example.org"])
      expect(sent.code, sent.output).toBe(0)
      const id = queuedIds(sent.output).get("someone@example.com")!
      const file = readdirSync(join(data, "spool"), { recursive: true, encoding: "utf8" }).find((f) => f.endsWith(`${id}.json`))
      expect(file, "the spool holds the 250'd message").toBeDefined()
      const stored = JSON.parse(readFileSync(join(data, "spool", file!), "utf8")) as Record<string, unknown>
      expect(stored["recipient"]).toBe("someone@example.com")
    } finally {
      // SIGTERM, and its process group killed should it not stop
      expect((await daemon.stop("SIGTERM")).code).toBe(0)
    }
  }, withStartup(60_000))
})
