/**
 * The SMTP DSN extension's parameters (RFC 3461), as MailerQ takes them into the JSON's `dsn`
 * object (`sending-bounces.md`, "Receiving DSN settings"): RET and ENVID on MAIL, NOTIFY and ORCPT
 * on RCPT. The values arrive decoded from xtext (`smtp-path.ts`, which refuses control characters);
 * `orcpt` is the bare address for the usual `rfc822` type, as MailerQ's JSON writes it.
 */
export interface MailDsn {
  /** FULL or HDRS */
  readonly ret?: "FULL" | "HDRS"
  readonly envid?: string
}

export interface RecipientDsn {
  /** NEVER, or some of SUCCESS, FAILURE, DELAY joined by commas */
  readonly notify?: string
  readonly orcpt?: string
}

export type DsnParsed<A> = { readonly ok: true; readonly dsn: A | undefined } | { readonly ok: false; readonly error: string }

type Parameters = Readonly<Record<string, string | true>>

export const MAIL_DSN_PARAMETERS: ReadonlyArray<string> = ["RET", "ENVID"]
export const RCPT_DSN_PARAMETERS: ReadonlyArray<string> = ["NOTIFY", "ORCPT"]

/** RFC 3461 §4.4 and §4.2: ENVID and ORCPT are printable US-ASCII. */
const PRINTABLE = /^[\x20-\x7e]*$/
const ADDRESS_TYPE = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/

const valueOf = (parameters: Parameters, name: string): string | undefined | true => parameters[name]

const NOTIFY_EVENTS = ["SUCCESS", "FAILURE", "DELAY"]

/** RET=FULL|HDRS and ENVID=xtext (at most 100 characters) from MAIL's parameters. */
export const parseMailDsn = (parameters: Parameters): DsnParsed<MailDsn> => {
  const ret = valueOf(parameters, "RET")
  const envid = valueOf(parameters, "ENVID")
  if (ret === undefined && envid === undefined) return { ok: true, dsn: undefined }
  const dsn: { ret?: "FULL" | "HDRS"; envid?: string } = {}
  if (ret !== undefined) {
    const word = ret === true ? "" : ret.toUpperCase()
    if (word !== "FULL" && word !== "HDRS") return { ok: false, error: "RET must be FULL or HDRS" }
    dsn.ret = word
  }
  if (envid !== undefined) {
    if (envid === true || envid === "" || envid.length > 100 || !PRINTABLE.test(envid)) {
      return { ok: false, error: "ENVID must be xtext of printable ASCII, at most 100 characters" }
    }
    dsn.envid = envid
  }
  return { ok: true, dsn }
}

/** NOTIFY=NEVER|SUCCESS,FAILURE,DELAY and ORCPT=addr-type;xtext (at most 500 characters) from RCPT's parameters. */
export const parseRecipientDsn = (parameters: Parameters): DsnParsed<RecipientDsn> => {
  const notify = valueOf(parameters, "NOTIFY")
  const orcpt = valueOf(parameters, "ORCPT")
  if (notify === undefined && orcpt === undefined) return { ok: true, dsn: undefined }
  const dsn: { notify?: string; orcpt?: string } = {}
  if (notify !== undefined) {
    const events = notify === true ? [""] : notify.toUpperCase().split(",")
    const valid = events.length === 1 && events[0] === "NEVER"
      ? true
      : events.every((event) => NOTIFY_EVENTS.includes(event)) && new Set(events).size === events.length
    if (!valid) return { ok: false, error: "NOTIFY must be NEVER, or SUCCESS, FAILURE and DELAY separated by commas" }
    dsn.notify = events.join(",")
  }
  if (orcpt !== undefined) {
    const semicolon = orcpt === true ? -1 : orcpt.indexOf(";")
    const type = orcpt === true ? "" : orcpt.slice(0, semicolon)
    const address = orcpt === true || semicolon === -1 ? undefined : orcpt.slice(semicolon + 1)
    if (orcpt === true || semicolon === -1 || !ADDRESS_TYPE.test(type) || address === undefined || address === "" ||
      orcpt.length > 500 || !PRINTABLE.test(address)) {
      return { ok: false, error: "ORCPT must be an address type, \";\" and the address in xtext, like rfc822;info@example.com" }
    }
    dsn.orcpt = type.toLowerCase() === "rfc822" ? address : `${type};${address}`
  }
  return { ok: true, dsn }
}
