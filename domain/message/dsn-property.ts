import type { MailDsn, RecipientDsn } from "../session/dsn-parameters.ts"

/**
 * One recipient's `dsn` object (MailerQ's `sending-bounces.md`): RET and ENVID of MAIL, NOTIFY and
 * ORCPT of its RCPT, and any x-mq-dsn-* header over them (as x-mq-envelope goes over MAIL FROM).
 * Undefined when none of them was given.
 */
export const dsnProperty = (
  mail: MailDsn | undefined,
  recipient: RecipientDsn | undefined,
  headers: unknown
): Readonly<Record<string, string>> | undefined => {
  const fromHeaders = typeof headers === "object" && headers !== null && !Array.isArray(headers)
    ? Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => typeof entry[1] === "string"))
    : {}
  const dsn = { ...mail, ...recipient, ...fromHeaders }
  return Object.keys(dsn).length === 0 ? undefined : dsn
}
