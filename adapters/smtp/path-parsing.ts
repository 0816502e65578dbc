import { SMTPConnection } from "smtp-server/lib/smtp-connection.js"
import { parsePathCommand } from "../../domain/address/smtp-path.ts"

/**
 * smtp-server's own MAIL/RCPT parser splits on whitespace (so `"john doe"@example.com` breaks),
 * refuses `a@b@c` even when lenient, and rewrites punycode domains to Unicode. The address must
 * reach the session exactly as the client wrote it, and be judged by smtp-validate-address, so
 * the parsing is replaced by the domain's RFC 5321 path parser. smtp-server keeps refusing a
 * command it cannot parse with 501, and a repeated parameter.
 */
let installed = false

export const installPathParsing = (): void => {
  if (installed) return
  installed = true
  const prototype = SMTPConnection.prototype as unknown as {
    _parseAddressCommand: (name: string, command: string) => unknown
  }
  prototype._parseAddressCommand = function(name: string, command: string) {
    const verb = name.trim().toUpperCase()
    const text = String(command ?? "")
    const prefix = text.slice(0, 4).toUpperCase()
    if (prefix !== verb.slice(0, 4)) return false
    const parsed = parsePathCommand(text.slice(4), verb === "MAIL FROM" ? "FROM" : "TO")
    if (parsed === undefined) return false
    return parsed.duplicate === undefined
      ? { address: parsed.address, args: parsed.args }
      : { address: parsed.address, args: parsed.args, duplicate: parsed.duplicate }
  }
}
