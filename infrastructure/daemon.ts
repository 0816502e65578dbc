import { hostname as machineHostname } from "node:os"
import { Layer } from "effect"
import { AmqpPublisher } from "../adapters/amqp/amqp-publisher.ts"
import { RandomMessageIds } from "../adapters/ids/random-message-ids.ts"
import { SmtpListenerLayer } from "../adapters/smtp/smtp-listener.ts"
import { SpoolPublisher } from "../adapters/spool/spool-publisher.ts"
import { IntakeSettings } from "../application/ports/intake-settings.ts"
import type { Settings } from "../domain/config/settings.ts"
import { DEFAULT_MAX_RECIPIENTS } from "../domain/session/policy.ts"
import type { SessionPolicy } from "../domain/session/policy.ts"

export const sessionPolicy = (settings: Settings, fallbackHostname = machineHostname()): SessionPolicy => ({
  hostname: settings.smtpHostname ?? fallbackHostname,
  allowedRanges: settings.smtpRange,
  maxSize: settings.smtpMaxsize,
  maxRecipients: DEFAULT_MAX_RECIPIENTS
})

/** Broker when rabbitmq-address is set, otherwise the embedded spool (SPEC §7). */
const publisherLayer = (settings: Settings) =>
  settings.rabbitmqAddress === undefined
    ? SpoolPublisher.layer({ directory: settings.spoolDirectory })
    : AmqpPublisher.layer({
      url: settings.rabbitmqAddress,
      queues: [settings.rabbitmqInbox],
      queueType: settings.rabbitmqQueueType
    })

/** The whole daemon: SMTP listeners wired to the use cases and the configured publisher. */
export const daemonLayer = (settings: Settings) => {
  const policy = sessionPolicy(settings)
  const services = Layer.mergeAll(
    publisherLayer(settings),
    RandomMessageIds,
    Layer.succeed(IntakeSettings, IntakeSettings.of({
      policy,
      inboxQueue: settings.rabbitmqInbox,
      outgoingIps: {
        defaultIps: settings.smtpDefaultIps,
        mappable: settings.smtpMappableIps,
        unmappable: settings.smtpUnmappableIps
      },
      extractMqHeaders: settings.smtpExtract
    }))
  )
  return SmtpListenerLayer({
    host: settings.smtpIp,
    ports: settings.smtpPort,
    policy,
    timeoutSeconds: settings.smtpTimeout
  }).pipe(Layer.provide(services))
}
