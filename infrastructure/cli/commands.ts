/**
 * Every command of `smtp-intake`, one entry each: its options, verbs and what runs it. Each
 * command imports its implementation only when it runs, so that `--version` or a list command
 * loads nothing of the daemon (issue 16: fast start).
 */
import type { CommandSpec } from "./arguments.ts"

const CONFIG = { value: "FILE", help: "the config file (every key may also come from SMTP_INTAKE_<KEY>)" } as const

const listCommand = (name: string, summary: string, verbs: Readonly<Record<string, ReadonlyArray<string>>>): CommandSpec => ({
  name,
  summary,
  options: { "--config": CONFIG },
  required: ["--config"],
  verbs,
  details: "Changes the list in database-address directly; a running daemon sees the change within a second.",
  run: async ({ options, command, verb, args }) =>
    (await import("../config-commands.ts")).changeLists(options["--config"]!, [command.name, verb!, ...args])
})

export const COMMANDS: ReadonlyArray<CommandSpec> = [
  {
    name: "",
    summary: "run the SMTP server in the foreground",
    options: { "--config": CONFIG },
    required: ["--config"],
    details: "Every setting may also come from the environment as SMTP_INTAKE_<KEY> (e.g. SMTP_INTAKE_SMTP_PORT=2525).",
    run: async ({ options }) => (await import("../run-daemon.ts")).runDaemon(options["--config"]!)
  },
  {
    name: "check-config",
    flag: "--check-config",
    summary: "print the resolved settings (secrets masked), or the errors",
    options: {},
    run: async ({ options }) => (await import("../config-commands.ts")).checkConfig(options["--check-config"]!)
  },
  {
    name: "simulate",
    summary: "simulate the connection budgets of a config under a load, in simulated time",
    options: {
      "--config": CONFIG,
      "--scenario": { value: "FILE", help: "the load, as JSON: arrivals, bursts, sessionSeconds, patienceSeconds, outgoing (README)" },
      "--seed": { value: "N", help: "the run's seed (1): the same seed gives the same output, byte for byte" },
      "--json": { help: "everything as JSON, with the per-second timeline" }
    },
    required: ["--config"],
    details: "The budgets are smtp-connections, -in, -out and smtp-timeout (a held client waits at most a minute) from the config.\n" +
      "The invariants of the budget are checked after every event; a broken one prints the shortest failing run and how to replay it.",
    run: async ({ options }) =>
      (await import("../simulate-command.ts")).simulate({
        config: options["--config"]!,
        scenario: options["--scenario"],
        seed: options["--seed"],
        json: options["--json"] !== undefined
      })
  },
  listCommand("local", "the local addresses", { list: [], add: ["PATTERN", "[exact|fnmatch|substr|regex]"], remove: ["PATTERN"] }),
  listCommand("hostname", "the MTA hostnames of local IPs", { list: [], set: ["IP", "HOSTNAME"], unset: ["IP"] }),
  listCommand("block", "the blocked IPs and ranges", { list: [], add: ["IP_OR_RANGE"], remove: ["IP_OR_RANGE"] })
]
