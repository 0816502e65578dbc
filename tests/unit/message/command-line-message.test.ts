import { describe, expect, it } from "vitest"
import { addressesIn, envelopeFromHeaders, extractRecipients, readCommandLineMessage } from "../../../domain/message/command-line-message.ts"

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (mime: Uint8Array) => new TextDecoder().decode(mime)

describe("a message on standard input (command-line-utility.md)", () => {
  it("ends at a lone dot, undoes dot-stuffing, leaves other dots, and makes line ends CRLF", () => {
    expect(text(readCommandLineMessage(bytes("a\n..b\n.c\n.\nafter\n"), false))).toBe("a\r\n.b\r\n.c\r\n")
    expect(text(readCommandLineMessage(bytes("a\r\nb"), false))).toBe("a\r\nb\r\n")
  })

  it("with --ignore-dot, dots mean nothing and the end of input ends it", () => {
    expect(text(readCommandLineMessage(bytes("a\n..b\n.\nafter\n"), true))).toBe("a\r\n..b\r\n.\r\nafter\r\n")
  })

  it("reads the addresses of an address list, with names, quotes, comments and groups", () => {
    expect(addressesIn(`"Doe, John" <john@example.com>, jane@example.com (Jane), friends: a@b.example, c@d.example;`))
      .toEqual(["john@example.com", "jane@example.com", "a@b.example", "c@d.example"])
  })

  it("extracts To, Cc and Bcc once each, and removes Bcc", () => {
    const { recipients, mime } = extractRecipients(bytes("To: a@x.example\r\nCc: b@x.example, a@x.example\r\nBcc: c@x.example\r\nSubject: s\r\n\r\nBcc: body\r\n"))
    expect(recipients).toEqual(["a@x.example", "b@x.example", "c@x.example"])
    expect(text(mime)).toBe("To: a@x.example\r\nCc: b@x.example, a@x.example\r\nSubject: s\r\n\r\nBcc: body\r\n")
  })

  it("takes the envelope from Return-Path, Sender, From, in that order", () => {
    expect(envelopeFromHeaders(bytes("From: f@x.example\r\nSender: s@x.example\r\n\r\n"))).toBe("s@x.example")
    expect(envelopeFromHeaders(bytes("From: F <f@x.example>\r\nReturn-Path: <r@x.example>\r\n\r\n"))).toBe("r@x.example")
    expect(envelopeFromHeaders(bytes("Subject: none\r\n\r\n"))).toBeUndefined()
  })
})
