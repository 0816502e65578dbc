import { Context, Schema } from "effect"
import type { Effect } from "effect"

/** One JSON document for one recipient, bound for one queue. */
export interface Delivery {
  readonly queue: string
  readonly messageId: string
  readonly body: Uint8Array
  /** the AMQP priority (the JSON `priority`); the spool ignores it */
  readonly priority?: number | undefined
}

/** A publish that did not happen, or may not have: the client may try again (451). */
export class PublishFailed extends Schema.TaggedError<PublishFailed>()("PublishFailed", {
  message: Schema.String
}) {}

/** A publish that can never happen: a document larger than the broker takes (552, permanently). */
export class PublishRefused extends Schema.TaggedError<PublishRefused>()("PublishRefused", {
  message: Schema.String,
  /** the largest document, and the most the broker takes, in bytes */
  size: Schema.Number,
  limit: Schema.Number
}) {}

/** What an operator needs to know of the publisher: is the broker there and taking messages, is the spool writable. */
export type PublisherCondition =
  | {
    readonly kind: "rabbitmq"
    readonly connected: boolean
    /** while not connected: why the last attempt failed, or the connection was lost (credentials redacted) */
    readonly notConnected?: string | undefined
    /** the broker's reason while it blocks publishers (a resource alarm) */
    readonly blocked: string | undefined
    /** queues found deleted, until declared again */
    readonly missingQueues: ReadonlyArray<string>
  }
  | { readonly kind: "spool"; readonly writable: boolean }

/**
 * Where accepted messages go: RabbitMQ, or the embedded spool.
 * `publish` succeeds only once every delivery is durable (broker confirm, or fsync),
 * so the caller may answer 250; any failure means none of them may be counted on.
 */
export class Publisher extends Context.Service<Publisher, {
  publish(deliveries: ReadonlyArray<Delivery>): Effect.Effect<void, PublishFailed | PublishRefused>
  /** true while the publisher can take messages (broker connected, spool writable) */
  readonly isReady: Effect.Effect<boolean>
  /** the details behind isReady, for the console (a publisher without them is described by isReady alone) */
  readonly condition?: Effect.Effect<PublisherCondition> | undefined
}>()("smtp-intake/Publisher") {}
