import { Context } from "effect"
import type { OutgoingIpRules } from "../../domain/ip/outgoing-ips.ts"
import type { SessionPolicy } from "../../domain/session/policy.ts"

/** The part of the configuration the use cases read. */
export class IntakeSettings extends Context.Service<IntakeSettings, {
  readonly policy: SessionPolicy
  /** where accepted messages are published (rabbitmq-inbox) */
  readonly inboxQueue: string
  /** smtp-default-ips, smtp-mappable-ips, smtp-unmappable-ips */
  readonly outgoingIps: OutgoingIpRules
  /** smtp-extract: turn x-mq-* headers into JSON properties */
  readonly extractMqHeaders: boolean
}>()("smtp-intake/IntakeSettings") {}
