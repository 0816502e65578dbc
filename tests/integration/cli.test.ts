import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { CLI } from "../support/daemon.ts"
import { freePort } from "../support/free-port.ts"
import { runTracked, spawnTracked } from "../support/processes.ts"
import { STARTUP_MS } from "../support/timing.ts"

const dir = mkdtempSync(join(tmpdir(), "smtp-intake-cli-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const configFile = (name: string, text: string) => {
  const file = join(dir, name)
  writeFileSync(file, text)
  return file
}

/** One run of the CLI; killed (code 1) should it still run after a start-up's allowance. */
const cli = async (args: ReadonlyArray<string>, env: Record<string, string> = {}) => {
  const { code, stdout, stderr } = await runTracked(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } })
  return { code: code ?? 1, stdout, stderr }
}

describe("smtp-intake --check-config", () => {
  it("prints the resolved settings with the broker password masked, and exits 0", async () => {
    const file = configFile("good.conf", "smtp-port: 2525\nrabbitmq-address: amqp://mq:s3cret@broker.example:5672/prod\n")
    const { code, stdout } = await cli(["--check-config", file])
    expect(code).toBe(0)
    expect(stdout).toMatch(/^smtp-port:\s+2525$/m)
    expect(stdout).toMatch(/^rabbitmq-inbox:\s+outbox$/m)
    expect(stdout).toContain("broker.example")
    expect(stdout).not.toContain("s3cret")
  })

  it("names file, line, key and the expected form for a bad value, and exits non-zero", async () => {
    const file = configFile("bad.conf", "# comment\nsmtp-port: 25,70000\nsmtp-rnage: 10.0.0.0/8\n")
    const { code, stderr } = await cli(["--check-config", file])
    expect(code).not.toBe(0)
    expect(stderr).toContain(`${file}:2: smtp-port`)
    expect(stderr).toContain(`${file}:3`)
    expect(stderr).toContain("smtp-range")
  })

  it("reads the file of --config as the daemon would, before or after the flag, and refuses two files", async () => {
    const file = configFile("flag.conf", "smtp-port: 2727\n")
    for (const args of [["--config", file, "--check-config"], ["--check-config", "--config", file]]) {
      const { code, stdout } = await cli(args)
      expect(code).toBe(0)
      expect(stdout).toMatch(/^smtp-port:\s+2727$/m)
    }
    const { code, stderr } = await cli(["--check-config", file, "--config", file])
    expect(code).toBe(2)
    expect(stderr).toContain("name two files")
  })

  it("lets SMTP_INTAKE_<KEY> override the file", async () => {
    const file = configFile("env.conf", "smtp-port: 2525\n")
    const { stdout } = await cli(["--check-config", file], { SMTP_INTAKE_SMTP_PORT: "2626" })
    expect(stdout).toMatch(/^smtp-port:\s+2626$/m)
  })
})

describe("smtp-intake --config", () => {
  it("refuses to start on a bad config with the error on stderr and exit code 1", async () => {
    const file = configFile("start-bad.conf", "smtp-maxsize: lots\n")
    const { code, stderr } = await cli(["--config", file])
    expect(code).toBe(1)
    expect(stderr).toContain(`${file}:1: smtp-maxsize`)
  })

  it("refuses to start when the port is taken, naming it", async () => {
    const port = await freePort()
    const first = configFile("first.conf", `smtp-ip: 127.0.0.1\nsmtp-port: ${port}\nembedded-spool-directory: ${join(dir, "spool")}\n`)
    const running = spawnTracked("the first daemon", process.execPath, [CLI, "--config", first])
    try {
      let output = ""
      running.child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")))
      const deadline = Date.now() + STARTUP_MS
      while (!output.includes("\"listening\"")) {
        if (running.child.exitCode !== null || Date.now() > deadline) throw new Error(`the first daemon did not start:\n${output}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      const { code, stderr } = await cli(["--config", first])
      expect(code).toBe(1)
      expect(stderr).toContain(`127.0.0.1:${port}`)
    } finally {
      await running.stop()
    }
  })

  it("prints usage and exits 2 without a config", async () => {
    const { code, stderr } = await cli([])
    expect(code).toBe(2)
    expect(stderr).toContain("--config FILE")
  })
})

describe("smtp-intake local|hostname|block", () => {
  const file = configFile("lists.conf", `database-address: sqlite://${join(dir, "lists", "intake.db")}\n`)

  it("adds, lists and removes local addresses, MTA hostnames and blocked ranges in the database", async () => {
    expect((await cli(["--config", file, "local", "add", "@example.com", "exact"])).code).toBe(0)
    expect((await cli(["--config", file, "local", "add", "*@lists.test", "fnmatch"])).code).toBe(0)
    expect((await cli(["--config", file, "local", "list"])).stdout).toBe("*@lists.test\tfnmatch\n@example.com\texact\n")
    expect((await cli(["--config", file, "hostname", "set", "192.0.2.10", "mx1.example.com"])).code).toBe(0)
    expect((await cli(["--config", file, "hostname", "list"])).stdout).toBe("192.0.2.10\tmx1.example.com\n")
    expect((await cli(["--config", file, "block", "add", "198.51.100.0/24"])).code).toBe(0)
    expect((await cli(["--config", file, "block", "remove", "198.51.100.0/24"])).stdout).toContain("removed")
    expect((await cli(["--config", file, "block", "list"])).stdout).toBe("")
    expect((await cli(["--config", file, "local", "remove", "@example.com"])).code).toBe(0)
    expect((await cli(["--config", file, "local", "list"])).stdout).toBe("*@lists.test\tfnmatch\n")
  })

  it("refuses bad values with the reason and exit code 1", async () => {
    const bad = await cli(["--config", file, "local", "add", "(unclosed", "regex"])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain("not a valid regular expression")
    expect((await cli(["--config", file, "block", "add", "300.1.1.1"])).code).toBe(1)
    expect((await cli(["--config", file, "hostname", "unset", "192.0.2.99"])).stderr).toContain("not on the list")
  })
})

describe("smtp-intake says what it does", () => {
  it("refuses an unknown command or a stray argument with the usage and exit code 2, starting nothing", async () => {
    const file = configFile("strict.conf", "smtp-port: 1\n")
    const unknown = await cli(["--config", file, "sned", "x"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown command \"sned\"")
    expect(unknown.stderr).toContain("usage: smtp-intake [--config FILE] [--config-file FILE]")
    const stray = await cli(["--config", file, "block", "list", "now"])
    expect(stray.code).toBe(2)
    expect(stray.stderr).toContain("unexpected argument \"now\"")
  })

  it("takes options after the command, and explains one command with --help", async () => {
    const file = configFile("after.conf", `database-address: sqlite://${join(dir, "after", "intake.db")}\n`)
    expect((await cli(["local", "add", "@after.example", "exact", "--config", file])).code).toBe(0)
    expect((await cli(["local", "list", `--config=${file}`])).stdout).toBe("@after.example\texact\n")
    const help = await cli(["simulate", "--help"])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain("--scenario FILE")
  })

  it("simulate: names what is wrong with a scenario, and gives the same output for the same seed", async () => {
    const file = configFile("simulate.conf", "smtp-connections-in: 20\nsmtp-timeout: 10\n")
    const scenario = configFile("bad-scenario.json", JSON.stringify({ arrivals: [{ fromSecond: 0, toSecond: 10, clientz: 5 }] }))
    const bad = await cli(["simulate", "--config", file, "--scenario", scenario])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain(`${scenario}: arrivals[0]: unknown field "clientz"`)
    const first = await cli(["simulate", "--config", file, "--seed", "9"])
    expect(first.code).toBe(0)
    expect(first.stdout).toContain("smtp-connections-in 20, smtp-connections-out unlimited; a held client waits at most 10.0 s")
    expect((await cli(["--seed", "9", "simulate", "--config", file])).stdout).toBe(first.stdout)
  })
})
