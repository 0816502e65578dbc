import type { CommandLineSetting } from "./command-line-settings.ts"
import { didYouMean } from "./did-you-mean.ts"
import { allKeyNames, configKeys, findKey } from "./keys.ts"
import type { AnyKeySpec, KeySpec, Secret } from "./keys.ts"
import { allOtherPartsKeys, isOtherPartsKey } from "./other-parts-keys.ts"
import { sameValue } from "./same-value.ts"
import type { Settings } from "./settings.ts"

/** Where a value came from: a line of a config file, an environment variable, or a command-line argument. */
export type ConfigSource =
  | { readonly file: string; readonly line: number }
  | { readonly env: string }
  /** `index`: the argument's place among the command-line settings */
  | { readonly arg: string; readonly index: number }

export interface ConfigError {
  readonly source: ConfigSource
  /** the key as understood (canonical name), or as written when unknown; undefined for a malformed line */
  readonly key: string | undefined
  readonly message: string
}

export type ConfigResult =
  | {
    readonly _tag: "Valid"
    readonly settings: Settings
    /** keys of MailerQ's other parts that were given (accepted, not used), sorted */
    readonly otherParts: ReadonlyArray<string>
  }
  | { readonly _tag: "Invalid"; readonly errors: ReadonlyArray<ConfigError> }

export interface ConfigText {
  /** the config file's contents */
  readonly text: string
  /** the config file's name, for messages */
  readonly file: string
}

export interface ConfigInput extends ConfigText {
  /** files read over the first one, each winning over those before it (MailerQ's `--config-file` over its default file) */
  readonly moreFiles?: ReadonlyArray<ConfigText>
  /** the process environment: wins over the files */
  readonly env: Readonly<Record<string, string | undefined>>
  /** `--key=value` arguments: win over the environment */
  readonly commandLine?: ReadonlyArray<CommandLineSetting>
}

/** `config/example.conf:7: smtp-port: "70000" is not valid; expected ...` */
export const formatConfigError = ({ source, key, message }: ConfigError): string => {
  const where = "file" in source ? `${source.file}:${source.line}` : "env" in source ? `environment ${source.env}` : `command line ${source.arg}`
  return `${where}: ${key === undefined ? "" : `${key}: `}${message}`
}

/** Environment prefixes, strongest first: SMTP_INTAKE_SMTP_PORT wins over MAILERQ_SMTP_PORT, both over the file. */
export const ENV_PREFIXES = ["SMTP_INTAKE_", "MAILERQ_"] as const

/** Names the default config file (see `config-layers.ts`); not a key. */
export const DEFAULT_CONFIG_VARIABLE = "SMTP_INTAKE_CONFIG"

/** `smtp-port` -> `SMTP_INTAKE_SMTP_PORT` */
export const envVariableName = (prefix: string, keyName: string): string =>
  prefix + keyName.toUpperCase().replaceAll("-", "_")

interface Given {
  /** the key as written (lower case), to tell an alias from the name in messages */
  readonly written: string
  readonly text: string
  readonly source: ConfigSource
}

interface Collected {
  readonly given: ReadonlyMap<AnyKeySpec, Given>
  readonly errors: ReadonlyArray<ConfigError>
  /** keys of MailerQ's other parts, as written */
  readonly otherParts: ReadonlyArray<string>
}

const knownToMailerQ: ReadonlyArray<string> = [...allKeyNames, ...allOtherPartsKeys]

const unknownKey = (written: string, suggest: (name: string) => string): string => {
  const suggestion = didYouMean(written, knownToMailerQ)
  const what = "unknown key (MailerQ does not know it either)"
  return suggestion === undefined ? what : `${what}; did you mean ${suggest(suggestion)}?`
}

// ---- the file ------------------------------------------------------------------------------

/**
 * `#` starts a comment at the start of a line or after whitespace, so `smtp-port: 25  # default`
 * is `25`, while a `#` inside a word stays (`smtp-ciphers: HIGH:#x`). A value that must hold ` #`
 * can only come from the environment, where nothing is stripped.
 */
const stripComment = (line: string): string => {
  const comment = /(^|\s)#/.exec(line)
  return comment === null ? line : line.slice(0, comment.index)
}

const readFile = ({ text, file }: ConfigText): Collected => {
  const given = new Map<AnyKeySpec, Given>()
  const errors: Array<ConfigError> = []
  const otherParts: Array<string> = []
  text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/).forEach((raw, index) => {
    const source = { file, line: index + 1 }
    const line = stripComment(raw).trim()
    if (line === "") return
    const colon = line.indexOf(":")
    const written = (colon === -1 ? "" : line.slice(0, colon)).trim().toLowerCase()
    if (written === "") {
      const problem = colon === -1 ? "the line has no \":\"" : "the key is empty"
      errors.push({ source, key: undefined, message: `expected "key: value", but ${problem}` })
      return
    }
    const spec = findKey(written)
    if (spec === undefined) {
      if (isOtherPartsKey(written)) otherParts.push(written)
      else errors.push({ source, key: written, message: unknownKey(written, (name) => name) })
      return
    }
    const earlier = given.get(spec)
    if (earlier !== undefined && "line" in earlier.source) {
      const as = (name: string) => (name === spec.name ? "" : ` (as ${name})`)
      errors.push({
        source, key: spec.name,
        message: `set twice, on line ${earlier.source.line}${as(earlier.written)} and line ${source.line}${as(written)}; keep one`
      })
      return
    }
    given.set(spec, { written, text: line.slice(colon + 1).trim(), source })
  })
  return { given, errors, otherParts }
}

// ---- the environment -----------------------------------------------------------------------

/** Variables with one prefix, e.g. every SMTP_INTAKE_*; values are taken as they are (no comments). */
const readEnvironment = (env: ConfigInput["env"], prefix: string): Collected => {
  const given = new Map<AnyKeySpec, Given>()
  const errors: Array<ConfigError> = []
  const otherParts: Array<string> = []
  const names = Object.keys(env).filter((name) => name.startsWith(prefix) && name !== DEFAULT_CONFIG_VARIABLE).sort()
  for (const name of names) {
    const text = env[name]
    if (text === undefined) continue
    const source = { env: name }
    const written = name.slice(prefix.length).toLowerCase().replaceAll("_", "-")
    const spec = findKey(written)
    if (spec === undefined) {
      if (isOtherPartsKey(written)) {
        otherParts.push(written)
        continue
      }
      const message = unknownKey(written, (key) => envVariableName(prefix, key))
      // A name like SMTP_INTAKE_ or SMTP_INTAKE_A B has no key worth echoing: the variable name says it all.
      errors.push({ source, key: /^[a-z0-9][a-z0-9-]*$/.test(written) ? written : undefined, message })
      continue
    }
    const earlier = given.get(spec)
    if (earlier !== undefined && "env" in earlier.source) {
      errors.push({ source, key: spec.name, message: `set by both ${earlier.source.env} and ${name}; keep one` })
      continue
    }
    given.set(spec, { written, text, source })
  }
  return { given, errors, otherParts }
}

// ---- the command line ------------------------------------------------------------------------

/** `--smtp-port=2525`; the last of two for one key wins, as on most command lines. */
const readCommandLine = (settings: ReadonlyArray<CommandLineSetting>): Collected => {
  const given = new Map<AnyKeySpec, Given>()
  const errors: Array<ConfigError> = []
  const otherParts: Array<string> = []
  for (const [index, { arg, written, text }] of settings.entries()) {
    const spec = findKey(written)
    const named = (secret: Secret) => (secret === "no" ? arg : `--${written}=…`)
    if (spec === undefined) {
      if (isOtherPartsKey(written)) otherParts.push(written)
      else errors.push({ source: { arg: `--${written}`, index }, key: written, message: unknownKey(written, (key) => `--${key}`) })
      continue
    }
    if (text === undefined) {
      errors.push({ source: { arg, index }, key: spec.name, message: `needs a value: --${written}=VALUE` })
      continue
    }
    given.set(spec, { written, text, source: { arg: named(spec.secret), index } })
  }
  return { given, errors, otherParts }
}

// ---- values ----------------------------------------------------------------------------------

type Draft = { -readonly [P in keyof Settings]?: Settings[P] }

const invalidValue = (secret: Secret, text: string, expected: string): string =>
  secret === "no"
    ? `"${text.trim()}" is not valid; expected ${expected}`
    : `the value (not shown: it may hold a secret) is not valid; expected ${expected}`

/** Parses one given value into the draft; returns the error, if any. */
const readValue = <P extends keyof Settings>(spec: KeySpec<P>, given: Given, draft: Draft): ConfigError | undefined => {
  const parsed = spec.parse(given.text)
  if (!parsed.ok) return { source: given.source, key: spec.name, message: invalidValue(spec.secret, given.text, parsed.expected) }
  draft[spec.property] = parsed.value
  return undefined
}

const defaultValue = <P extends keyof Settings>(spec: KeySpec<P>, draft: Draft): Settings[P] =>
  spec.defaultFrom === undefined ? spec.default : (draft[spec.defaultFrom] as Settings[P])

const notYetSupported = <P extends keyof Settings>(spec: KeySpec<P>, given: Given, draft: Draft): ConfigError | undefined =>
  spec.supported || sameValue(draft[spec.property], defaultValue(spec, draft))
    ? undefined
    : { source: given.source, key: spec.name, message: "not yet supported by this version of smtp-intake" }

// ---- rules between keys ----------------------------------------------------------------------

interface Resolved {
  readonly settings: Settings
  /** where a key's value came from; undefined when it was not given */
  readonly sourceOf: (property: keyof Settings) => ConfigSource | undefined
  /** the key was given but its value was not valid: rules about it would only add noise */
  readonly broken: (property: keyof Settings) => boolean
}

const bothOrNeither = (certificate: "smtpCertificate" | "smtpKey", other: "smtpCertificate" | "smtpKey") =>
  ({ settings, sourceOf, broken }: Resolved): ConfigError | undefined => {
    const source = sourceOf(certificate)
    if (source === undefined || broken(other) || settings[other] !== undefined) return undefined
    const [name, otherName] = certificate === "smtpKey" ? ["smtp-key", "smtp-certificate"] : ["smtp-certificate", "smtp-key"]
    return { source, key: name, message: `is set but ${otherName} is not; TLS needs both the certificate and its private key` }
  }

const authNeedsTls = ({ settings, sourceOf, broken }: Resolved): ConfigError | undefined => {
  const source = sourceOf("smtpAuth")
  if (source === undefined || broken("smtpCertificate") || settings.smtpCertificate !== undefined) return undefined
  return {
    source, key: "smtp-auth",
    message: "needs TLS (AUTH is offered only on TLS connections); set smtp-certificate and smtp-key"
  }
}

const securePortsNeedTls = ({ settings, sourceOf, broken }: Resolved): ConfigError | undefined => {
  const source = sourceOf("smtpSecurePort")
  if (source === undefined || settings.smtpSecurePort.length === 0) return undefined
  if (broken("smtpCertificate") || settings.smtpCertificate !== undefined) return undefined
  return { source, key: "smtp-secure-port", message: "needs TLS; set smtp-certificate and smtp-key" }
}

const portsDoNotOverlap = ({ settings, sourceOf }: Resolved): ConfigError | undefined => {
  const source = sourceOf("smtpSecurePort")
  const shared = settings.smtpSecurePort.filter((port) => settings.smtpPort.includes(port))
  if (source === undefined || shared.length === 0) return undefined
  return { source, key: "smtp-secure-port", message: `port ${shared.join(",")} is also in smtp-port; a port is plain or implicit TLS, not both` }
}

/** Messages go to RabbitMQ or to the embedded spool, never half to each. */
const spoolOrBroker = ({ settings, sourceOf }: Resolved): ConfigError | undefined => {
  const source = sourceOf("embeddedSpoolDirectory")
  if (source === undefined || settings.embeddedSpoolDirectory === undefined || settings.rabbitmqAddress === undefined) return undefined
  return {
    source, key: "embedded-spool-directory",
    message: "is set and so is rabbitmq-address; messages go either to RabbitMQ or to the embedded spool: remove one of them"
  }
}

/** Quorum queues have neither priorities nor a lazy mode: asking for them would be silently ignored. */
const classicOnly = (property: "rabbitmqMaxpriority" | "rabbitmqLazy", name: string) =>
  ({ settings, sourceOf }: Resolved): ConfigError | undefined => {
    const source = sourceOf(property)
    const asked = property === "rabbitmqLazy" ? settings.rabbitmqLazy : settings.rabbitmqMaxpriority !== undefined
    if (source === undefined || !asked || settings.rabbitmqQueueType !== "quorum") return undefined
    return { source, key: name, message: "applies to classic queues only, and rabbitmq-queue-type is quorum: remove one of them" }
  }

const crossKeyRules: ReadonlyArray<(resolved: Resolved) => ConfigError | undefined> = [
  bothOrNeither("smtpCertificate", "smtpKey"),
  bothOrNeither("smtpKey", "smtpCertificate"),
  authNeedsTls,
  securePortsNeedTls,
  portsDoNotOverlap,
  spoolOrBroker,
  classicOnly("rabbitmqMaxpriority", "rabbitmq-maxpriority"),
  classicOnly("rabbitmqLazy", "rabbitmq-lazy")
]

// ---- putting it together -----------------------------------------------------------------

/** Errors in the order an operator reads the sources: the files in order, line by line, then the environment, then the command line. */
const sourceRank = (files: ReadonlyArray<string>) => (source: ConfigSource): ReadonlyArray<number | string> =>
  "file" in source ? [0, files.indexOf(source.file), source.line] : "env" in source ? [1, 0, source.env] : [2, source.index, 0]

const compareRanks = (a: ReadonlyArray<number | string>, b: ReadonlyArray<number | string>): number => {
  for (let i = 0; i < a.length; i++) {
    const [x, y] = [a[i]!, b[i]!]
    if (x !== y) return x < y ? -1 : 1
  }
  return 0
}

const fillDefault = <P extends keyof Settings>(spec: KeySpec<P>, draft: Draft): void => {
  if (!(spec.property in draft)) draft[spec.property] = defaultValue(spec, draft)
}

/**
 * The settings from config files, the environment and the command line (SPEC §1; MailerQ's
 * `configuration.md` and `multiple-instances.md`): a later file wins over an earlier one, the
 * environment over the files, the command line over the environment. Keys of MailerQ's other parts
 * are accepted and listed. Every problem is reported, not only the first: file problems in line
 * order, then environment problems, then command-line problems.
 */
export const parseConfig = (input: ConfigInput): ConfigResult => {
  const files = [input, ...(input.moreFiles ?? [])]
  // strongest first
  const sources = [
    readCommandLine(input.commandLine ?? []),
    ...ENV_PREFIXES.map((prefix) => readEnvironment(input.env, prefix)),
    ...files.map(readFile).reverse()
  ]
  const errors: Array<ConfigError> = sources.flatMap((collected) => collected.errors)
  const givenFor = (spec: AnyKeySpec): Given | undefined =>
    sources.map((collected) => collected.given.get(spec)).find((given) => given !== undefined)

  const draft: Draft = {}
  const brokenKeys = new Set<keyof Settings>()
  for (const spec of configKeys) {
    const given = givenFor(spec)
    const error = given === undefined ? undefined : readValue(spec, given, draft)
    if (error !== undefined) {
      errors.push(error)
      brokenKeys.add(spec.property)
    }
  }
  // Plain defaults first, then the ones that copy another key (rabbitmq-inbox = rabbitmq-outbox).
  for (const spec of configKeys) if (spec.defaultFrom === undefined) fillDefault(spec, draft)
  for (const spec of configKeys) fillDefault(spec, draft)
  for (const spec of configKeys) {
    const given = givenFor(spec)
    const error = given === undefined || brokenKeys.has(spec.property) ? undefined : notYetSupported(spec, given, draft)
    if (error !== undefined) errors.push(error)
  }

  // Every property is in the draft now: configKeys covers Settings (checked at compile time in keys.ts).
  const settings = draft as Settings
  const resolved: Resolved = {
    settings,
    sourceOf: (property) => {
      const spec = configKeys.find((candidate) => candidate.property === property)
      return spec === undefined || brokenKeys.has(property) ? undefined : givenFor(spec)?.source
    },
    broken: (property) => brokenKeys.has(property)
  }
  for (const rule of crossKeyRules) {
    const error = rule(resolved)
    if (error !== undefined) errors.push(error)
  }

  const rank = sourceRank(files.map((f) => f.file))
  const otherParts = [...new Set(sources.flatMap((collected) => collected.otherParts))].sort()
  return errors.length === 0
    ? { _tag: "Valid", settings, otherParts }
    : { _tag: "Invalid", errors: errors.toSorted((a, b) => compareRanks(rank(a.source), rank(b.source))) }
}
