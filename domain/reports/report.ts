/** What a report message says, as it goes into the message's JSON under `report` (SPEC §6). */
export type Report = DsnReport | DmarcReport

/** A delivery status notification (RFC 3464, RFC 6533). */
export interface DsnReport {
  readonly type: "dsn"
  readonly reportingMta?: string
  readonly arrivalDate?: string
  readonly originalEnvelopeId?: string
  readonly recipients: ReadonlyArray<DsnRecipient>
}

export interface DsnRecipient {
  /** the address, without its address type (`rfc822;`) */
  readonly finalRecipient: string
  readonly originalRecipient?: string
  /** lower case: failed, delayed, delivered, relayed or expanded */
  readonly action: string
  /** the enhanced status code, e.g. `5.1.1` */
  readonly status: string
  /** as written, diagnostic type included, e.g. `smtp; 550 5.1.1 user unknown` */
  readonly diagnosticCode?: string
  readonly remoteMta?: string
}

/** A DMARC aggregate report (RFC 7489 appendix C). */
export interface DmarcReport {
  readonly type: "dmarc"
  readonly orgName: string
  readonly email?: string
  readonly reportId: string
  /** unix seconds */
  readonly dateRange: { readonly begin: number; readonly end: number }
  readonly domain: string
  readonly policy?: DmarcPolicy
  /** how many `<record>` elements */
  readonly recordCount: number
  /** the sum of every record's `row/count` */
  readonly messageCount: number
}

export interface DmarcPolicy {
  readonly p?: string
  readonly sp?: string
  readonly pct?: number
  readonly adkim?: string
  readonly aspf?: string
}
