/** RabbitMQ's highest message priority; a priority queue uses at most its own x-max-priority of them. */
export const MAX_AMQP_PRIORITY = 255

/**
 * The AMQP priority a message is published with: the JSON `priority` (json-messages.md), a whole
 * number, as a number or written as one (`x-mq-priority: 3`), capped at 255. Anything else
 * (absent, negative, fractional, not a number) gives none: the broker treats it as 0.
 */
export const amqpPriority = (priority: unknown): number | undefined => {
  const value = typeof priority === "string" && /^\s*\d{1,16}\s*$/.test(priority) ? Number(priority) : priority
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) return undefined
  return Math.min(value, MAX_AMQP_PRIORITY)
}
