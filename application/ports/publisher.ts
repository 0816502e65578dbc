import { Context, Schema } from "effect"
import type { Effect } from "effect"

/** One JSON document for one recipient, bound for one queue. */
export interface Delivery {
  readonly queue: string
  readonly messageId: string
  readonly body: Uint8Array
}

export class PublishFailed extends Schema.TaggedError<PublishFailed>()("PublishFailed", {
  message: Schema.String
}) {}

/**
 * Where accepted messages go: RabbitMQ, or the embedded spool.
 * `publish` succeeds only once every delivery is durable (broker confirm, or fsync),
 * so the caller may answer 250; any failure means none of them may be counted on.
 */
export class Publisher extends Context.Service<Publisher, {
  publish(deliveries: ReadonlyArray<Delivery>): Effect.Effect<void, PublishFailed>
  /** true while the publisher can take messages (broker connected, spool writable) */
  readonly isReady: Effect.Effect<boolean>
}>()("smtp-intake/Publisher") {}
