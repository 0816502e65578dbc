/**
 * What the sender-authentication library reports, as far as smtp-intake reads it. The fields are
 * `unknown` on purpose: the mapping to MailerQ's check objects must hold up whatever a library
 * (or a hostile message, through it) puts there. mailauth's result objects fit these shapes as they are.
 */
export interface ReportedStatus {
  readonly result?: unknown
  readonly header?: { readonly i?: unknown } | undefined
}

/** One SPF evaluation (mailauth `spf()`): `domain` is the identity checked, the MAIL FROM domain or the HELO name. */
export interface SpfVerdict {
  readonly status?: ReportedStatus | undefined
  readonly domain?: unknown
}

/** One DKIM signature (an entry of mailauth `dkimVerify().results`; an unsigned message gets one with no domain). */
export interface DkimSignatureVerdict {
  readonly status?: ReportedStatus | undefined
  readonly signingDomain?: unknown
  readonly selector?: unknown
  /** the b= value */
  readonly signature?: unknown
}

/** The From header as the DKIM verifier read it: DMARC needs exactly one author domain (RFC 7489 §6.6.1). */
export interface FromHeader {
  readonly fields: number
  readonly addresses: ReadonlyArray<string>
}

export interface DkimReport {
  readonly signatures: ReadonlyArray<DkimSignatureVerdict>
  readonly from: FromHeader
}

/** mailauth `dmarc()`; `policy` is the policy in effect for the author domain (none, quarantine, reject). */
export interface DmarcVerdict {
  readonly status?: { readonly result?: unknown; readonly header?: { readonly from?: unknown } | undefined } | undefined
  readonly policy?: unknown
}

/** What one authentication run found; a part left out was not asked for, or did not finish in time. */
export interface AuthenticationReport {
  readonly spf?: SpfVerdict
  readonly dkim?: DkimReport
  /** false: DMARC could not be evaluated, the message has no single author domain */
  readonly dmarc?: DmarcVerdict | false
}

/** spamd's answer (SPAMD protocol): the score, the threshold, and the rules that hit. */
export interface SpamVerdict {
  readonly score: number
  readonly required: number
  readonly isSpam: boolean
  readonly symbols: ReadonlyArray<string>
}

/** A spam check's outcome: spamd's verdict, spamd unreachable or too slow, or a message too large to send. */
export type SpamOutcome = SpamVerdict | "temperror" | "too-large"
