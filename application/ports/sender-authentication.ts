import { Context } from "effect"
import type { Effect } from "effect"
import type { AuthenticationPlan } from "../../domain/checks/checks-config.ts"
import type { AuthenticationReport, SpfVerdict } from "../../domain/checks/verdicts.ts"
import type { Dns } from "./dns.ts"

/** What SPF checks: known from MAIL FROM on. */
export interface SpfSubject {
  /** MAIL FROM; "" is the null sender */
  readonly sender: string
  readonly helo: string
  readonly clientIp: string
  /** our name, the authserv-id */
  readonly hostname: string
}

export interface AuthenticationSubject extends SpfSubject {
  /** the message as the client sent it */
  readonly mime: Uint8Array
  /** SPF under way since MAIL FROM: awaited instead of checked again (undefined: it gave nothing) */
  readonly spf?: Effect.Effect<SpfVerdict | undefined> | undefined
}

/**
 * SPF, DKIM and DMARC. DNS goes through the `Dns` of the caller's context, so the caller can put
 * one deadline on all of a message's lookups. A part that breaks is reported as temperror, never
 * as a failure of the whole.
 */
export class SenderAuthentication extends Context.Service<SenderAuthentication, {
  authenticate(subject: AuthenticationSubject, plan: AuthenticationPlan): Effect.Effect<AuthenticationReport, never, Dns>
  /** SPF alone (undefined: it broke, see above) */
  spf(subject: SpfSubject): Effect.Effect<SpfVerdict | undefined, never, Dns>
}>()("smtp-intake/SenderAuthentication") {}
