const pad = (n: number, width = 2) => String(n).padStart(width, "0")

/** MailerQ's `received`: `YYYY-MM-DD HH:MM:SS` in UTC. */
export const receivedTimestamp = (epochMillis: number): string => {
  const d = new Date(epochMillis)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/** RFC 5322 §3.3 date-time, in UTC: `Wed, 25 Nov 2026 13:30:21 +0000`. */
export const rfc5322Date = (epochMillis: number): string => {
  const d = new Date(epochMillis)
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}
