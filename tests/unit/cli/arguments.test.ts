import { describe, expect, it } from "vitest"
import { parseArguments, usage } from "../../../infrastructure/cli/arguments.ts"
import { COMMANDS } from "../../../infrastructure/cli/commands.ts"

const parse = (...args: Array<string>) => parseArguments(COMMANDS, args)

const ran = (...args: Array<string>) => {
  const request = parse(...args)
  if (request._tag !== "Run") throw new Error(`expected a command to run, got ${JSON.stringify(request)}`)
  const { command, options, verb, args: rest } = request.invocation
  return { command: command.name, options, verb, args: rest }
}

const errorOf = (...args: Array<string>) => {
  const request = parse(...args)
  return request._tag === "Error" ? request.message : `no error (${request._tag})`
}

describe("the command line", () => {
  it("runs the daemon with --config alone, in either spelling", () => {
    expect(ran("--config", "a.conf")).toEqual({ command: "", options: { "--config": "a.conf" }, verb: undefined, args: [] })
    expect(ran("--config=a.conf").options).toEqual({ "--config": "a.conf" })
  })

  it("takes options before or after the command", () => {
    const before = ran("--config", "f.conf", "local", "add", "x@example.com", "exact")
    expect(ran("local", "add", "x@example.com", "exact", "--config", "f.conf")).toEqual(before)
    expect(ran("local", "--config", "f.conf", "add", "x@example.com", "exact")).toEqual(before)
    expect(before).toEqual({ command: "local", options: { "--config": "f.conf" }, verb: "add", args: ["x@example.com", "exact"] })
  })

  it("refuses an unknown command instead of starting the daemon", () => {
    expect(errorOf("--config", "f.conf", "sned", "x")).toBe("unknown command \"sned\"")
  })

  it("refuses stray arguments, unknown verbs and options, and missing arguments", () => {
    expect(errorOf("--config", "f.conf", "local", "list", "extra")).toBe("unexpected argument \"extra\"")
    expect(errorOf("--check-config", "f.conf", "extra")).toBe("unexpected argument \"extra\"")
    expect(errorOf("--config", "f.conf", "local", "purge")).toBe("unknown local command \"purge\"")
    expect(errorOf("--config", "f.conf", "--colour")).toBe("unknown option --colour")
    expect(errorOf("--config", "f.conf", "hostname", "set", "192.0.2.1")).toBe("hostname set needs HOSTNAME")
    expect(errorOf("simulate")).toBe("--config FILE is required")
    expect(errorOf("--config")).toBe("--config needs a FILE")
    expect(errorOf("--config", "a", "--config", "b")).toBe("--config is given twice")
  })

  it("takes a negative number as a value, for the command to judge (--seed -3), not as an option", () => {
    expect(ran("--config", "f.conf", "simulate", "--seed", "-3").options).toEqual({ "--config": "f.conf", "--seed": "-3" })
  })

  it("gives help for a command, or for all, and the version", () => {
    expect(parse("local", "--help")).toMatchObject({ _tag: "Help", command: { name: "local" } })
    expect(parse("-h")).toEqual({ _tag: "Help", command: undefined })
    expect(parse("nonsense", "--help")).toEqual({ _tag: "Help", command: undefined })
    expect(parse("--version")).toEqual({ _tag: "Version" })
  })

  it("lists every command in the usage", () => {
    const text = usage(COMMANDS)
    for (const command of COMMANDS) expect(text).toContain(command.flag ?? command.name)
  })

  it("keeps the usage readable in a terminal: no line wider than 100 columns, many options as [options]", () => {
    const text = usage(COMMANDS)
    for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(100)
    expect(text).toContain("smtp-intake send [options] RCPT...")
  })
})
