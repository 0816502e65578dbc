import type { AuthResultsTarget, CheckName } from "../config/settings.ts"

export interface ChecksConfig {
  /** smtp-check */
  readonly checks: ReadonlyArray<CheckName>
  /** smtp-auth-results */
  readonly authResults: ReadonlyArray<AuthResultsTarget>
}

/** Which parts of sender authentication must run; DMARC is evaluated from SPF and DKIM, reported or not. */
export interface AuthenticationPlan {
  readonly spf: boolean
  readonly dkim: boolean
  readonly dmarc: boolean
}

export interface CheckLimits {
  /** every DNS lookup for one message together, SPF, DKIM and DMARC */
  readonly dnsDeadlineMs: number
  /** the whole spamd exchange, connect included */
  readonly spamDeadlineMs: number
  /** larger messages are not sent to spamd (spamc's own default limit is 500 KB) */
  readonly spamMaxBytes: number
}

export const CHECK_LIMITS: CheckLimits = {
  dnsDeadlineMs: 5_000,
  spamDeadlineMs: 10_000,
  spamMaxBytes: 512_000
}

export const runsChecks = (config: ChecksConfig): boolean => config.checks.length > 0 || config.authResults.length > 0

export const authenticationPlan = (checks: ReadonlyArray<CheckName>): AuthenticationPlan => {
  const dmarc = checks.includes("dmarc")
  return { spf: dmarc || checks.includes("spf"), dkim: dmarc || checks.includes("dkim"), dmarc }
}

export const plansAnything = (plan: AuthenticationPlan): boolean => plan.spf || plan.dkim || plan.dmarc

/** smtp-auth-results: local adds the header to messages for local addresses, nonlocal to the others. */
export const addsAuthResults = (targets: ReadonlyArray<AuthResultsTarget>, local: boolean): boolean =>
  targets.includes(local ? "local" : "nonlocal")
