/**
 * MailerQ's command-line overrides (`configuration.md`): any config key with two dashes in front,
 * `--rabbitmq-address=amqp://rabbit.example.com`. They win over the environment, which wins over
 * the config files.
 */
export interface CommandLineSetting {
  /** the argument as given, for messages; its value is not repeated when it may hold a secret */
  readonly arg: string
  /** the key as written, lower case, without the dashes */
  readonly written: string
  /** the value after `=`; undefined for `--key` without one */
  readonly text: string | undefined
}

export interface SplitArguments {
  readonly settings: ReadonlyArray<CommandLineSetting>
  /** everything else, in order: the program's own options (with their values) and plain arguments */
  readonly rest: ReadonlyArray<string>
}

/**
 * Takes the `--key=value` arguments out of a command line. `ownOptions` names the program's own
 * options (`--config`, `--help`, ...) and whether each takes the next argument as its value (unless
 * that starts with `--`); those stay in `rest`. Any other `--name` is a setting: a name that is no key is reported by the config
 * parser (with a did-you-mean), as is a setting without `=value`. Arguments after a lone `--` are
 * plain arguments.
 */
export const splitCommandLineSettings = (
  args: ReadonlyArray<string>,
  ownOptions: ReadonlyMap<string, { readonly takesValue: boolean }>
): SplitArguments => {
  const settings: Array<CommandLineSetting> = []
  const rest: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") {
      rest.push(...args.slice(i))
      break
    }
    if (!arg.startsWith("--") || arg.length === 2) {
      rest.push(arg)
      continue
    }
    const equals = arg.indexOf("=")
    const name = equals === -1 ? arg : arg.slice(0, equals)
    const own = ownOptions.get(name)
    if (own !== undefined) {
      // `--config=FILE` is given on as `--config FILE`
      if (own.takesValue && equals !== -1) rest.push(name, arg.slice(equals + 1))
      else rest.push(arg)
      const next = args[i + 1]
      if (own.takesValue && equals === -1 && next !== undefined && !next.startsWith("--")) rest.push(args[++i]!)
      continue
    }
    settings.push({
      arg,
      written: name.slice(2).toLowerCase(),
      text: equals === -1 ? undefined : arg.slice(equals + 1)
    })
  }
  return { settings, rest }
}
