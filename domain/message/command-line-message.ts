import { fieldValue, latin1, topLevelHeaderFields, withoutFields } from "./header-block.ts"

/**
 * A message given on standard input, as MailerQ's command-line utility reads it
 * (`command-line-utility.md`): it ends at a line holding a single dot, or at the end of input;
 * a line stuffed with an extra dot (`..x`) loses that dot. With `ignoreDot`, dots mean nothing and
 * only the end of input ends it. Line ends become CRLF, as mail has them.
 */
export const readCommandLineMessage = (input: Uint8Array, ignoreDot: boolean): Uint8Array => {
  const text = latin1(input)
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line))
  // a final line end leaves an empty last piece, which is no line
  if (lines.at(-1) === "") lines.pop()
  const kept: Array<string> = []
  for (const line of lines) {
    if (!ignoreDot && line === ".") break
    kept.push(!ignoreDot && line.startsWith("..") ? line.slice(1) : line)
  }
  return Uint8Array.from(kept.map((line) => `${line}\r\n`).join(""), (c) => c.charCodeAt(0))
}

/** RFC 5322 address lists, as far as a sendmail replacement needs: `a@b`, `Name <a@b>`, `"x, y" <a@b>`, groups. */
export const addressesIn = (value: string): ReadonlyArray<string> => {
  const withoutComments = value.replace(/\((?:[^()\\]|\\.)*\)/g, " ")
  const parts: Array<string> = []
  let current = ""
  let quoted = false
  let angle = false
  for (const c of withoutComments) {
    if (c === "\"" && !angle) quoted = !quoted
    if (!quoted && c === "<") angle = true
    if (!quoted && c === ">") angle = false
    if (!quoted && !angle && (c === "," || c === ";")) {
      parts.push(current)
      current = ""
      continue
    }
    current += c
  }
  parts.push(current)
  return parts.flatMap((part) => {
    const bracketed = /<([^<>]*)>/.exec(part)?.[1]
    // a group's display name ends at ':' ("friends: a@b, c@d;")
    const bare = (bracketed ?? part.replace(/^[^"]*?:(?!.*@.*:)/, "")).trim()
    return bare === "" ? [] : [bare]
  })
}

const named = (mime: Uint8Array, names: ReadonlyArray<string>) =>
  topLevelHeaderFields(mime).filter((field) => field.valueStart !== undefined && names.includes(field.name.toLowerCase()))

/**
 * `--extract-recipients` (sendmail's -t): the addresses of To, Cc and Bcc, each once, in order;
 * Bcc leaves the message, so that no recipient sees the others it names.
 */
export const extractRecipients = (mime: Uint8Array): { readonly recipients: ReadonlyArray<string>; readonly mime: Uint8Array } => {
  const fields = named(mime, ["to", "cc", "bcc"])
  const recipients = [...new Set(fields.flatMap((field) => addressesIn(fieldValue(mime, field))))]
  return { recipients, mime: withoutFields(mime, fields.filter((field) => field.name.toLowerCase() === "bcc")) }
}

/** The envelope address from the message: Return-Path, Sender, From, in that order (command-line-utility.md); x-mq-envelope goes over it later. */
export const envelopeFromHeaders = (mime: Uint8Array): string | undefined => {
  for (const name of ["return-path", "sender", "from"]) {
    const [field] = named(mime, [name])
    const [address] = field === undefined ? [] : addressesIn(fieldValue(mime, field))
    if (address !== undefined) return address
  }
  return undefined
}
