/** The longest username that can become a bind DN; `uid` is a DirectoryString{256} in core.schema. */
export const MAX_USERNAME_LENGTH = 256

const SPECIAL = new Set([",", "+", "\"", "\\", "<", ">", ";", "="])
const CONTROL = /^\p{Cc}$/u

const hexBytes = (char: string): string =>
  Array.from(new TextEncoder().encode(char), (byte) => `\\${byte.toString(16).toUpperCase().padStart(2, "0")}`).join("")

/** RFC 4514 §2.4: an attribute value written so that it stays one value inside a DN. */
export const escapeDnValue = (value: string): string => {
  const chars = Array.from(value)
  return chars.map((char, index) => {
    if (CONTROL.test(char)) return hexBytes(char)
    if (SPECIAL.has(char)) return `\\${char}`
    if (index === 0 && (char === "#" || char === " ")) return `\\${char}`
    if (index === chars.length - 1 && char === " ") return "\\ "
    return char
  }).join("")
}

/**
 * The DN MailerQ binds as: `uid=<username>,<baseDn>`, with the username escaped.
 * Undefined for a username that cannot name an entry: empty, too long, containing NUL,
 * or not well-formed Unicode (a lone surrogate would reach the server as U+FFFD).
 */
export const bindDn = (username: string, baseDn: string): string | undefined => {
  if (username === "" || username.length > MAX_USERNAME_LENGTH || username.includes("\u0000")) return undefined
  if (!username.isWellFormed()) return undefined
  return `uid=${escapeDnValue(username)},${baseDn}`
}
