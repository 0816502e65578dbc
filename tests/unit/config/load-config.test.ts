import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { ConfigInvalid, loadConfig } from "../../../infrastructure/config/load-config.ts"

const directory = mkdtempSync(join(tmpdir(), "smtp-intake-config-"))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

const writeConfig = (name: string, text: string): string => {
  const file = join(directory, name)
  writeFileSync(file, text)
  return file
}

describe("loadConfig", () => {
  it("reads the file and the given environment", async () => {
    const file = writeConfig("good.conf", "smtp-port: 2525\nsmtp-range: 127.0.0.0/8\n")
    const settings = await Effect.runPromise(loadConfig(file, { SMTP_INTAKE_SMTP_TIMEOUT: "42" }))
    expect(settings.smtpPort).toEqual([2525])
    expect(settings.smtpRange.map((range) => range.text)).toEqual(["127.0.0.0/8"])
    expect(settings.smtpTimeout).toBe(42)
  })

  it("fails with ConfigInvalid listing every problem, one per line", async () => {
    const file = writeConfig("bad.conf", "smtp-port: 70000\nsmtp-prot: 25\n")
    const error = await Effect.runPromise(Effect.flip(loadConfig(file, { SMTP_INTAKE_SMTP_MAXSIZE: "huge" })))
    expect(error).toBeInstanceOf(ConfigInvalid)
    expect(error._tag).toBe("ConfigInvalid")
    expect(error.message.split("\n")).toEqual([
      `${file}:1: smtp-port: "70000" is not valid; expected ports like 25,2525,1024-1026 (each 1-65535)`,
      `${file}:2: smtp-prot: unknown key (MailerQ does not know it either); did you mean smtp-port?`,
      "environment SMTP_INTAKE_SMTP_MAXSIZE: smtp-maxsize: \"huge\" is not valid; expected a size like 100MB, 10KB, 1GB or 512 (bytes), more than 0 and at most 4GB"
    ])
  })

  it("fails with ConfigInvalid naming a missing file and the OS reason", async () => {
    const file = join(directory, "missing.conf")
    const error = await Effect.runPromise(Effect.flip(loadConfig(file, {})))
    expect(error._tag).toBe("ConfigInvalid")
    expect(error.message).toBe(`${file}: cannot read the config file: ENOENT: no such file or directory`)
  })

  it("fails with ConfigInvalid when the path is a directory", async () => {
    const error = await Effect.runPromise(Effect.flip(loadConfig(directory, {})))
    expect(error.message).toMatch(new RegExp(`^${directory}: cannot read the config file: EISDIR`))
  })

  it("uses process.env when no environment is given", async () => {
    const file = writeConfig("env.conf", "smtp-timeout: 10\n")
    const before = process.env["SMTP_INTAKE_SMTP_TIMEOUT"]
    process.env["SMTP_INTAKE_SMTP_TIMEOUT"] = "11"
    try {
      expect((await Effect.runPromise(loadConfig(file))).smtpTimeout).toBe(11)
    } finally {
      if (before === undefined) delete process.env["SMTP_INTAKE_SMTP_TIMEOUT"]
      else process.env["SMTP_INTAKE_SMTP_TIMEOUT"] = before
    }
  })
})
