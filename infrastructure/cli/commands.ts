/**
 * Every command of `smtp-intake`, one entry each: its options, verbs and what runs it. Each
 * command imports its implementation only when it runs, so that `--version` or a list command
 * loads nothing of the daemon (issue 16: fast start).
 */
import { configSources } from "../config/config-arguments.ts"
import type { ResolvedConfig } from "../config/config-arguments.ts"
import { commandHelp, ownOptions } from "./arguments.ts"
import type { CommandSpec, Invocation, OptionSpec } from "./arguments.ts"

/** The config, as MailerQ layers it (`multiple-instances.md`); any key may also be given as `--key=VALUE`. */
const CONFIG_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "--config": { value: "FILE", help: "the config file, alone" },
  "--config-file": { value: "FILE", help: "a config file read over the default one ($SMTP_INTAKE_CONFIG or /etc/smtp-intake/smtp-intake.conf)" }
}

const CONFIG_DETAILS = "Without --config or --config-file the default file is read. Every setting may also come from the\n" +
  "environment as SMTP_INTAKE_<KEY> or MAILERQ_<KEY> (e.g. SMTP_INTAKE_SMTP_PORT=2525), which wins over\n" +
  "the files, and from the command line as --<key>=VALUE (e.g. --smtp-port=2525), which wins over both."

/** Runs `run` with the config the invocation names (files, environment, `--key=value`), or says why it cannot (exit 2). */
const withConfig = async (invocation: Invocation, run: (config: ResolvedConfig) => Promise<void>) => {
  // the file alone: `--config FILE`, or `--check-config FILE`
  const alone = [invocation.options["--config"], invocation.options["--check-config"] || undefined].filter((file) => file !== undefined)
  if (alone.length > 1) {
    process.stderr.write(`smtp-intake: --check-config ${alone[1]} and --config ${alone[0]} name two files; give one\n\n${commandHelp(invocation.command)}\n`)
    process.exitCode = 2
    return
  }
  const config = configSources({
    config: alone[0],
    configFile: invocation.options["--config-file"]
  }, invocation.settings)
  if (!config.ok) {
    process.stderr.write(`smtp-intake: ${config.error}\n\n${commandHelp(invocation.command)}\n`)
    process.exitCode = 2
    return
  }
  return run(config)
}

const listCommand = (name: string, summary: string, verbs: Readonly<Record<string, ReadonlyArray<string>>>): CommandSpec => ({
  name,
  summary,
  options: CONFIG_OPTIONS,
  verbs,
  details: `Changes the list in database-address directly; a running daemon sees the change within a second.\n${CONFIG_DETAILS}`,
  run: (invocation) =>
    withConfig(invocation, async (config) =>
      (await import("../config-commands.ts")).changeLists(config.sources, [invocation.command.name, invocation.verb!, ...invocation.args]))
})

export const COMMANDS: ReadonlyArray<CommandSpec> = [
  {
    name: "",
    summary: "run the SMTP server in the foreground",
    options: CONFIG_OPTIONS,
    details: CONFIG_DETAILS,
    run: (invocation) => withConfig(invocation, async (config) => (await import("../run-daemon.ts")).runDaemon(config.sources, config.label))
  },
  {
    name: "check-config",
    flag: "--check-config",
    flagValueOptional: true,
    summary: "print the resolved settings (secrets masked), or the errors",
    options: CONFIG_OPTIONS,
    details: CONFIG_DETAILS,
    run: (invocation) => withConfig(invocation, async (config) => (await import("../config-commands.ts")).checkConfig(config.sources, config.label))
  },
  {
    name: "send",
    summary: "read a message from standard input and publish it to rabbitmq-inbox, with confirms",
    options: {
      ...CONFIG_OPTIONS,
      "--extract-recipients": { help: "the recipients also from To, Cc and Bcc (Bcc is then removed)" },
      "--ignore-dot": { help: "the message ends at the end of input only; a lone dot is a line of it" },
      "--envelope": { value: "ADDRESS", help: "the envelope sender, over any x-mq-envelope header" }
    },
    selectedBy: "--extract-recipients",
    positional: "RCPT...",
    details: "MailerQ's command-line utility (command-line-utility.md), a sendmail replacement for scripts on this\n" +
      "host. Prints `<id> for <recipient>` per recipient; exit 75 when the broker did not confirm.\n" + CONFIG_DETAILS,
    run: (invocation) =>
      withConfig(invocation, async (config) => {
        const { runSend } = await import("../send/send-command.ts")
        const { options } = invocation
        process.exitCode = await runSend({
          recipients: invocation.args,
          extractRecipients: options["--extract-recipients"] !== undefined,
          ignoreDot: options["--ignore-dot"] !== undefined,
          envelope: options["--envelope"]
        }, config.sources)
      })
  },
  {
    name: "simulate",
    summary: "simulate the connection budgets of a config under a load, in simulated time",
    options: {
      "--config": CONFIG_OPTIONS["--config"]!,
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

/** The CLI's own options, and whether each takes a value; any other `--name=value` is a config key. */
export const OWN_OPTIONS: ReadonlyMap<string, { readonly takesValue: boolean }> = new Map([...ownOptions(COMMANDS), ["-h", { takesValue: false }]])
