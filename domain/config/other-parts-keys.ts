/**
 * Keys that MailerQ documents for its other parts (delivery, the management console, the cluster,
 * logging, ...; `mailerq-docs/settings-alphabetical.md` and the pages it links). smtp-intake is
 * only MailerQ's inbound SMTP server: a MailerQ config file holding these keys starts it, the keys
 * are accepted whatever their value and named together in one info line at start. Any other
 * unknown key stays an error.
 *
 * A key that becomes smtp-intake's own moves from here to `keys.ts` (a test holds that no name is
 * in both).
 */
export const OTHER_PARTS_KEYS: Readonly<Record<string, ReadonlyArray<string>>> = {
  "licence and process": ["license", "user", "lock", "server-id", "heartbeat", "heartbeat-enabled", "plugin-directory", "proxy-server"],
  "delivery": [
    "max-attempts", "max-delivertime", "retry-interval", "validate-envelope", "validate-recipient", "dsn-notify", "dsn-ret",
    "smarthost", "smarthost-port", "smarthost-username", "smarthost-password",
    "smtp-sink-address", "smtp-sink-port", "smtp-sink-username", "smtp-sink-password"
  ],
  "delivery's RabbitMQ": [
    "rabbitmq-consumers", "rabbitmq-publishers", "rabbitmq-qos", "rabbitmq-minqos", "rabbitmq-flush-qos", "rabbitmq-throttle",
    "rabbitmq-queues", "rabbitmq-dsn", "rabbitmq-results", "rabbitmq-success", "rabbitmq-failure", "rabbitmq-retry"
  ],
  "cluster": ["cluster-address", "cluster-exchange", "cluster-timeout", "cluster-verify"],
  "database": ["database-ttl", "database-validate"],
  "message store": ["storage-address", "storage-policy", "storage-reschedule", "storage-threads", "storage-timeout", "storage-ttl"],
  "management console": [
    "www-auth", "www-cache-control", "www-certificate", "www-ciphers", "www-connections", "www-dir", "www-host", "www-ip",
    "www-port", "www-private-key", "www-privatekey", "www-secure-port", "www-url", "render-useragent"
  ],
  "DNS": ["dns-min-ttl", "dns-timeout", "dns-interval", "dns-attempts", "dns-capacity", "dns-sockets", "dns-buffersize", "dns-rotate"],
  "logging": [
    "application-log", "error-log",
    "send-log-file", "send-log-format", "send-bin-log-file", "send-log-directory", "send-log-prefix",
    "received-log-file", "received-log-format", "received-bin-log-file", "received-log-directory", "received-log-prefix",
    "download-log-file", "download-log-format", "download-bin-log-file", "download-log-directory", "download-log-prefix",
    "www-log-file", "www-log-format", "www-bin-log-file"
  ],
  "spool directory (pickup)": ["spool-delay", "spool-extract", "spool-fail-directory", "spool-open-files", "spool-remove", "spool-threads"],
  "ResponsiveEmail": ["download-blacklist", "download-cache", "download-proxy", "download-ttl", "download-whitelist"]
}

const otherPartsNames: ReadonlySet<string> = new Set(Object.values(OTHER_PARTS_KEYS).flat())

/** Every key of MailerQ's other parts, lower case. */
export const allOtherPartsKeys: ReadonlyArray<string> = [...otherPartsNames]

/** The (lower-case) name is a key of another part of MailerQ. */
export const isOtherPartsKey = (name: string): boolean => otherPartsNames.has(name)

/** The info line at start: `keys of MailerQ's other parts, accepted and not used: license, lock, www-port`. */
export const otherPartsNotice = (names: ReadonlyArray<string>): string | undefined =>
  names.length === 0 ? undefined : `keys of MailerQ's other parts, accepted and not used: ${names.join(", ")}`
