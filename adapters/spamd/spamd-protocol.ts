import type { SpamVerdict } from "../../domain/checks/verdicts.ts"

/**
 * The SPAMC side of SpamAssassin's protocol (spamd/PROTOCOL): `SYMBOLS SPAMC/1.5`, the exact body
 * length, the user whose preferences apply ("nobody", spamd's own fallback), a blank line, the message.
 */
export const spamcRequest = (mime: Uint8Array): Uint8Array => {
  const head = Buffer.from(`SYMBOLS SPAMC/1.5\r\nContent-length: ${mime.byteLength}\r\nUser: nobody\r\n\r\n`, "latin1")
  return Buffer.concat([head, mime])
}

export type SpamdReply =
  | { readonly ok: true; readonly verdict: SpamVerdict }
  | { readonly ok: false; readonly reason: string }

const refused = (reason: string): SpamdReply => ({ ok: false, reason })

const STATUS_LINE = /^SPAMD\/\d+\.\d+ (\d+) ?(.*)$/
const NUMBER = String.raw`(-?\d+(?:\.\d+)?)`
const SPAM_HEADER = new RegExp(String.raw`^(True|False|Yes|No)\s*;\s*${NUMBER}\s*/\s*${NUMBER}$`, "i")

/**
 * spamd's answer to SYMBOLS: `SPAMD/1.1 0 EX_OK`, headers with `Spam: True ; 1000.0 / 5.0`, a blank
 * line, then the names of the rules that hit, comma-separated. Anything else is a reason why not.
 */
export const parseSpamdReply = (reply: Uint8Array): SpamdReply => {
  const text = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength).toString("latin1")
  const end = text.indexOf("\r\n\r\n")
  const head = (end < 0 ? text : text.slice(0, end)).split("\r\n")
  const status = STATUS_LINE.exec(head[0] ?? "")
  if (status === null) return refused(text === "" ? "spamd closed the connection without answering" : `not a SPAMD reply: ${JSON.stringify(text.slice(0, 80))}`)
  if (status[1] !== "0") return refused(`spamd answered ${status[1]} ${status[2] ?? ""}`.trim())
  if (end < 0) return refused("spamd's reply ends inside its headers")
  const headers = new Map<string, string>()
  for (const line of head.slice(1)) {
    const colon = line.indexOf(":")
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  const spam = SPAM_HEADER.exec(headers.get("spam") ?? "")
  if (spam === null) return refused(`spamd's reply has no usable Spam header: ${JSON.stringify(headers.get("spam") ?? "")}`)
  const body = text.slice(end + 4)
  const length = Number(headers.get("content-length"))
  const declared = Number.isInteger(length) && length >= 0 ? length : body.length
  if (body.length < declared) return refused(`spamd's reply was cut short (${body.length} of ${declared} bytes)`)
  return {
    ok: true,
    verdict: {
      isSpam: /^(true|yes)$/i.test(spam[1] ?? ""),
      score: Number(spam[2]),
      required: Number(spam[3]),
      symbols: body.slice(0, declared).split(",").map((s) => s.trim()).filter((s) => s !== "")
    }
  }
}
