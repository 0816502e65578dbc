import { Context } from "effect"
import type { SessionPolicy } from "../../domain/session/policy.ts"

/** The part of the configuration the use cases read. */
export class IntakeSettings extends Context.Service<IntakeSettings, {
  readonly policy: SessionPolicy
  /** where accepted messages are published (rabbitmq-inbox) */
  readonly inboxQueue: string
}>()("smtp-intake/IntakeSettings") {}
