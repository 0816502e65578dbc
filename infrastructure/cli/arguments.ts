/**
 * The command line, read against a table of commands (`commands.ts`): which command, its verb and
 * arguments, and its options, given before or after the command (`--config F local list` and
 * `local list --config F` are the same). Anything the table does not know is an error naming it.
 * Pure: the table's `run` is only called by `cli.ts`.
 */

import type { CommandLineSetting } from "../../domain/config/command-line-settings.ts"

/** An option: a flag, or one that takes a value (`--config FILE` or `--config=FILE`). */
export interface OptionSpec {
  /** what the value is called in the usage (FILE, N); absent for a flag */
  readonly value?: string
  readonly help: string
}

export interface CommandSpec {
  /** the word that selects it; "" is the command run when none is given (the daemon) */
  readonly name: string
  /** a flag with a value that selects it instead of a word (`--check-config FILE`) */
  readonly flag?: string
  /** the flag's FILE may be left out (`--check-config` alone: the default config) */
  readonly flagValueOptional?: boolean
  /** a flag (no value) that also selects it, without its word: MailerQ's `--extract-recipients` */
  readonly selectedBy?: string
  /** plain arguments it takes, any number, as the usage names them (`RCPT...`); none when absent */
  readonly positional?: string
  readonly summary: string
  readonly options: Readonly<Record<string, OptionSpec>>
  /** options it cannot run without */
  readonly required?: ReadonlyArray<string>
  /** its verbs and each verb's arguments; an argument in [brackets] may be left out */
  readonly verbs?: Readonly<Record<string, ReadonlyArray<string>>>
  /** more text for `--help` */
  readonly details?: string
  readonly run: (invocation: Invocation) => Promise<void>
}

export interface Invocation {
  readonly command: CommandSpec
  /** option → value ("" for a flag that is set) */
  readonly options: Readonly<Record<string, string>>
  readonly verb: string | undefined
  readonly args: ReadonlyArray<string>
  /** MailerQ's `--key=value` config overrides, taken out of the command line before it was read */
  readonly settings: ReadonlyArray<CommandLineSetting>
}

/** What the command line asks for: a command to run, help or the version, or an error to print with the usage. */
export type Request =
  | { readonly _tag: "Run"; readonly invocation: Invocation }
  | { readonly _tag: "Help"; readonly command: CommandSpec | undefined }
  | { readonly _tag: "Version" }
  | { readonly _tag: "Error"; readonly message: string; readonly command: CommandSpec | undefined }

/** Options every command takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "--help": { help: "this text (after a command: that command's)" },
  "--version": { help: "the version" }
}

const SHORT: Readonly<Record<string, string>> = { "-h": "--help" }

const optional = (arg: string) => arg.startsWith("[")

/** `-3` is a value (the command says what is wrong with it), not an option */
const isOption = (arg: string) => arg.startsWith("-") && arg !== "-" && !/^-\d/.test(arg)

/** The option's name and, for `--name=value`, its value. */
const splitOption = (arg: string): readonly [string, string | undefined] => {
  const at = arg.indexOf("=")
  const name = at === -1 ? arg : arg.slice(0, at)
  return [SHORT[name] ?? name, at === -1 ? undefined : arg.slice(at + 1)]
}

/** Every option that takes a value, in any command: to know, before the command is known, which word is a value. */
const valueOptions = (table: ReadonlyArray<CommandSpec>) =>
  new Set(table.flatMap((c) => [...Object.entries(c.options).filter(([, o]) => o.value !== undefined).map(([n]) => n), ...(c.flag ? [c.flag] : [])]))

/** The words that are not options or their values. */
const positionals = (table: ReadonlyArray<CommandSpec>, args: ReadonlyArray<string>) => {
  const takesValue = valueOptions(table)
  const words: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") return [...words, ...args.slice(i + 1)]
    if (!isOption(arg)) words.push(arg)
    else {
      const [name, inline] = splitOption(arg)
      if (inline === undefined && takesValue.has(name)) i++
    }
  }
  return words
}

const findCommand = (table: ReadonlyArray<CommandSpec>, args: ReadonlyArray<string>): CommandSpec | string => {
  const word = positionals(table, args)[0]
  const selects = (c: CommandSpec) => (c.flag !== undefined ? [c.flag] : []).concat(c.selectedBy !== undefined && word !== c.name ? [c.selectedBy] : [])
  const flagged = table.filter((c) => selects(c).some((flag) => args.some((a) => splitOption(a)[0] === flag)))
  if (flagged.length > 1) return `${flagged.map((c) => c.flag ?? c.selectedBy).join(" and ")} cannot be used together`
  if (flagged.length === 1) return flagged[0]!
  const command = table.find((c) => c.flag === undefined && c.name === (word ?? ""))
  return command ?? `unknown command "${word}"`
}

/** Every option of the table and whether it takes a value: what is not one of these is a config key (`--key=value`). */
export const ownOptions = (table: ReadonlyArray<CommandSpec>): ReadonlyMap<string, { readonly takesValue: boolean }> =>
  new Map([
    ...Object.entries(GLOBAL_OPTIONS).map(([name, spec]) => [name, { takesValue: spec.value !== undefined }] as const),
    ...table.flatMap((command) => [
      ...Object.entries(command.options).map(([name, spec]) => [name, { takesValue: spec.value !== undefined }] as const),
      ...(command.flag === undefined ? [] : [[command.flag, { takesValue: true }] as const])
    ])
  ])

export const parseArguments = (
  table: ReadonlyArray<CommandSpec>,
  args: ReadonlyArray<string>,
  settings: ReadonlyArray<CommandLineSetting> = []
): Request => {
  const found = findCommand(table, args)
  const wantsHelp = args.some((a) => SHORT[a] === "--help" || a === "--help")
  if (typeof found === "string") return wantsHelp ? { _tag: "Help", command: undefined } : { _tag: "Error", message: found, command: undefined }
  if (wantsHelp) return { _tag: "Help", command: found.name === "" && found.flag === undefined ? undefined : found }
  if (args.includes("--version")) return { _tag: "Version" }
  const error = (message: string): Request => ({ _tag: "Error", message, command: found })

  const known: Readonly<Record<string, OptionSpec>> = { ...GLOBAL_OPTIONS, ...found.options, ...(found.flag ? { [found.flag]: { value: "FILE", help: "" } } : {}) }
  const options: Record<string, string> = {}
  const words: Array<string> = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") {
      words.push(...args.slice(i + 1))
      break
    }
    if (!isOption(arg)) {
      words.push(arg)
      continue
    }
    const [name, inline] = splitOption(arg)
    const spec = known[name]
    if (spec === undefined) return error(`unknown option ${name}${found.name ? ` for ${found.name}` : ""}`)
    if (name in options) return error(`${name} is given twice`)
    if (spec.value === undefined) {
      if (inline !== undefined) return error(`${name} takes no value`)
      options[name] = ""
      continue
    }
    const next = args[i + 1]
    if (inline === undefined && name === found.flag && found.flagValueOptional === true && (next === undefined || isOption(next))) {
      options[name] = ""
      continue
    }
    const value = inline ?? args[++i]
    if (value === undefined || (inline === undefined && isOption(value))) return error(`${name} needs a ${spec.value}`)
    options[name] = value
  }
  const missing = (found.required ?? []).find((name) => options[name] === undefined)
  if (missing !== undefined) return error(`${optionText(missing, known[missing]!)} is required`)

  if (found.flag === undefined && found.name !== "" && words[0] === found.name) words.shift()
  if (found.verbs === undefined) {
    if (words.length > 0 && found.positional === undefined) return error(`unexpected argument "${words[0]}"`)
    return { _tag: "Run", invocation: { command: found, options, verb: undefined, args: words, settings } }
  }
  const [verb, ...rest] = words
  if (verb === undefined) return error(`${found.name} needs one of: ${Object.keys(found.verbs).join(", ")}`)
  const expected = found.verbs[verb]
  if (expected === undefined) return error(`unknown ${found.name} command "${verb}"`)
  const least = expected.filter((a) => !optional(a)).length
  if (rest.length < least) return error(`${found.name} ${verb} needs ${expected.slice(rest.length).filter((a) => !optional(a)).join(" ")}`)
  if (rest.length > expected.length) return error(`unexpected argument "${rest[expected.length]}"`)
  return { _tag: "Run", invocation: { command: found, options, verb, args: rest, settings } }
}

// ---------------------------------------------------------------- usage

const optionText = (name: string, spec: OptionSpec) => (spec.value === undefined ? name : `${name} ${spec.value}`)

/** One line per form of the command: `smtp-intake --config FILE local add PATTERN [TYPE]`. */
const baseOf = (command: CommandSpec) => {
  const required = (command.required ?? []).map((name) => optionText(name, command.options[name]!))
  const flag = command.flagValueOptional === true ? `${command.flag} [FILE]` : `${command.flag} FILE`
  return ["smtp-intake", ...required, command.flag !== undefined ? flag : command.name].filter((w) => w !== "").join(" ")
}

/** The options a command may be given without: every one it has but those it requires. */
const optionalOptions = (command: CommandSpec) => Object.entries(command.options).filter(([name]) => !(command.required ?? []).includes(name))

const synopsis = (command: CommandSpec): ReadonlyArray<string> => {
  const head = baseOf(command)
  const optional = optionalOptions(command)
  if (command.verbs === undefined) {
    return [[head, ...optional.map(([name, spec]) => `[${optionText(name, spec)}]`), ...(command.positional === undefined ? [] : [command.positional])].join(" ")]
  }
  return Object.entries(command.verbs).map(([verb, args]) => [head, verb, ...args].join(" "))
}

/** Options beyond this many are `[options]` in the overview; `smtp-intake COMMAND --help` names them. */
const OVERVIEW_OPTIONS = 2

/** A command's line in the overview: its one form, with its options named or, when many, as `[options]`. */
const overviewForm = (command: CommandSpec): string => {
  if (command.verbs !== undefined || optionalOptions(command).length <= OVERVIEW_OPTIONS) return synopsis(command)[0] ?? ""
  return [baseOf(command), "[options]", ...(command.positional === undefined ? [] : [command.positional])].join(" ")
}

/** The usage of every command, one line each: `smtp-intake --config FILE local list | add PATTERN [TYPE] | remove PATTERN`. */
export const usage = (table: ReadonlyArray<CommandSpec>): string => {
  const lines = table.map((command) => {
    const [head = "", ...more] = synopsis(command)
    return more.length === 0 ? [overviewForm(command), command.summary] as const : [[head, ...more.map((form) => form.slice(baseOf(command).length + 1))].join(" | "), ""] as const
  })
  // the summary under its form, so that no line is wider than the longest form
  const body = lines.map(([line, summary]) => (summary === "" ? line : `${line}\n           ${summary}`))
  return ["usage: " + body[0], ...body.slice(1).map((l) => "       " + l), "       smtp-intake --version | --help",
    "", "Options may come before or after the command; `smtp-intake COMMAND --help` tells more."].join("\n")
}

/** `smtp-intake COMMAND --help`: its forms, options and details. */
export const commandHelp = (command: CommandSpec): string => {
  const options = Object.entries(command.options).map(([name, spec]) => `  ${optionText(name, spec).padEnd(20)} ${spec.help}`)
  return [
    "usage: " + synopsis(command).join("\n       "),
    "",
    command.summary,
    ...(options.length > 0 ? ["", "options:", ...options] : []),
    ...(command.details !== undefined ? ["", command.details] : [])
  ].join("\n")
}
