/**
 * The package as a user gets it (issue 16): `npm pack` (which builds `dist/`), the tarball
 * installed into a fresh project that imports `smtp-intake/domain` from plain JavaScript and
 * type-checks TypeScript against it, and installed globally (`npm install -g`, into a temporary
 * prefix) as the `smtp-intake` command, whose daemon then serves SMTP from the built JavaScript.
 * The README's examples of both run here as written, and must print what the README shows.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, dirname, join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "../support/free-port.ts"
import { startListening } from "../support/listening-daemon.ts"
import { runTracked } from "../support/processes.ts"
import { withStartup } from "../support/timing.ts"
import { wireClient } from "../support/wire-client.ts"

const ROOT = join(import.meta.dirname, "../..")
const dir = mkdtempSync(join(tmpdir(), "smtp-intake-package-"))
const project = join(dir, "consumer")
const prefix = join(dir, "global")
/** npm and the installed command run on this Node (24), not on whatever `node` the machine has first */
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env["PATH"] ?? ""}`, npm_config_audit: "false", npm_config_fund: "false" }

const run = async (command: string, args: ReadonlyArray<string>, cwd?: string) => {
  const result = await runTracked(command, cwd === undefined ? args : ["--prefix", cwd, ...args], { env, timeoutMs: withStartup(120_000) })
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.code}:\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

/** The fenced block of `language` after `marker` in the README's section `heading`. */
const readmeBlock = (heading: string, marker: string, language: string) => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8")
  const section = readme.indexOf(`\n## ${heading}\n`)
  const from = readme.indexOf(marker, section)
  const start = readme.indexOf(`\n\`\`\`${language}\n`, from)
  if (section === -1 || from === -1 || start === -1) throw new Error(`README: no ${language} block after "${marker}" in "${heading}"`)
  const body = start + language.length + 5
  return readme.slice(body, readme.indexOf("\n```\n", body) + 1)
}

const node = (args: ReadonlyArray<string>) => runTracked(process.execPath, args, { env })

let tarball = ""

beforeAll(async () => {
  await run("npm", ["pack", "--silent", "--pack-destination", dir, ROOT])
  tarball = join(dir, readdirSync(dir).find((name) => name.endsWith(".tgz"))!)
  mkdirSync(project)
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }))
  await run("npm", ["install", "--prefer-offline", "--no-package-lock", tarball], project)
}, withStartup(240_000))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("smtp-intake/domain, installed from the packed tarball", () => {
  it("is imported from plain Node JavaScript", async () => {
    writeFileSync(join(project, "use.js"), [
      "import { validateMailbox, parseIpRange, rangeContains, decide, replay, parseProxyHeader, extractMqHeaders, parseConfig } from \"smtp-intake/domain\"",
      "const strict = { mode: \"strict\", utf8: false }",
      "console.log(JSON.stringify({",
      "  good: validateMailbox(\"alice@example.com\", strict).valid,",
      "  bad: validateMailbox(\"alice@@example.com\", strict).valid,",
      "  inside: rangeContains(parseIpRange(\"192.0.2.0/24\"), \"192.0.2.7\"),",
      "  replayed: replay([]).phase,",
      "  decider: typeof decide,",
      "  proxy: parseProxyHeader(new TextEncoder().encode(\"PROXY TCP4 198.51.100.1 192.0.2.1 5000 25\\r\\n\"))._tag,",
      "  xmq: extractMqHeaders(new TextEncoder().encode(\"x-mq-tag: a\\r\\n\\r\\nbody\")).properties,",
      "  config: parseConfig({ text: \"smtp-port: 2525\\n\", file: \"x.conf\", env: {} }).settings.smtpPort",
      "}))"
    ].join("\n"))
    const { code, stdout, stderr } = await node([join(project, "use.js")])
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual({
      good: true, bad: false, inside: true, replayed: "idle", decider: "function", proxy: "Parsed",
      xmq: { tags: ["a"] }, config: [2525]
    })
  })

  it("type-checks TypeScript against its declarations, and refuses a wrong use", async () => {
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "es2024", lib: ["es2024"], module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, types: [] },
      files: ["use.ts"]
    }))
    const use = (body: string) =>
      writeFileSync(join(project, "use.ts"),
        `import { validateMailbox, parseIpRange, simulateConnections, type AddressVerdict, type Settings, type SimulationResult } from "smtp-intake/domain"\n${body}\n`)
    const tsc = () => node([join(ROOT, "node_modules/typescript/bin/tsc"), "-p", project])
    use("const verdict: AddressVerdict = validateMailbox(\"a@b.example\", { mode: \"loose\", utf8: true })\n" +
      "const range = parseIpRange(\"10.0.0.0/8\")\nconst port: Settings[\"smtpPort\"] | undefined = undefined\n" +
      "const run: SimulationResult = simulateConnections({ total: 10, incoming: 5, outgoing: undefined, maxWaiting: 100, maxWaitMs: 60_000 }, { bursts: [] }, 3)\n" +
      "export { verdict, range, port, run }")
    expect((await tsc()).stdout).toBe("")
    use("export const wrong = validateMailbox(\"a@b.example\", { mode: \"sloppy\", utf8: true })")
    const refused = await tsc()
    expect(refused.code).not.toBe(0)
    expect(refused.stdout).toContain("sloppy")
  })

  it("exposes only its exports map: internal modules are not reachable", async () => {
    const { code, stderr } = await node(["--input-type=module", "-e", "await import(\"smtp-intake/dist/domain/ip/ip-range.js\")"])
    expect(code).not.toBe(0)
    expect(stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED")
  })
})

describe("the README's examples, as written", () => {
  it("Use as a library: example.js prints what the README shows", async () => {
    writeFileSync(join(project, "example.js"), readmeBlock("Use as a library", "`example.js`:", "js"))
    expect(readmeBlock("Use as a library", "`example.js`:", "sh")).toBe("node example.js\n")
    const { stdout, stderr } = await node([join(project, "example.js")])
    expect(stderr).toBe("")
    expect(stdout).toBe(readmeBlock("Use as a library", "node example.js", "text"))
  })

  it("Use as a library: example.js type-checks against the declarations (a TypeScript user copying it gets no error)", async () => {
    const checked = join(project, "checked")
    mkdirSync(checked)
    writeFileSync(join(checked, "example.js"), readmeBlock("Use as a library", "`example.js`:", "js"))
    writeFileSync(join(checked, "tsconfig.json"), JSON.stringify({
      // strict off: plain JavaScript need not prove that parseIpRange found a range; every other type is checked
      compilerOptions: { target: "es2024", lib: ["es2024", "dom"], module: "nodenext", moduleResolution: "nodenext", strict: false, allowJs: true, checkJs: true, noEmit: true, types: [] },
      files: ["example.js"]
    }))
    const tsc = await node([join(ROOT, "node_modules/typescript/bin/tsc"), "-p", checked])
    expect(tsc.stdout).toBe("")
    expect(tsc.code).toBe(0)
  })
})

describe("the smtp-intake command, installed globally from the tarball", () => {
  const bin = join(prefix, "bin", "smtp-intake")

  beforeAll(async () => {
    mkdirSync(join(prefix, "lib"), { recursive: true })
    await run("npm", ["install", "--global", "--prefer-offline", "--prefix", prefix, tarball])
  }, withStartup(240_000))

  it("says its version and checks a config", async () => {
    const version = await runTracked(bin, ["--version"], { env })
    expect(version.stdout).toMatch(/^smtp-intake \d+\.\d+\.\d+\n$/)
    const file = join(dir, "check.conf")
    writeFileSync(file, "smtp-port: 2525\nrabbitmq-address: amqp://mq:s3cret@broker.example/\n")
    const check = await runTracked(bin, ["--check-config", file], { env })
    expect(check.code).toBe(0)
    expect(check.stdout).toMatch(/^smtp-port:\s+2525$/m)
    expect(check.stdout).not.toContain("s3cret")
  })

  it("on a Node older than 24 (the first `node` on a user's PATH may be) says so in one line and exits 1", async () => {
    const olderNode = "data:text/javascript,Object.defineProperty(process, \"versions\", { value: { ...process.versions, node: \"20.19.0\" } });" +
      "Object.defineProperty(process, \"version\", { value: \"v20.19.0\" })"
    const file = join(dir, "old-node.conf")
    writeFileSync(file, "smtp-port: 2525\n")
    for (const args of [["--check-config", file], ["--config", file], ["--version"]]) {
      const old = await node(["--import", olderNode, bin, ...args])
      expect(old.stderr).toBe(`smtp-intake needs Node.js 24 or later; ${process.execPath} is v20.19.0\n`)
      expect(old.code).toBe(1)
    }
  })

  it("Simulate your limits: the README's example prints what the README shows", async () => {
    const example = join(dir, "simulate-example")
    mkdirSync(example)
    writeFileSync(join(example, "limits.conf"), readmeBlock("Simulate your limits", "`limits.conf`:", ""))
    writeFileSync(join(example, "arrivals.json"), readmeBlock("Simulate your limits", "`arrivals.json`:", "json"))
    const [command, ...args] = readmeBlock("Simulate your limits", "`arrivals.json`:", "sh").trim().split(/\s+/)
    expect(command).toBe("smtp-intake")
    const expected = readmeBlock("Simulate your limits", "--scenario arrivals.json", "text")
    const first = await runTracked("sh", ["-c", `cd "$0" && exec "$@"`, example, bin, ...args], { env })
    expect(first.stderr).toBe("")
    expect(first.stdout).toBe(expected)
    // the same seed, the same output byte for byte; and as JSON, the per-second timeline
    const json = await runTracked("sh", ["-c", `cd "$0" && exec "$@"`, example, bin, ...args, "--json", "--seed", "1"], { env })
    const parsed = JSON.parse(json.stdout) as { summary: { clients: number }; timeline: Array<{ second: number; arrived: number }> }
    expect(parsed.summary.clients).toBe(500)
    expect(parsed.timeline.map((s) => s.second)).toEqual(parsed.timeline.map((_, i) => i))
    expect(parsed.timeline.reduce((sum, s) => sum + s.arrived, 0)).toBe(500)
  })

  it("runs the daemon from the built JavaScript: it takes a message into the spool and stops on SIGTERM", async () => {
    const port = await freePort()
    const file = join(dir, "daemon.conf")
    writeFileSync(file, `smtp-ip: 127.0.0.1\nsmtp-port: ${port}\nsmtp-range: 127.0.0.0/8\nsmtp-hostname: packed.test\n` +
      `embedded-spool-directory: ${join(dir, "spool")}\ndatabase-address: sqlite://${join(dir, "intake.db")}\n`)
    const { process: daemon } = await startListening("the installed daemon", bin, ["--config", file], { env })
    try {
      const client = await wireClient(port)
      expect(await client.reply()).toMatch(/^220 packed\.test /)
      for (const line of ["EHLO client.test", "MAIL FROM:<a@client.test>", "RCPT TO:<b@packed.test>", "DATA"]) {
        client.send(`${line}\r\n`)
        expect(await client.reply()).toMatch(/^(250|354)[ -]/)
      }
      client.send("Subject: packed\r\n\r\nhello\r\n.\r\n")
      const queued = await client.reply()
      expect(queued).toMatch(/^250 /m)
      client.send("QUIT\r\n")
      expect(await client.reply()).toMatch(/^221 /)
      client.close()
      const id = /(\S+) for b@packed\.test/.exec(queued)![1]!
      const document = JSON.parse(readFileSync(join(dir, "spool", "outbox", `${id}.json`), "utf8")) as { recipient: string; mime: string }
      expect(document.recipient).toBe("b@packed.test")
      expect(document.mime).toContain("Subject: packed")
    } finally {
      expect((await daemon.stop()).code).toBe(0)
    }
  })
})
