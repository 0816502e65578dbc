import { didYouMean } from "./did-you-mean.ts"
import { allKeyNames, configKeys, findKey } from "./keys.ts"
import type { AnyKeySpec, KeySpec, Secret } from "./keys.ts"
import { sameValue } from "./same-value.ts"
import type { Settings } from "./settings.ts"

/** Where a value came from: a line of the config file, or an environment variable. */
export type ConfigSource =
  | { readonly file: string; readonly line: number }
  | { readonly env: string }

export interface ConfigError {
  readonly source: ConfigSource
  /** the key as understood (canonical name), or as written when unknown; undefined for a malformed line */
  readonly key: string | undefined
  readonly message: string
}

export type ConfigResult =
  | { readonly _tag: "Valid"; readonly settings: Settings }
  | { readonly _tag: "Invalid"; readonly errors: ReadonlyArray<ConfigError> }

export interface ConfigInput {
  /** the config file's contents */
  readonly text: string
  /** the config file's name, for messages */
  readonly file: string
  /** the process environment */
  readonly env: Readonly<Record<string, string | undefined>>
}

/** `config/example.conf:7: smtp-port: "70000" is not valid; expected ...` */
export const formatConfigError = ({ source, key, message }: ConfigError): string => {
  const where = "file" in source ? `${source.file}:${source.line}` : `environment ${source.env}`
  return `${where}: ${key === undefined ? "" : `${key}: `}${message}`
}

/** Environment prefixes, strongest first: SMTP_INTAKE_SMTP_PORT wins over MAILERQ_SMTP_PORT, both over the file. */
export const ENV_PREFIXES = ["SMTP_INTAKE_", "MAILERQ_"] as const

/** `smtp-port` -> `SMTP_INTAKE_SMTP_PORT` */
export const envVariableName = (prefix: string, keyName: string): string =>
  prefix + keyName.toUpperCase().replaceAll("-", "_")

interface Given {
  /** the key as written (lower case), to tell an alias from the name in messages */
  readonly written: string
  readonly text: string
  readonly source: ConfigSource
}

type Collected = { readonly given: ReadonlyMap<AnyKeySpec, Given>; readonly errors: ReadonlyArray<ConfigError> }

const unknownKey = (written: string, suggest: (name: string) => string): string => {
  const suggestion = didYouMean(written, allKeyNames)
  return suggestion === undefined ? "unknown key" : `unknown key; did you mean ${suggest(suggestion)}?`
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

const readFile = (text: string, file: string): Collected => {
  const given = new Map<AnyKeySpec, Given>()
  const errors: Array<ConfigError> = []
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
      errors.push({ source, key: written, message: unknownKey(written, (name) => name) })
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
  return { given, errors }
}

// ---- the environment -----------------------------------------------------------------------

/** Variables with one prefix, e.g. every SMTP_INTAKE_*; values are taken as they are (no comments). */
const readEnvironment = (env: ConfigInput["env"], prefix: string): Collected => {
  const given = new Map<AnyKeySpec, Given>()
  const errors: Array<ConfigError> = []
  for (const name of Object.keys(env).filter((name) => name.startsWith(prefix)).sort()) {
    const text = env[name]
    if (text === undefined) continue
    const source = { env: name }
    const written = name.slice(prefix.length).toLowerCase().replaceAll("_", "-")
    const spec = findKey(written)
    if (spec === undefined) {
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
  return { given, errors }
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

const bySource = (a: ConfigError, b: ConfigError): number => {
  if ("file" in a.source) return "file" in b.source ? a.source.line - b.source.line : -1
  if ("file" in b.source) return 1
  return a.source.env < b.source.env ? -1 : a.source.env > b.source.env ? 1 : 0
}

const fillDefault = <P extends keyof Settings>(spec: KeySpec<P>, draft: Draft): void => {
  if (!(spec.property in draft)) draft[spec.property] = defaultValue(spec, draft)
}

/**
 * The settings from a config file's text and the environment (SPEC §1). Every problem is reported,
 * not only the first: file problems in line order, then environment problems.
 */
export const parseConfig = ({ text, file, env }: ConfigInput): ConfigResult => {
  const sources = [...ENV_PREFIXES.map((prefix) => readEnvironment(env, prefix)), readFile(text, file)]
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

  return errors.length === 0
    ? { _tag: "Valid", settings }
    : { _tag: "Invalid", errors: errors.toSorted(bySource) }
}
