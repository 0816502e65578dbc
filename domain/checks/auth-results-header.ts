import { resultKeyword } from "./check-entries.ts"
import type { CheckEntry, CheckValue } from "./check-entries.ts"

/** RFC 2045 token: no space, no controls, none of ()<>@,;:\"/[]?= */
const TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+$/
/** controls, including the C1 set and the Unicode line and paragraph separators some readers break lines at */
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g
/** a DNS name is at most 253 characters; longer values come from hostile input and are cut */
const MAX_VALUE_LENGTH = 253
const FOLD_AT = 78

/**
 * An RFC 8601 value: a token as it is, anything else as a quoted-string. Values come from the
 * message (DKIM d= and s=, the From domain) and so from the sender: without controls they cannot
 * break the line, and quoted they cannot end the result or start a forged one with ";".
 */
export const headerValue = (value: string): string => {
  const clean = [...value.replace(CONTROLS, "")].slice(0, MAX_VALUE_LENGTH).join("")
  return TOKEN.test(clean) ? clean : `"${clean.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

const property = (name: string, value: CheckValue | undefined): ReadonlyArray<string> =>
  typeof value === "string" ? [`${name}=${headerValue(value)}`] : []

/** One resinfo as words; spam is no RFC 8601 method and stays in the JSON only. */
const resinfo = (entry: CheckEntry): ReadonlyArray<string> | undefined => {
  if ("spf" in entry) {
    return [`spf=${resultKeyword(entry.spf)}`,
      ...property("smtp.mailfrom", entry["smtp.mailfrom"]), ...property("smtp.helo", entry["smtp.helo"])]
  }
  if ("dkim" in entry) {
    return [`dkim=${resultKeyword(entry.dkim)}`,
      ...property("header.d", entry.domain), ...property("header.s", entry.selector), ...property("header.b", entry["header.b"])]
  }
  if ("dmarc" in entry) {
    return [`dmarc=${resultKeyword(entry.dmarc)}`,
      ...property("header.from", entry["header.from"]), ...property("policy.dmarc", entry.policy)]
  }
  return undefined
}

/** One resinfo on its own line, folded between words (never inside a quoted value) near 78 characters. */
const foldedLine = (words: ReadonlyArray<string>): string => {
  const lines: Array<string> = []
  let line = ""
  for (const word of words) {
    if (line === "") line = `\t${word}`
    else if (line.length + 1 + word.length > FOLD_AT) {
      lines.push(line)
      line = `\t ${word}`
    } else line = `${line} ${word}`
  }
  lines.push(line)
  return lines.join("\r\n")
}

/**
 * The Authentication-Results header field (RFC 8601), CRLF-terminated, ready to prepend:
 * `Authentication-Results: <authserv-id>;` then one folded line per SPF, DKIM and DMARC result,
 * or `<authserv-id>; none` when no such check ran.
 */
export const authenticationResultsHeader = (authservId: string, entries: ReadonlyArray<CheckEntry>): string => {
  const results = entries.map(resinfo).filter((words) => words !== undefined)
  const head = `Authentication-Results: ${headerValue(authservId)};`
  return results.length === 0 ? `${head} none\r\n` : `${head}\r\n${results.map(foldedLine).join(";\r\n")}\r\n`
}
