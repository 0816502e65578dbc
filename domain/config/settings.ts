import type { IpRange } from "../ip/ip-range.ts"

export type CheckName = "spf" | "dkim" | "dmarc" | "spam"
export type AuthResultsTarget = "local" | "nonlocal"
export type AddressValidation = "strict" | "loose"
export type QueueType = "classic" | "quorum"

/** The resolved configuration: every key of SPEC §1, typed and defaulted. */
export interface Settings {
  readonly smtpIp: string | undefined
  readonly smtpPort: ReadonlyArray<number>
  readonly smtpSecurePort: ReadonlyArray<number>
  readonly smtpCertificate: string | undefined
  readonly smtpKey: string | undefined
  readonly smtpCiphers: string | undefined
  readonly smtpRange: ReadonlyArray<IpRange>
  readonly smtpAuth: string | undefined
  readonly smtpProxy: ReadonlyArray<IpRange>
  readonly smtpDefaultIps: ReadonlyArray<string>
  readonly smtpMappableIps: ReadonlyArray<IpRange>
  readonly smtpUnmappableIps: ReadonlyArray<IpRange>
  readonly smtpCheck: ReadonlyArray<CheckName>
  readonly smtpAuthResults: ReadonlyArray<AuthResultsTarget>
  readonly smtpValidateAddress: AddressValidation
  readonly smtpConnections: number | undefined
  readonly smtpConnectionsIn: number | undefined
  readonly smtpConnectionsOut: number | undefined
  /** bytes */
  readonly smtpMaxsize: number
  readonly smtpThreads: number
  /** seconds; 0: no timeout (MailerQ's 0) */
  readonly smtpTimeout: number
  /** bytes: the memory budget for message data in flight, for the whole daemon; undefined: a quarter of the machine's memory */
  readonly smtpDataMemory: number | undefined
  /** refused commands a session may make without delivering a message; the next ends it (421) */
  readonly smtpErrorLimit: number
  /** NOOP, RSET, VRFY, EXPN, HELP a session may send without delivering a message; the next ends it (421) */
  readonly smtpJunkLimit: number
  readonly smtpProtection: boolean
  readonly smtpHostname: string | undefined
  readonly smtpExtract: boolean
  /** offer DSN (RFC 3461) in EHLO and take RET, ENVID, NOTIFY and ORCPT into the JSON's `dsn` */
  readonly dsnAdvertise: boolean
  /** undefined: MailerQ's default, `amqp://guest:guest@localhost/` (unless the embedded spool is chosen) */
  readonly rabbitmqAddress: string | undefined
  /** undefined: set empty, mail to non-local recipients is discarded (MailerQ's `rabbitmq-config.md`) */
  readonly rabbitmqInbox: string | undefined
  readonly rabbitmqOutbox: string
  readonly rabbitmqLocal: string | undefined
  readonly rabbitmqReports: string | undefined
  readonly rabbitmqQueueType: QueueType
  /**
   * bytes: the largest message the broker takes (its `max_message_size`); undefined: learned from
   * the broker's version (RabbitMQ 4: 16 MiB, 3.x: 128 MiB)
   */
  readonly rabbitmqMaxMessageSize: number | undefined
  /** name servers for the checks (node:dns form: `1.2.3.4`, `[::1]:5353`); empty: the system's (/etc/resolv.conf) */
  readonly dnsServers: ReadonlyArray<string>
  readonly spamassassinHost: string
  readonly spamassassinPort: number
  readonly databaseAddress: string
  readonly managementPort: number | undefined
  readonly managementIp: string
  readonly managementToken: string | undefined
  // ---- the broker as MailerQ finds it (issue 15b) ----
  /** smtp-intake's own: when set, messages go to the embedded spool in this directory instead of RabbitMQ */
  readonly embeddedSpoolDirectory: string | undefined
  /** MailerQ's pickup directory: accepted, never watched nor written by smtp-intake */
  readonly spoolDirectory: string | undefined
  /** amqps://: check the broker's certificate */
  readonly rabbitmqVerify: boolean
  /** declare the exchange and queues at start */
  readonly rabbitmqDeclare: boolean
  readonly rabbitmqDurable: boolean
  /** declare the queues with x-queue-mode: lazy */
  readonly rabbitmqLazy: boolean
  /** x-max-priority of the queues declared; undefined: none */
  readonly rabbitmqMaxpriority: number | undefined
  /** publish through this exchange (declared at start, direct); undefined: the default exchange */
  readonly rabbitmqExchange: string | undefined
  /** gzip: every JSON document is published gzipped, with content-encoding gzip */
  readonly rabbitmqEncoding: "gzip" | undefined
  /** delivery mode 2; false risks a 250'd message on a broker restart (a warning at start says so) */
  readonly rabbitmqPersistent: boolean
  /** queue for messages refused for want of AUTH, with the refusal; undefined: not kept */
  readonly rabbitmqRefused: string | undefined
}
