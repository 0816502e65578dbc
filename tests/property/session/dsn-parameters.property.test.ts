import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parsePathCommand } from "../../../domain/address/smtp-path.ts"
import type { DsnParsed } from "../../../domain/session/dsn-parameters.ts"
import { parseMailDsn, parseRecipientDsn } from "../../../domain/session/dsn-parameters.ts"

/** RFC 3461 §4: printable ASCII but "+" and "=" as is, anything else as "+XX". */
const encodeXtext = (text: string): string =>
  text.replace(/[^!-*,-<>-~]/g, (c) => `+${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`)

/** The parameters as the MAIL/RCPT parser hands them on: names upper case, values decoded from xtext. */
const parameters = (text: string) => {
  const parsed = parsePathCommand(`TO:<a@example.com> ${text}`, "TO")
  return parsed === undefined || parsed.args === false ? {} : parsed.args
}
const mail = (text: string) => parseMailDsn(parameters(text))
const rcpt = (text: string): DsnParsed<{ notify?: string; orcpt?: string }> => parseRecipientDsn(parameters(text))

const printable = fc.string({ maxLength: 120 }).map((text) => text.replace(/[^\x20-\x7e]/g, "_"))
const events = fc.subarray(["SUCCESS", "FAILURE", "DELAY"], { minLength: 1 })

describe("DSN parameters (RFC 3461)", () => {
  it("ENVID of printable text up to 100 characters is taken as it was meant; longer is refused", () => {
    fc.assert(fc.property(printable.filter((text) => text !== ""), (text) => {
      const parsed = mail(`ENVID=${encodeXtext(text)}`)
      expect(parsed.ok).toBe(text.length <= 100)
      if (parsed.ok) expect(parsed.dsn).toEqual({ envid: text })
    }))
  })

  it("NOTIFY is NEVER alone or distinct events in any case and order; the JSON has them upper case as given", () => {
    fc.assert(fc.property(events, fc.boolean(), fc.boolean(), (given, lower, never) => {
      const list = never ? ["NEVER", ...given] : given
      const text = list.join(",")
      const parsed = rcpt(`NOTIFY=${lower ? text.toLowerCase() : text}`)
      expect(parsed.ok).toBe(!never)
      if (parsed.ok) expect(parsed.dsn).toEqual({ notify: text })
    }))
  })

  it("ORCPT of type rfc822 is the decoded address; another type keeps its name", () => {
    fc.assert(fc.property(printable.filter((text) => text.trim() !== ""), fc.constantFrom("rfc822", "RFC822", "utf-8", "x400"), (address, type) => {
      const parsed = rcpt(`ORCPT=${type};${encodeXtext(address)}`)
      expect(parsed.ok).toBe(true)
      if (parsed.ok) expect(parsed.dsn?.orcpt).toBe(type.toLowerCase() === "rfc822" ? address : `${type};${address}`)
    }))
  })
})
