import { describe, expect, it } from "vitest"
import { validateMailbox } from "../../../domain/address/validate-address.ts"

const strict = { mode: "strict", utf8: false } as const
const strictUtf8 = { mode: "strict", utf8: true } as const
const loose = { mode: "loose", utf8: false } as const

const label = (length: number) => "a".repeat(length)
/** A valid address of exactly `octets` octets: a 64-octet local part and a domain of 63-octet labels. */
const addressOfLength = (octets: number) => {
  const domainLength = octets - 65
  const labels: Array<string> = []
  let remaining = domainLength
  while (remaining > 64) {
    labels.push(label(63))
    remaining -= 64
  }
  labels.push(label(remaining))
  return `${label(64)}@${labels.join(".")}`
}

type Case = readonly [description: string, address: string]
/** Each refusal names the reason's key words, so a wrong reason for the right verdict fails too. */
type Refusal = readonly [description: string, address: string, reasonMentions: RegExp]

describe("strict (RFC 5321)", () => {
  it.each<Case>([
    ["plain", "user@example.com"],
    ["dotted local part", "first.last@example.com"],
    ["+tag", "user+tag@example.com"],
    ["every atext special", "!#$%&'*+-/=?^_`{|}~@example.com"],
    ["single-label domain (the grammar allows it)", "user@localhost"],
    ["digits and hyphens in labels", "u@3com.a-b.example"],
    ["quoted local part with spaces", "\"john doe\"@example.com"],
    ["quoted local part with an escaped quote", "\"john \\\"the man\\\" doe\"@example.com"],
    ["quoted local part with an escaped backslash", "\"a\\\\b\"@example.com"],
    ["quoted @", "\"a@b\"@example.com"],
    ["empty quoted local part (the grammar allows it)", "\"\"@example.com"],
    ["IPv4 literal", "user@[192.0.2.1]"],
    ["IPv6 literal", "user@[IPv6:2001:db8::1]"],
    ["IPv6 literal, full form", "user@[IPv6:2001:db8:0:0:0:0:0:1]"],
    ["IPv6 literal with embedded IPv4", "user@[IPv6:::ffff:192.0.2.1]"],
    ["IPv6 tag in lower case", "user@[ipv6:::1]"],
    ["IPv6 literal where :: is a single group (RFC 4291, erratum 4315)", "user@[IPv6:1:2:3:4:5:6:7::]"],
    ["63-octet label", `u@${label(63)}.com`],
    ["64-octet local part", `${label(64)}@example.com`],
    ["254-octet address", addressOfLength(254)]
  ])("accepts %s", (_, address) => {
    expect(validateMailbox(address, strict)).toEqual({ valid: true })
    expect(validateMailbox(address, strictUtf8)).toEqual({ valid: true })
  })

  it.each<Refusal>([
    ["the empty string", "", /empty/],
    ["no @", "nobody", /no @/],
    ["two unquoted @", "a@b@example.com", /more than one @/],
    ["empty local part", "@example.com", /local part is empty/],
    ["empty domain", "user@", /domain is empty/],
    ["leading dot in the local part", ".user@example.com", /local part must not start with a dot/],
    ["trailing dot in the local part", "user.@example.com", /local part must not end with a dot/],
    ["double dot in the local part", "john..doe@example.com", /local part contains consecutive dots/],
    ["leading dot in the domain", "user@.example.com", /domain must not start with a dot/],
    ["trailing dot domain", "user@example.com.", /domain must not end with a dot/],
    ["double dot in the domain", "user@example..com", /domain contains consecutive dots/],
    ["label with a leading hyphen", "user@-example.com", /label must not start with a hyphen/],
    ["label with a trailing hyphen", "user@example-.com", /label must not end with a hyphen/],
    ["underscore in a label", "user@my_host.example.com", /domain contains invalid character "_"/],
    ["label of 64 octets", `u@${label(64)}.com`, /label longer than 63 octets/],
    ["local part of 65 octets", `${label(65)}@example.com`, /local part longer than 64 octets/],
    ["address of 255 octets", addressOfLength(255), /address longer than 254 octets/],
    ["unquoted space", "john doe@example.com", /local part contains invalid character " "/],
    ["unquoted parenthesis", "john(doe)@example.com", /local part contains invalid character "\("/],
    ["quote in the middle of a dot-string", "a.\"b\"@example.com", /invalid character '"'/],
    ["unclosed quoted local part", "\"john@example.com", /not closed/],
    ["text after the closing quote", "\"john\"doe@example.com", /continues after its closing quote/],
    ["escaped quote that leaves the quote open", "\"john\\\"@example.com", /not closed/],
    ["bad IPv4 literal", "user@[300.1.1.1]", /not a valid IPv4 address/],
    ["IPv4 literal with three parts", "user@[1.2.3]", /not a valid IPv4 address/],
    ["IPv4 literal with a leading zero (octal to some)", "user@[010.0.0.1]", /not a valid IPv4 address/],
    ["bad IPv6 literal", "user@[IPv6:zz::1]", /not a valid IPv6 address/],
    ["IPv6 literal with two ::", "user@[IPv6:1::2::3]", /not a valid IPv6 address/],
    ["IPv6 literal with nine groups", "user@[IPv6:1:2:3:4:5:6:7:8:9]", /not a valid IPv6 address/],
    ["IPv6 literal with a zone", "user@[IPv6:fe80::1%eth0]", /not a valid IPv6 address/],
    ["IPv6 address without its tag", "user@[2001:db8::1]", /general address literals are not supported/],
    ["general address literal", "user@[x-tag:data]", /general address literals are not supported/],
    ["unclosed literal", "user@[192.0.2.1", /closing bracket/],
    ["NUL", "us\u0000er@example.com", /control character U\+0000/],
    ["line feed", "user@example.com\n", /control character U\+000A/],
    ["DEL", "us\u007fer@example.com", /control character U\+007F/],
    ["C1 control", "us\u0085er@example.com", /control character U\+0085/],
    ["lone surrogate", "us\ud800er@example.com", /well-formed Unicode|SMTPUTF8/]
  ])("refuses %s", (_, address, reasonMentions) => {
    const verdict = validateMailbox(address, strict)
    expect(verdict.valid).toBe(false)
    if (!verdict.valid) expect(verdict.reason).toMatch(reasonMentions)
  })

  describe("UTF-8 (RFC 6531)", () => {
    it.each<Case>([
      ["UTF-8 local part", "用户@example.com"],
      ["accented local part", "josé.garcía@example.com"],
      ["U-label domain", "user@bücher.example"],
      ["UTF-8 everywhere", "пользователь@почта.рф"],
      ["Devanagari with combining marks", "user@हिन्दी.भारत"],
      ["UTF-8 in a quoted local part", "\"josé garcía\"@example.com"],
      ["emoji local part (atext allows any UTF8-non-ascii)", "😀@example.com"]
    ])("with SMTPUTF8 accepts %s, without it refuses it", (_, address) => {
      expect(validateMailbox(address, strictUtf8)).toEqual({ valid: true })
      const withoutUtf8 = validateMailbox(address, strict)
      expect(withoutUtf8.valid).toBe(false)
      if (!withoutUtf8.valid) expect(withoutUtf8.reason).toMatch(/SMTPUTF8/)
    })

    it.each<Refusal>([
      ["a no-break space in a label", "user@exa\u00a0mple.com", /U\+00A0, which is not allowed in a U-label/],
      ["an ideographic full stop as a label separator", "user@例子\u3002中国", /U\+3002/],
      ["an emoji in a label", "user@😀.example", /U\+1F600/],
      ["a zero-width joiner in a label", "user@a\u200db.example", /U\+200D/],
      ["a C1 control", "jos\u0080@example.com", /control character U\+0080/],
      ["a lone surrogate", "us\udc00er@example.com", /well-formed Unicode/],
      ["a non-ASCII escaped character", "\"a\\é\"@example.com", /escapes U\+00E9/],
      ["a local part of 65 octets in UTF-8 (33 two-octet characters)", `${"é".repeat(33)}@example.com`, /local part longer than 64 octets/],
      ["a label of 64 octets in UTF-8", `u@${"ü".repeat(32)}.example`, /label longer than 63 octets/]
    ])("refuses %s", (_, address, reasonMentions) => {
      const verdict = validateMailbox(address, strictUtf8)
      expect(verdict.valid).toBe(false)
      if (!verdict.valid) expect(verdict.reason).toMatch(reasonMentions)
    })
  })

  it("never echoes a control character or non-ASCII in the reason", () => {
    for (const address of ["a\u0000@b", "a\u001b[31m@b", "a@b\u0085", "a@ü", "ü@a", "a@[\u0007]"]) {
      for (const options of [strict, strictUtf8, loose]) {
        const verdict = validateMailbox(address, options)
        if (!verdict.valid) expect(verdict.reason).toMatch(/^[\x20-\x7e]+$/)
      }
    }
  })

  it("refuses a huge string quickly, without throwing", () => {
    const huge = `${"a".repeat(5_000_000)}@example.com`
    const started = performance.now()
    expect(validateMailbox(huge, strict)).toEqual({ valid: false, reason: "address longer than 254 octets" })
    expect(validateMailbox(huge, loose)).toEqual({ valid: false, reason: "address longer than 1024 octets" })
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})

describe("loose", () => {
  it.each<Case>([
    ["double dots", "john..doe@example.com"],
    ["a single-label domain", "user@localhost"],
    ["a quoted local part with a space", "\"weird address\"@x"],
    ["two @", "a@b@c"],
    ["a trailing dot", "user@example.com."],
    ["an underscore domain", "user@my_host.example"],
    ["UTF-8 without SMTPUTF8 (a later stage decides)", "josé@example.com"],
    ["a bad literal", "user@[300.1.1.1]"],
    ["1024 octets", `${"a".repeat(1012)}@example.com`]
  ])("accepts %s", (_, address) => {
    expect(validateMailbox(address, loose)).toEqual({ valid: true })
    expect(validateMailbox(address, { mode: "loose", utf8: true })).toEqual({ valid: true })
  })

  it.each<Refusal>([
    ["the empty string", "", /empty/],
    ["no @", "nobody", /no @/],
    ["nothing after the @", "a@", /nothing after the @/],
    ["nothing after the last @", "a@b@", /nothing after the @/],
    ["nothing before the @", "@example.com", /nothing before the @/],
    ["a NUL", "us\u0000er@example.com", /control character U\+0000/],
    ["a carriage return", "user@example.com\r", /control character U\+000D/],
    ["a C1 control", "user@exa\u009bmple.com", /control character U\+009B/],
    ["a lone surrogate", "us\ud800er@example.com", /well-formed Unicode/],
    ["1025 octets", `${"a".repeat(1013)}@example.com`, /longer than 1024 octets/]
  ])("refuses %s", (_, address, reasonMentions) => {
    const verdict = validateMailbox(address, loose)
    expect(verdict.valid).toBe(false)
    if (!verdict.valid) expect(verdict.reason).toMatch(reasonMentions)
  })
})
