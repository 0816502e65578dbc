import { describe, expect, it } from "vitest"
import { withoutOurAuthResults } from "../../../domain/checks/forged-auth-results.ts"

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe("removing Authentication-Results that claim to be ours (RFC 8601 §5)", () => {
  it("drops a forged field naming our host, folded lines too, and keeps everything else", () => {
    const mime = [
      "Authentication-Results: MX.Example.com;",
      "\tspf=pass smtp.mailfrom=bank.example;",
      "\tdmarc=pass header.from=bank.example",
      "Authentication-Results: other.example; spf=fail smtp.mailfrom=bank.example",
      "Subject: hello",
      "",
      "Authentication-Results: mx.example.com; body text is not a header",
      ""
    ].join("\r\n")
    expect(text(withoutOurAuthResults(bytes(mime), "mx.example.com"))).toBe([
      "Authentication-Results: other.example; spf=fail smtp.mailfrom=bank.example",
      "Subject: hello",
      "",
      "Authentication-Results: mx.example.com; body text is not a header",
      ""
    ].join("\r\n"))
  })

  it("recognises our id with a version number or a comment before it", () => {
    for (const value of ["mx.example.com 1; none", "(forged) mx.example.com; spf=pass"]) {
      const mime = bytes(`Authentication-Results: ${value}\r\nSubject: x\r\n\r\nbody\r\n`)
      expect(text(withoutOurAuthResults(mime, "mx.example.com"))).toBe("Subject: x\r\n\r\nbody\r\n")
    }
  })

  it("returns the very same bytes when there is nothing to remove", () => {
    const mime = bytes("Subject: x\r\n\r\nbody\r\n")
    expect(withoutOurAuthResults(mime, "mx.example.com")).toBe(mime)
  })
})
