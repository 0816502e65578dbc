/** An SMTP reply: basic code, enhanced status code (RFC 3463) when one applies, and its text lines. */
export interface Reply {
  readonly code: number
  readonly enhanced: string | undefined
  readonly lines: ReadonlyArray<string>
}

export const reply = (code: number, enhanced: string | undefined, ...lines: ReadonlyArray<string>): Reply => ({
  code,
  enhanced,
  lines: lines.length === 0 ? [""] : lines
})

export const isPositive = (r: Reply): boolean => r.code >= 200 && r.code < 400
export const isTemporaryFailure = (r: Reply): boolean => r.code >= 400 && r.code < 500

/** The text after the code on each line: the enhanced code (when any) then the line. */
export const replyTexts = (r: Reply): ReadonlyArray<string> =>
  r.lines.map((line) => (r.enhanced === undefined ? line : `${r.enhanced} ${line}`))

/** The reply's lines as the client reads them, `-` marking every line but the last (without CRLF). */
export const replyLines = (r: Reply): ReadonlyArray<string> =>
  replyTexts(r).map((text, i, all) => `${r.code}${i < all.length - 1 ? "-" : " "}${text}`)

/** The reply as it goes on the wire, CRLF-terminated, multi-line replies with `-` continuation. */
export const renderReply = (r: Reply): string => replyLines(r).map((line) => `${line}\r\n`).join("")

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})$/

/** RFC 5321 §4.2: a three-digit code 2xx-5xx; RFC 3463: the enhanced class equals the first digit; no line breaks. */
export const isValidReply = (r: Reply): boolean => {
  if (!Number.isInteger(r.code) || r.code < 200 || r.code > 559) return false
  if (Math.floor((r.code % 100) / 10) > 5) return false
  if (r.lines.length === 0 || r.lines.some((line) => /[\r\n\0]/.test(line))) return false
  if (r.enhanced === undefined) return true
  const m = ENHANCED.exec(r.enhanced)
  return m !== null && Number(m[1]) === Math.floor(r.code / 100)
}
