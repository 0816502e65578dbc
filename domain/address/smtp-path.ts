/**
 * The argument of MAIL FROM / RCPT TO (RFC 5321 §4.1.2): `<path> [SP parameters]`.
 * The path is taken as the client wrote it: a source route (`@relay:`) is dropped as §4.1.2 and
 * appendix C require, a quoted local part may hold spaces and `>`, and nothing is rewritten.
 * Whether the mailbox is acceptable is for address validation to say, not for this parser.
 */
export interface PathCommand {
  readonly address: string
  /** parameter names upper-cased; `true` for a parameter without value; xtext decoded */
  readonly args: Readonly<Record<string, string | true>> | false
  /** a parameter given twice, which the command must refuse */
  readonly duplicate: string | undefined
}

const CONTROL = /[\x00-\x1f\x7f-\x9f]/

/** RFC 3461 §4: xtext `+HH` escapes. */
const decodeXtext = (value: string): string =>
  value.replace(/\+([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))

/** Index of the `>` that closes the path opened at `start`, skipping quoted strings; -1 if none. */
const closingBracket = (text: string, start: number): number => {
  let quoted = false
  for (let i = start; i < text.length; i++) {
    const c = text[i]
    if (quoted && c === "\\") i++
    else if (c === "\"") quoted = !quoted
    else if (c === ">" && !quoted) return i
  }
  return -1
}

const SOURCE_ROUTE = /^@[^\s,:@]+(?:,@[^\s,:@]+)*:/

const parseParameters = (text: string): { args: PathCommand["args"]; duplicate: string | undefined } | undefined => {
  const args: Record<string, string | true> = {}
  let duplicate: string | undefined
  let any = false
  for (const parameter of text.split(/\s+/).filter((p) => p !== "")) {
    const eq = parameter.indexOf("=")
    const name = (eq === -1 ? parameter : parameter.slice(0, eq)).toUpperCase()
    if (name === "") return undefined
    const value = eq === -1 ? true : decodeXtext(parameter.slice(eq + 1))
    if (value !== true && CONTROL.test(value)) return undefined
    if (name in args) duplicate = name
    args[name] = value
    any = true
  }
  return { args: any ? args : false, duplicate }
}

/**
 * Parses `FROM:<path> params` / `TO:<path> params` after the verb, `keyword` being "FROM" or "TO".
 * Tolerates a space after the colon, which many clients send. Returns undefined on a syntax error.
 */
export const parsePathCommand = (argument: string, keyword: "FROM" | "TO"): PathCommand | undefined => {
  const m = new RegExp(`^\\s*${keyword}\\s*:\\s*`, "i").exec(argument)
  if (m === null) return undefined
  const rest = argument.slice(m[0].length)
  if (!rest.startsWith("<")) return undefined
  const end = closingBracket(rest, 1)
  if (end === -1) return undefined
  const path = rest.slice(1, end).replace(SOURCE_ROUTE, "")
  if (CONTROL.test(path)) return undefined
  const after = rest.slice(end + 1)
  if (after !== "" && !/^\s/.test(after)) return undefined
  const parameters = parseParameters(after)
  if (parameters === undefined) return undefined
  return { address: path, ...parameters }
}
