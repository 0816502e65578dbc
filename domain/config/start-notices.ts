import { otherPartsNotice } from "./other-parts-keys.ts"
import type { Settings } from "./settings.ts"

export interface StartNotice {
  readonly level: "info" | "warning"
  readonly message: string
}

/**
 * What an operator should read about a valid config before the server runs: logged at start and
 * printed by `--check-config`. Settings that are valid but do what a migrating MailerQ user may
 * not expect are said plainly here.
 */
export const startNotices = (settings: Settings, otherParts: ReadonlyArray<string>): ReadonlyArray<StartNotice> => {
  const notices: Array<StartNotice> = []
  const other = otherPartsNotice(otherParts)
  if (other !== undefined) notices.push({ level: "info", message: other })
  if (settings.smtpRange.length === 0) {
    notices.push({
      level: "warning",
      message: "smtp-range is empty: no client can connect (each gets 554); set smtp-range to the ranges that may, " +
        "e.g. smtp-range: 192.168.0.0/16;10.0.0.0/8 (0.0.0.0/0;::/0 for everyone)"
    })
  }
  if (settings.rabbitmqInbox === undefined) {
    const local = settings.rabbitmqLocal === undefined
      ? `to rabbitmq-outbox (${settings.rabbitmqOutbox}), as rabbitmq-local is not set`
      : `to rabbitmq-local (${settings.rabbitmqLocal})`
    notices.push({
      level: "warning",
      message: `rabbitmq-inbox is empty: mail to non-local recipients is answered 250 and discarded (MailerQ's behaviour); ` +
        `mail to local addresses goes ${local}`
    })
  }
  if (settings.smtpTimeout === 0) {
    notices.push({ level: "warning", message: "smtp-timeout is 0: a silent client is never timed out (it holds its connection for up to 24 days)" })
  }
  return notices
}
