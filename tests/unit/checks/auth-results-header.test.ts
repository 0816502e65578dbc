import { describe, expect, it } from "vitest"
import { authenticationResultsHeader, headerValue } from "../../../domain/checks/auth-results-header.ts"

describe("the Authentication-Results header", () => {
  it("has one folded line per SPF, DKIM and DMARC result, and leaves spam out", () => {
    expect(authenticationResultsHeader("mx.example.com", [
      { spf: "pass", "smtp.mailfrom": "example.org" },
      { dkim: "pass", domain: "example.org", selector: "s1", "header.i": "@example.org", "header.b": "abcdEFGH" },
      { dkim: "fail", domain: "esp.example", selector: "k2", "header.i": "@esp.example", "header.b": "ab/dE+GH" },
      { dmarc: "pass", "header.from": "example.org", policy: "reject" },
      { spam: "ham", score: 1.2, required: 5, symbols: ["NO_RELAYS"] }
    ])).toBe(
      "Authentication-Results: mx.example.com;\r\n" +
        "\tspf=pass smtp.mailfrom=example.org;\r\n" +
        "\tdkim=pass header.d=example.org header.s=s1 header.b=abcdEFGH;\r\n" +
        "\tdkim=fail header.d=esp.example header.s=k2 header.b=\"ab/dE+GH\";\r\n" +
        "\tdmarc=pass header.from=example.org policy.dmarc=reject\r\n"
    )
  })

  it("names the HELO for the null sender, and leaves out what a result does not have", () => {
    expect(authenticationResultsHeader("mx.example.com", [{ spf: "none", "smtp.helo": "client.example" }, { dkim: "none" }, { dmarc: "temperror" }]))
      .toBe("Authentication-Results: mx.example.com;\r\n\tspf=none smtp.helo=client.example;\r\n\tdkim=none;\r\n\tdmarc=temperror\r\n")
  })

  it("says none when no authentication method ran (RFC 8601 §2.2)", () => {
    expect(authenticationResultsHeader("mx.example.com", [])).toBe("Authentication-Results: mx.example.com; none\r\n")
    expect(authenticationResultsHeader("mx.example.com", [{ spam: "spam", score: 1000, required: 5, symbols: [] }]))
      .toBe("Authentication-Results: mx.example.com; none\r\n")
  })

  it("folds a long result between words, never inside a value", () => {
    const domain = `${"a".repeat(60)}.example`
    const header = authenticationResultsHeader("mx.example.com", [{ dkim: "pass", domain, selector: "s1", "header.b": "abcdEFGH" }])
    expect(header).toBe(`Authentication-Results: mx.example.com;\r\n\tdkim=pass\r\n\t header.d=${domain}\r\n\t header.s=s1 header.b=abcdEFGH\r\n`)
  })
})

describe("values in the header", () => {
  it.each([
    ["example.org", "example.org"],
    ["xn--bcher-kva.example", "xn--bcher-kva.example"],
    ["ab/c+d==", "\"ab/c+d==\""],
    ["evil.example; dkim=pass", "\"evil.example; dkim=pass\""],
    ["a\"b\\c", "\"a\\\"b\\\\c\""],
    ["line\r\nX-Injected: yes", "\"lineX-Injected: yes\""],
    ["", "\"\""],
    ["bücher.example", "\"bücher.example\""]
  ])("%j is written %s", (value, written) => expect(headerValue(value)).toBe(written))

  it("cuts values longer than a DNS name can be", () => {
    expect(headerValue("a".repeat(1000))).toBe("a".repeat(253))
  })
})
