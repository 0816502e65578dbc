import { Clock, Effect } from "effect"
import { authenticationPlan, CHECK_LIMITS, plansAnything } from "../domain/checks/checks-config.ts"
import type { AuthenticationPlan, CheckLimits, ChecksConfig } from "../domain/checks/checks-config.ts"
import { authenticationResultsHeader } from "../domain/checks/auth-results-header.ts"
import { checkEntries } from "../domain/checks/check-entries.ts"
import type { CheckEntry } from "../domain/checks/check-entries.ts"
import type { AuthenticationReport, SpamOutcome } from "../domain/checks/verdicts.ts"
import { Dns, DnsFailure } from "./ports/dns.ts"
import type { DnsShape } from "./ports/dns.ts"
import { SenderAuthentication } from "./ports/sender-authentication.ts"
import type { AuthenticationSubject, SpfSubject } from "./ports/sender-authentication.ts"
import { SpamScanFailed, SpamScanner } from "./ports/spam-scanner.ts"

export type CheckSubject = AuthenticationSubject

export interface CheckOutcome {
  /** MailerQ's `checks` */
  readonly checks: ReadonlyArray<CheckEntry>
  /** the Authentication-Results header field, CRLF-terminated; undefined without smtp-auth-results */
  readonly authResults: string | undefined
}

/** mailauth stops by itself once DNS stops answering; this much later the use case stops waiting for it. */
const BACKSTOP_MS = 1_000

/** The same DNS, except that from the deadline on every lookup fails at once with ETIMEOUT, and none waits past it. */
const withDeadline = (dns: DnsShape, deadline: number): DnsShape => ({
  resolve: (name, rrtype) =>
    Effect.gen(function*() {
      const late = new DnsFailure({ code: "ETIMEOUT", message: `${rrtype} ${name}: past the DNS deadline of this message's checks` })
      const left = deadline - (yield* Clock.currentTimeMillis)
      if (left <= 0) return yield* late
      return yield* dns.resolve(name, rrtype).pipe(Effect.timeoutOrElse({ duration: left, orElse: () => Effect.fail(late) }))
    })
})

/** `run` with every DNS lookup under one deadline from now, and a backstop shortly past it; None when it did not finish. */
const withinDnsDeadline = <A>(run: Effect.Effect<A, never, Dns>, limits: CheckLimits) =>
  Effect.gen(function*() {
    const dns = yield* Dns
    const deadline = (yield* Clock.currentTimeMillis) + limits.dnsDeadlineMs
    return yield* run.pipe(
      Effect.provideService(Dns, Dns.of(withDeadline(dns, deadline))),
      Effect.timeoutOption(limits.dnsDeadlineMs + BACKSTOP_MS)
    )
  })

const authenticate = Effect.fn("authenticate")(function*(subject: CheckSubject, plan: AuthenticationPlan, limits: CheckLimits) {
  if (!plansAnything(plan)) return {}
  const authentication = yield* SenderAuthentication
  const report = yield* withinDnsDeadline(authentication.authenticate(subject, plan), limits)
  if (report._tag === "Some") return report.value
  yield* Effect.logWarning("sender authentication did not finish in time").pipe(Effect.annotateLogs({ client: subject.clientIp }))
  const nothing: AuthenticationReport = {}
  return nothing
})

/**
 * SPF alone, as soon as MAIL FROM is known (its DNS deadline counts from then), for `runChecks`
 * to await at the end of the message (`CheckSubject.spf`); undefined when it gave nothing in time,
 * which reports temperror.
 */
export const checkSpf = Effect.fnUntraced(function*(subject: SpfSubject, limits: CheckLimits = CHECK_LIMITS) {
  const authentication = yield* SenderAuthentication
  const verdict = yield* withinDnsDeadline(authentication.spf(subject), limits)
  if (verdict._tag === "Some") return verdict.value
  yield* Effect.logWarning("SPF did not finish in time").pipe(Effect.annotateLogs({ client: subject.clientIp }))
  return undefined
})

const scanForSpam = Effect.fn("scanForSpam")(function*(mime: Uint8Array, limits: CheckLimits) {
  if (mime.byteLength > limits.spamMaxBytes) return "too-large" as const
  const scanner = yield* SpamScanner
  const verdict = yield* Effect.result(scanner.scan(mime).pipe(Effect.timeoutOrElse({
    duration: limits.spamDeadlineMs,
    orElse: () => Effect.fail(new SpamScanFailed({ message: `no verdict within ${limits.spamDeadlineMs} ms` }))
  })))
  if (verdict._tag === "Success") return verdict.success
  yield* Effect.logWarning("spam check failed").pipe(Effect.annotateLogs({ reason: verdict.failure.message }))
  return "temperror" as const
})

/**
 * smtp-check and smtp-auth-results for one message: sender authentication and the spam scan side
 * by side, each bounded in time. Whatever fails or is late is reported as temperror; nothing here
 * fails, so a check never holds up or refuses a message.
 */
export const runChecks = Effect.fn("runChecks")(function*(
  subject: CheckSubject,
  config: ChecksConfig,
  limits: CheckLimits = CHECK_LIMITS
) {
  const [authentication, spam] = yield* Effect.all([
    authenticate(subject, authenticationPlan(config.checks), limits),
    config.checks.includes("spam") ? scanForSpam(subject.mime, limits) : Effect.succeed<SpamOutcome | undefined>(undefined)
  ], { concurrency: "unbounded" })
  const checks = checkEntries({ checks: config.checks, identity: { sender: subject.sender, helo: subject.helo }, authentication, spam })
  const outcome: CheckOutcome = {
    checks,
    authResults: config.authResults.length === 0 ? undefined : authenticationResultsHeader(subject.hostname, checks)
  }
  return outcome
})
