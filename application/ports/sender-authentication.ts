import { Context } from "effect"
import type { Effect } from "effect"
import type { AuthenticationPlan } from "../../domain/checks/checks-config.ts"
import type { AuthenticationReport } from "../../domain/checks/verdicts.ts"
import type { Dns } from "./dns.ts"

export interface AuthenticationSubject {
  /** the message as the client sent it */
  readonly mime: Uint8Array
  /** MAIL FROM; "" is the null sender */
  readonly sender: string
  readonly helo: string
  readonly clientIp: string
  /** our name, the authserv-id */
  readonly hostname: string
}

/**
 * SPF, DKIM and DMARC. DNS goes through the `Dns` of the caller's context, so the caller can put
 * one deadline on all of a message's lookups. A part that breaks is reported as temperror, never
 * as a failure of the whole.
 */
export class SenderAuthentication extends Context.Service<SenderAuthentication, {
  authenticate(subject: AuthenticationSubject, plan: AuthenticationPlan): Effect.Effect<AuthenticationReport, never, Dns>
}>()("smtp-intake/SenderAuthentication") {}
