import { isIP } from "node:net"
import { Effect, Layer } from "effect"
import type { DKIMVerifyResult, DMARCOptions } from "mailauth"
import { SenderAuthentication } from "../../application/ports/sender-authentication.ts"
import type { AuthenticationSubject, SpfSubject } from "../../application/ports/sender-authentication.ts"
import type { AuthenticationPlan } from "../../domain/checks/checks-config.ts"
import type { AuthenticationReport, DkimReport, SpfVerdict } from "../../domain/checks/verdicts.ts"
import { mailauthResolver } from "./dns-resolver.ts"

/** Runs one mailauth call; an exception (a bug, or a message it cannot take) leaves the part out, which reports temperror. */
const attempt = <A>(part: string, run: (signal: AbortSignal) => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => cause }).pipe(
    Effect.tapError((cause) => Effect.logWarning(`${part} check failed`).pipe(Effect.annotateLogs({ error: String(cause) }))),
    Effect.option,
    Effect.map((found) => (found._tag === "Some" ? found.value : undefined))
  )

const skipped = Effect.succeed(undefined)

/** mailauth (~40 MB loaded) is read on the first message checked, not at start: most daemons check nothing. */
let library: Promise<typeof import("mailauth")> | undefined
const mailauth = Effect.promise(() => (library ??= import("mailauth")))

/** As mailauth's authenticate(): no HELO means the IP, and an IP as HELO is checked in brackets. */
const heloName = (subject: SpfSubject): string => {
  const helo = subject.helo === "" ? subject.clientIp : subject.helo
  return isIP(helo) === 0 ? helo : `[${helo}]`
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

const dkimReport = (result: DKIMVerifyResult): DkimReport => ({
  signatures: result.results,
  from: { fields: result.fromFields, addresses: result.headerFrom }
})

/** DMARC's inputs, as authenticate() builds them: the SPF domain if it passed, the passing DKIM signatures. */
const dmarcInputs = (spfResult: SpfVerdict, dkim: DKIMVerifyResult): Omit<DMARCOptions, "resolver"> => ({
  headerFrom: dkim.headerFrom,
  fromFields: dkim.fromFields,
  spfDomains: spfResult.status?.result === "pass" && typeof spfResult.domain === "string" ? [spfResult.domain] : [],
  dkimDomains: dkim.results.flatMap((r) =>
    r.status.result === "pass" && r.signingDomain !== undefined
      ? [{
        domain: r.signingDomain,
        ...(r.id === undefined ? {} : { id: r.id }),
        ...(r.status.aligned === undefined ? {} : { aligned: r.status.aligned }),
        ...(r.status.underSized === undefined ? {} : { underSized: r.status.underSized })
      }]
      : [])
})

const checkSpf = (subject: SpfSubject) =>
  Effect.gen(function*() {
    const resolverFor = yield* mailauthResolver
    const { spf } = yield* mailauth
    return yield* attempt("SPF", (signal): Promise<SpfVerdict> =>
      spf({ sender: subject.sender, ip: subject.clientIp, helo: heloName(subject), mta: subject.hostname, resolver: resolverFor(signal) }))
  })

/**
 * SPF, DKIM and DMARC by mailauth, its parts called one by one rather than through authenticate(),
 * so that SPF and DKIM run side by side (or SPF before, from MAIL FROM on); DMARC waits for both,
 * as it must. DKIM is verified in mailauth's strict mode: a changed body is `fail` (not `neutral`),
 * header.i is the AUID, and rsa-sha1 signatures do not pass (RFC 8301).
 */
export const MailauthSenderAuthentication = Layer.succeed(SenderAuthentication, SenderAuthentication.of({
  spf: checkSpf,
  authenticate: (subject: AuthenticationSubject, plan: AuthenticationPlan) =>
    Effect.gen(function*() {
      const resolverFor = yield* mailauthResolver
      const { dkimVerify, dmarc } = yield* mailauth
      const message = asBuffer(subject.mime)
      const [spfResult, dkimResult] = yield* Effect.all([
        plan.spf ? subject.spf ?? checkSpf(subject) : skipped,
        plan.dkim ? attempt("DKIM", (signal) => dkimVerify(message, { resolver: resolverFor(signal), strict: true })) : skipped
      ], { concurrency: "unbounded" })
      const dmarcResult = plan.dmarc && spfResult !== undefined && dkimResult !== undefined
        ? yield* attempt("DMARC", (signal) => dmarc({ ...dmarcInputs(spfResult, dkimResult), resolver: resolverFor(signal) }))
        : undefined
      const report: AuthenticationReport = {
        ...(spfResult === undefined ? {} : { spf: spfResult }),
        ...(dkimResult === undefined ? {} : { dkim: dkimReport(dkimResult) }),
        ...(dmarcResult === undefined ? {} : { dmarc: dmarcResult })
      }
      return report
    })
}))
