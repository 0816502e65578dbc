import { Context } from "effect"
import type { Effect } from "effect"
import type { AuthResultsTarget, CheckName } from "../../domain/config/settings.ts"
import type { OutgoingIpRules } from "../../domain/ip/outgoing-ips.ts"
import type { SessionPolicy } from "../../domain/session/policy.ts"

/** The part of the configuration the use cases read, as it stood at one moment. */
export interface IntakeSettingsSnapshot {
  readonly policy: SessionPolicy
  /** where accepted messages are published (rabbitmq-inbox); none: mail to non-local recipients is discarded */
  readonly inboxQueue: string | undefined
  /** where messages to local addresses go (rabbitmq-local, else the inbox) */
  readonly localQueue: string
  /** where local DSN and DMARC reports go (rabbitmq-reports); none = they are local messages like others */
  readonly reportsQueue: string | undefined
  /** where a message refused for want of AUTH is kept, with the refusal (rabbitmq-refused); none = not kept */
  readonly refusedQueue: string | undefined
  /** smtp-default-ips, smtp-mappable-ips, smtp-unmappable-ips */
  readonly outgoingIps: OutgoingIpRules
  /** smtp-extract: turn x-mq-* headers into JSON properties */
  readonly extractMqHeaders: boolean
  /** smtp-hostname, when set */
  readonly configuredHostname: string | undefined
  /** the machine's hostname, the last resort for the greeting */
  readonly machineHostname: string
  /** smtp-check: the checks run on every message, results in `checks` */
  readonly checks: ReadonlyArray<CheckName>
  /** smtp-auth-results: which messages get an Authentication-Results header */
  readonly authResults: ReadonlyArray<AuthResultsTarget>
}

export interface IntakeSettingsShape {
  /**
   * The settings in force now; a reload (SIGHUP) replaces them. A session reads them once, when it
   * opens, and keeps that snapshot to its end.
   */
  readonly current: Effect.Effect<IntakeSettingsSnapshot>
}

/** The part of the configuration the use cases read. */
export class IntakeSettings extends Context.Service<IntakeSettings, IntakeSettingsShape>()("smtp-intake/IntakeSettings") {}
