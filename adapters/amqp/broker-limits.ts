const MiB = 1024 * 1024

/**
 * The largest message a RabbitMQ broker takes by default: `max_message_size` is 128 MiB up to 3.x
 * and 16 MiB from 4.0 on. A message over it makes the broker close the channel it came on.
 */
export const defaultMaxMessageSize = (version: string | undefined): number => {
  const major = Number(/^(\d+)\./.exec(version ?? "")?.[1])
  return Number.isFinite(major) && major < 4 ? 128 * MiB : 16 * MiB
}

/** The limit in force: the configured one (rabbitmq-max-message-size), else the broker's default. */
export const maxMessageSize = (configured: number | undefined, version: string | undefined): number =>
  configured ?? defaultMaxMessageSize(version)
