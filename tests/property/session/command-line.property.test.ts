import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { CommandLines, TOO_LONG } from "../../../adapters/smtp/command-lines.ts"
import { parseCommandLine } from "../../../domain/session/command-line.ts"

const utf8 = (text: string) => new TextEncoder().encode(text)

describe("command lines", () => {
  it("every line of any bytes parses into a command, never throws", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (line) => {
      expect(parseCommandLine(line).command._tag).toBeTypeOf("string")
    }))
  })

  it("MAIL FROM and RCPT TO carry the address exactly as written, whatever the verb's case", () => {
    fc.assert(fc.property(fc.emailAddress(), fc.constantFrom("MAIL FROM:", "mail from:", "Mail From: "), (address, verb) => {
      const mail = parseCommandLine(utf8(`${verb}<${address}> SIZE=10`)).command
      expect(mail).toMatchObject({ _tag: "Mail", address, size: 10 })
      expect(parseCommandLine(utf8(`RCPT TO:<${address}>`)).command).toMatchObject({ _tag: "Rcpt", address, local: false })
    }))
  })

  it("a line that is not valid UTF-8 is malformed, and nothing of it is replaced by U+FFFD", () => {
    fc.assert(fc.property(fc.constantFrom([0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]), fc.emailAddress(), (bad, address) => {
      const line = new Uint8Array([...utf8("RCPT TO:<"), ...bad, ...utf8(`${address}>`)])
      const { command } = parseCommandLine(line)
      expect(command._tag).toBe("Malformed")
      expect(JSON.stringify(command)).not.toContain("\ufffd")
    }))
  })

  it("AUTH's initial response never reaches the command", () => {
    fc.assert(fc.property(fc.base64String({ minLength: 4, maxLength: 40 }), (response) => {
      const parsed = parseCommandLine(utf8(`AUTH PLAIN ${response}`))
      expect(parsed.initialResponse).toBe(response)
      expect(JSON.stringify(parsed.command)).not.toContain(response)
    }))
  })

  it("cuts a byte stream into the same lines however it arrives", () => {
    fc.assert(fc.property(
      fc.array(fc.string({ unit: fc.constantFrom("a", " ", "\r", "é"), maxLength: 30 }), { maxLength: 10 }),
      fc.array(fc.nat(), { maxLength: 6 }),
      (lines, cuts) => {
        const stream = utf8(lines.map((l) => `${l}\r\n`).join(""))
        const framer = new CommandLines()
        const got: Array<string> = []
        const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b)
        let from = 0
        for (const to of [...points, stream.length]) {
          framer.push(stream.subarray(from, to))
          from = to
          for (let next = framer.next(); next !== undefined; next = framer.next()) {
            if (next === TOO_LONG) throw new Error("too long")
            got.push(new TextDecoder().decode(next))
          }
        }
        expect(got).toEqual(lines)
      }
    ))
  })

  it("holds no more than one line's limit of a line that never ends", () => {
    const framer = new CommandLines()
    for (let i = 0; i < 10; i++) framer.push(new Uint8Array(1_000).fill(0x41))
    expect(framer.next()).toBe(TOO_LONG)
  })
})
