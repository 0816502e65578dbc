import { execFileSync } from "node:child_process"
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join, relative } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "../support/free-port.ts"
import { spawnTracked } from "../support/processes.ts"
import { commandExists, serviceAvailable } from "../support/services.ts"
import { queuedIds, swaks } from "../support/smtp-clients.ts"
import { STARTUP_MS, withStartup } from "../support/timing.ts"

/**
 * This machine has no container engine, so deploy/Dockerfile is replayed on the host instead:
 * its build stage (its COPY lines into an empty directory, the checkout's dev dependencies in place
 * of its `npm ci`, its build command), then the image: its COPY lines (the build's `dist/` for
 * `--from=build`) into another empty directory, its `npm ci` (production dependencies only), its
 * config file, and its ENTRYPOINT + CMD, as an unprivileged user when the test runs as root.
 * What this proves is what would break the image: a runtime import of a devDependency, a file the
 * build or the image does not copy, or a config that does not start.
 */
const ROOT = new URL("../../", import.meta.url).pathname
const dockerfile = readFileSync(join(ROOT, "deploy/Dockerfile"), "utf8")
/** Dockerfile lines with their `\` continuations joined */
const instructions = dockerfile.replace(/\\\n/g, " ").split("\n").filter((l) => /^[A-Z]+ /.test(l))
/** the instructions of each stage, from its FROM to the next: the build stage, then the image */
const stages = instructions.reduce<Array<Array<string>>>((all, l) => (l.startsWith("FROM ") ? [...all, [l]] : (all.at(-1)?.push(l), all)), [])
const buildStage = stages.length > 1 ? stages[0]! : []
const imageStage = stages.at(-1) ?? []
const argsIn = (stage: ReadonlyArray<string>, keyword: string) =>
  stage.filter((l) => l.startsWith(`${keyword} `)).map((l) => l.slice(keyword.length + 1).trim())
const argsOf = (keyword: string) => argsIn(imageStage, keyword)
const BUILD_WORKDIR = argsIn(buildStage, "WORKDIR")[0] ?? "/src"

/** A stage's COPY lines into `into`; `--from=build` copies from the replayed build stage's directory. */
const replayCopies = (stage: ReadonlyArray<string>, into: string, built: string) => {
  for (const copy of argsIn(stage, "COPY")) {
    const parts = copy.split(/\s+/)
    const fromBuild = parts[0] === "--from=build"
    if (fromBuild) parts.shift()
    const destination = parts.pop()!
    for (const source of parts) {
      const target = destination.endsWith("/") ? join(into, destination, source) : join(into, destination)
      mkdirSync(dirname(target), { recursive: true })
      cpSync(fromBuild ? join(built, relative(BUILD_WORKDIR, source)) : join(ROOT, source), target, { recursive: true })
    }
  }
}

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
  let built = ""

  beforeAll(() => {
    if (!ready) return
    built = mkdtempSync(join(tmpdir(), "smtp-intake-image-build-"))
    replayCopies(buildStage, built, built)
    symlinkSync(join(ROOT, "node_modules"), join(built, "node_modules"))
    for (const run of argsIn(buildStage, "RUN").filter((l) => !l.startsWith("npm ci"))) {
      const [command, ...args] = run.split(/\s+/)
      execFileSync(command === "node" ? process.execPath : command!, args, { cwd: built, stdio: "pipe", timeout: 120_000 })
    }
    app = mkdtempSync(join(tmpdir(), "smtp-intake-image-"))
    chmodSync(app, 0o755)
    replayCopies(imageStage, app, built)
    const install = argsOf("RUN").find((l) => l.startsWith("npm ci"))!.split("&&")[0]!.trim().split(/\s+/)
    // the packages are in npm's cache from the checkout's own install: no download needed
    execFileSync("npm", [...install.slice(1), "--prefer-offline", "--no-audit", "--no-fund"], { cwd: app, stdio: "pipe", timeout: 120_000 })
    if (asRoot) execFileSync("chown", ["-R", `${NOBODY}:${NOBODY}`, app])
  }, 180_000)

  afterAll(() => {
    for (const dir of [app, built]) if (dir !== "") rmSync(dir, { recursive: true, force: true })
  })

  it.runIf(ready)("installs only production dependencies, and holds the built command but no sources", () => {
    const installed = readdirSync(join(app, "node_modules"))
    for (const dev of ["vitest", "typescript", "fast-check", "node", "playwright-core", "rolldown"]) {
      expect(installed).not.toContain(dev)
    }
    expect(existsSync(join(app, jsonArray("ENTRYPOINT").at(-1)!))).toBe(true)
    for (const folder of ["domain", "application", "adapters", "infrastructure", "tests"]) expect(existsSync(join(app, folder))).toBe(false)
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
