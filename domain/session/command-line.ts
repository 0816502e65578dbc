import { parsePathCommand } from "../address/smtp-path.ts"
import { Command } from "./commands.ts"
import { parseMailDsn, parseRecipientDsn } from "./dsn-parameters.ts"
import type { SessionCommand } from "./commands.ts"

/** One command line, parsed: the command for the decider, and an AUTH initial response, kept apart from it. */
export interface ParsedLine {
  readonly command: SessionCommand
  /** AUTH's initial response (RFC 4954 §4), which is a credential: it never reaches the decider or the journal */
  readonly initialResponse?: string | undefined
}

const HTTP_REQUEST = /^(?:OPTIONS|GET|HEAD|POST|PUT|DELETE|TRACE|CONNECT|PATCH) \S+ HTTP\/\d/i

const strictUtf8 = new TextDecoder("utf-8", { fatal: true })
const latin1 = new TextDecoder("latin1")

const isAscii = (bytes: Uint8Array) => {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false
  return true
}

/** The line as text: ASCII as it is, anything else only if it is well-formed UTF-8 (RFC 6531 §3.3). */
const decodeLine = (bytes: Uint8Array): string | undefined => {
  if (isAscii(bytes)) return latin1.decode(bytes)
  try {
    return strictUtf8.decode(bytes)
  } catch {
    return undefined
  }
}

const noArguments = (verb: string, argument: string, command: SessionCommand): SessionCommand =>
  argument.trim() === "" ? command : Command.malformed(verb, `${verb} takes no parameters`)

const mailFrom = (argument: string): SessionCommand => {
  const parsed = parsePathCommand(argument, "FROM")
  if (parsed === undefined) return Command.malformed("MAIL", "expected MAIL FROM:<address> [parameters]")
  if (parsed.duplicate !== undefined) return Command.malformed("MAIL", `parameter ${parsed.duplicate} given twice`)
  const args = parsed.args === false ? {} : parsed.args
  let size: number | undefined
  if (args.SIZE !== undefined) {
    if (args.SIZE === true || !/^\d{1,20}$/.test(args.SIZE)) return Command.malformed("MAIL", "SIZE must be a number of bytes")
    size = Number(args.SIZE)
  }
  if (args.SMTPUTF8 !== undefined && args.SMTPUTF8 !== true) return Command.malformed("MAIL", "SMTPUTF8 takes no value")
  if (args.BODY === true) return Command.malformed("MAIL", "BODY needs a value")
  const dsn = parseMailDsn(args)
  return Command.mail(parsed.address, {
    size,
    utf8: args.SMTPUTF8 !== undefined,
    parameters: Object.keys(args),
    ...(args.BODY === undefined ? {} : { body: args.BODY.toUpperCase() }),
    ...(dsn.ok && dsn.dsn === undefined ? {} : { dsn })
  })
}

const rcptTo = (argument: string): SessionCommand => {
  const parsed = parsePathCommand(argument, "TO")
  if (parsed === undefined) return Command.malformed("RCPT", "expected RCPT TO:<address> [parameters]")
  if (parsed.duplicate !== undefined) return Command.malformed("RCPT", `parameter ${parsed.duplicate} given twice`)
  const args = parsed.args === false ? {} : parsed.args
  const dsn = parseRecipientDsn(args)
  return Command.rcpt(parsed.address, false, Object.keys(args), dsn.ok && dsn.dsn === undefined ? undefined : dsn)
}

const auth = (argument: string): ParsedLine => {
  const [mechanism = "", initial, ...rest] = argument.trim().split(/ +/)
  if (mechanism === "" || rest.length > 0) return { command: Command.malformed("AUTH", "expected AUTH <mechanism> [initial-response]") }
  return { command: Command.auth(mechanism, initial !== undefined), initialResponse: initial }
}

/** The verb, as far as it can be shown: printable ASCII, at most 16 characters. */
const shownVerb = (verb: string) => verb.replace(/[^\x21-\x7e]/g, "?").slice(0, 16)

/**
 * Parses one command line (without its line ending) into what the decider is told (RFC 5321 §4.1).
 * A RCPT comes back with `local: false`: whether the address is local is for the session to look up.
 */
export const parseCommandLine = (bytes: Uint8Array): ParsedLine => {
  const text = decodeLine(bytes)
  if (text === undefined) {
    const verb = shownVerb(latin1.decode(bytes).split(" ")[0]!.toUpperCase())
    return { command: Command.malformed(verb, "the command is not valid UTF-8") }
  }
  const space = text.indexOf(" ")
  const verb = (space === -1 ? text : text.slice(0, space)).toUpperCase()
  const argument = space === -1 ? "" : text.slice(space + 1)
  switch (verb) {
    case "EHLO":
    case "HELO":
      return { command: Command.ehlo(argument.trim().split(/\s+/)[0] ?? "", verb === "EHLO") }
    case "MAIL":
      return { command: mailFrom(argument) }
    case "RCPT":
      return { command: rcptTo(argument) }
    case "DATA":
      return { command: noArguments(verb, argument, Command.data) }
    case "RSET":
      return { command: noArguments(verb, argument, Command.rset) }
    case "QUIT":
      return { command: noArguments(verb, argument, Command.quit) }
    case "STARTTLS":
      return { command: noArguments(verb, argument, Command.startTls) }
    case "NOOP":
      return { command: Command.noop }
    case "HELP":
      return { command: Command.help }
    case "VRFY":
      return { command: Command.vrfy }
    case "EXPN":
      return { command: Command.expn }
    case "AUTH":
      return auth(argument)
  }
  if (HTTP_REQUEST.test(text)) return { command: Command.httpRequest }
  return { command: Command.unknown(shownVerb(verb)) }
}
