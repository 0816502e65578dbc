import type { CheckName } from "../config/settings.ts"
import type {
  AuthenticationReport,
  DkimReport,
  DkimSignatureVerdict,
  DmarcVerdict,
  FromHeader,
  SpamOutcome,
  SpfVerdict
} from "./verdicts.ts"

export type CheckValue = string | number | ReadonlyArray<string>

/** One entry of MailerQ's `checks` array: a flat object whose first key names the check and holds its result. */
export type CheckEntry = Readonly<Record<string, CheckValue>>

/** The SPF identity: MAIL FROM, or for the null sender the HELO name (RFC 7208 §2.4). */
export interface SpfIdentity {
  readonly sender: string
  readonly helo: string
}

const RESULTS: ReadonlySet<string> = new Set(["pass", "fail", "softfail", "neutral", "none", "temperror", "permerror", "policy"])

/** An RFC 8601 result keyword; anything unrecognised (a library's surprise) counts as an error in evaluation. */
export const resultKeyword = (value: unknown): string => {
  if (value === "temperr") return "temperror"
  return typeof value === "string" && RESULTS.has(value) ? value : "permerror"
}

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined)

const domainOf = (address: string): string => address.slice(address.lastIndexOf("@") + 1).toLowerCase()

const TEMPERROR = { status: { result: "temperror" } } as const

export const spfEntry = (verdict: SpfVerdict, identity: SpfIdentity): CheckEntry => {
  const spf = resultKeyword(verdict.status?.result)
  return identity.sender === ""
    ? { spf, "smtp.helo": identity.helo }
    : { spf, "smtp.mailfrom": text(verdict.domain) ?? domainOf(identity.sender) }
}

/** header.b is the first 8 characters of the signature, enough to tell signatures apart (RFC 6008 §2). */
const dkimEntry = (signature: DkimSignatureVerdict): CheckEntry => {
  const dkim = resultKeyword(signature.status?.result)
  const domain = text(signature.signingDomain)
  if (domain === undefined) return { dkim }
  const selector = text(signature.selector)
  const b = text(signature.signature)?.replace(/\s+/g, "").slice(0, 8)
  return {
    dkim,
    domain,
    ...(selector === undefined ? {} : { selector }),
    "header.i": text(signature.status?.header?.i) ?? `@${domain}`,
    ...(b === undefined || b === "" ? {} : { "header.b": b })
  }
}

/** One entry per signature; an unsigned message gets `{"dkim": "none"}`. */
export const dkimEntries = (report: DkimReport): ReadonlyArray<CheckEntry> =>
  report.signatures.length === 0 ? [{ dkim: "none" }] : report.signatures.map(dkimEntry)

const hasSeveralAuthors = (from: FromHeader | undefined): boolean =>
  from !== undefined && (from.fields > 1 || new Set(from.addresses.map(domainOf)).size > 1)

/**
 * DMARC without a single author domain cannot be evaluated: with none it is `none`, with several
 * (two From fields, or mailboxes of different domains) `permerror`, so that a second From cannot
 * pass for "no policy".
 */
export const dmarcEntry = (verdict: DmarcVerdict | false, from: FromHeader | undefined): CheckEntry => {
  if (verdict === false) return { dmarc: hasSeveralAuthors(from) ? "permerror" : "none" }
  const dmarc = resultKeyword(verdict.status?.result)
  const headerFrom = text(verdict.status?.header?.from)
  const policy = text(verdict.policy)
  return {
    dmarc,
    ...(headerFrom === undefined ? {} : { "header.from": headerFrom }),
    ...(policy === undefined ? {} : { policy })
  }
}

export const spamEntry = (outcome: SpamOutcome): CheckEntry => {
  if (outcome === "temperror") return { spam: "temperror" }
  if (outcome === "too-large") return { spam: "none" }
  return { spam: outcome.isSpam ? "spam" : "ham", score: outcome.score, required: outcome.required, symbols: [...outcome.symbols] }
}

export interface CheckResults {
  /** smtp-check: which entries to report */
  readonly checks: ReadonlyArray<CheckName>
  readonly identity: SpfIdentity
  readonly authentication: AuthenticationReport
  /** undefined when spam was not checked */
  readonly spam: SpamOutcome | undefined
}

/**
 * MailerQ's `checks`: the configured checks in a fixed order (spf, dkim, dmarc, spam). A part of the
 * authentication report that is missing did not finish in time, and is reported as `temperror`.
 */
export const checkEntries = (results: CheckResults): ReadonlyArray<CheckEntry> => {
  const { checks, authentication } = results
  const entries: Array<CheckEntry> = []
  if (checks.includes("spf")) entries.push(spfEntry(authentication.spf ?? TEMPERROR, results.identity))
  if (checks.includes("dkim")) {
    entries.push(...(authentication.dkim === undefined ? [{ dkim: "temperror" }] : dkimEntries(authentication.dkim)))
  }
  if (checks.includes("dmarc")) {
    entries.push(authentication.dmarc === undefined
      ? { dmarc: "temperror" }
      : dmarcEntry(authentication.dmarc, authentication.dkim?.from))
  }
  if (checks.includes("spam")) entries.push(spamEntry(results.spam ?? "temperror"))
  return entries
}
