import fc from "fast-check"
import ipaddr from "ipaddr.js"
import { describe, expect, it } from "vitest"
import { type AddressValidationOptions, validateMailbox } from "../../../domain/address/validate-address.ts"

const octets = (text: string) => new TextEncoder().encode(text).length
const strict = (utf8: boolean): AddressValidationOptions => ({ mode: "strict", utf8 })
const loose = (utf8: boolean): AddressValidationOptions => ({ mode: "loose", utf8 })
const isValid = (address: string, options: AddressValidationOptions) => validateMailbox(address, options).valid

// --- RFC 5321 §4.1.2 / RFC 6531 generators -------------------------------------------------

const LETTERS = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]
const DIGITS = [..."0123456789"]
const ATEXT = [...LETTERS, ...DIGITS, ..."!#$%&'*+-/=?^_`{|}~"]

const printableAscii = (except: string) =>
  fc.integer({ min: 32, max: 126 }).map((code) => String.fromCharCode(code)).filter((char) => !except.includes(char))
const utf8NonAscii = fc.integer({ min: 0xa0, max: 0x10ffff })
  .filter((code) => code < 0xd800 || code > 0xdfff)
  .map((code) => String.fromCodePoint(code))

// Atom = 1*atext; Dot-string = Atom *("." Atom)
const atext = (utf8: boolean) => utf8 ? fc.oneof(fc.constantFrom(...ATEXT), utf8NonAscii) : fc.constantFrom(...ATEXT)
const dotString = (utf8: boolean) =>
  fc.array(fc.string({ unit: atext(utf8), minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 5 }).map((atoms) => atoms.join("."))

// Quoted-string = DQUOTE *(qtextSMTP / quoted-pairSMTP) DQUOTE
const qcontent = (utf8: boolean) => {
  const qtextSmtp = printableAscii("\"\\")
  const quotedPairSmtp = printableAscii("").map((char) => `\\${char}`)
  return utf8 ? fc.oneof(qtextSmtp, quotedPairSmtp, utf8NonAscii) : fc.oneof(qtextSmtp, quotedPairSmtp)
}
const quotedString = (utf8: boolean) =>
  fc.array(qcontent(utf8), { maxLength: 30 }).map((contents) => `"${contents.join("")}"`)

const localPart = (utf8: boolean) => fc.oneof(dotString(utf8), quotedString(utf8)).filter((text) => octets(text) <= 64)

// sub-domain = Let-dig [Ldh-str]; RFC 6531 adds U-labels, here letters, marks and digits of several scripts
const U_LABEL_CHARACTERS = [..."üéßñçø中文日本語дджщابहिन्दी١٢한국ไทย"]
const labelCharacter = (utf8: boolean) =>
  utf8 ? fc.constantFrom(...LETTERS, ...DIGITS, ...U_LABEL_CHARACTERS) : fc.constantFrom(...LETTERS, ...DIGITS)
const subDomain = (utf8: boolean) =>
  fc.oneof(
    labelCharacter(utf8),
    fc.tuple(
      labelCharacter(utf8),
      fc.string({ unit: fc.oneof(labelCharacter(utf8), fc.constant("-")), maxLength: 61 }),
      labelCharacter(utf8)
    ).map((parts) => parts.join(""))
  ).filter((label) => octets(label) <= 63)
const domain = (utf8: boolean) => fc.array(subDomain(utf8), { minLength: 1, maxLength: 5 }).map((labels) => labels.join("."))

const addressLiteral = fc.oneof(fc.ipV4().map((ip) => `[${ip}]`), fc.ipV6().map((ip) => `[IPv6:${ip}]`))

/** Mailbox = Local-part "@" ( Domain / address-literal ), at most 254 octets. */
const mailbox = (utf8: boolean) =>
  fc.tuple(localPart(utf8), fc.oneof(domain(utf8), addressLiteral))
    .map(([local, domainPart]) => `${local}@${domainPart}`)
    .filter((address) => octets(address) <= 254)

// --- arbitrary text ----------------------------------------------------------------------------

/** Strings near the grammar: its punctuation, a few letters, a non-ASCII letter, a control. */
const nearlyAddresses = fc.string({ unit: fc.constantFrom(..."a1-.@\"\\[]:IPv6 é\u0000\u0085"), maxLength: 40 })
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary", minLength: 200, maxLength: 3000 }),
  nearlyAddresses,
  mailbox(false),
  mailbox(true)
)

describe("strict implies loose", () => {
  it("every address strict accepts, loose accepts too, whatever the SMTPUTF8 setting", () => {
    fc.assert(fc.property(anyText, fc.boolean(), (address, utf8) => {
      if (isValid(address, strict(utf8))) expect(isValid(address, loose(utf8))).toBe(true)
    }), { numRuns: 2000 })
  })
})

describe("RFC 5321 addresses pass strict", () => {
  it("generated ASCII mailboxes pass, with or without SMTPUTF8", () => {
    fc.assert(fc.property(mailbox(false), (address) => {
      expect(validateMailbox(address, strict(false))).toEqual({ valid: true })
      expect(validateMailbox(address, strict(true))).toEqual({ valid: true })
    }), { numRuns: 1000 })
  })

  it("generated RFC 6531 mailboxes pass with SMTPUTF8", () => {
    fc.assert(fc.property(mailbox(true), (address) => {
      expect(validateMailbox(address, strict(true))).toEqual({ valid: true })
    }), { numRuns: 1000 })
  })

  it("fc.emailAddress() passes, except beyond 254 octets, where it is refused for its length only", () => {
    // fast-check caps the local part at 64 and the domain at 255 octets but not their sum, so
    // from size "medium" up it makes addresses RFC 5321 §4.5.3.1.3 forbids (a path holds 254).
    fc.assert(fc.property(fc.oneof(fc.emailAddress(), fc.emailAddress({ size: "medium" })), (address) => {
      const verdict = validateMailbox(address, strict(false))
      if (octets(address) <= 254) expect(verdict).toEqual({ valid: true })
      else expect(verdict).toEqual({ valid: false, reason: "address longer than 254 octets" })
    }), { numRuns: 500 })
  })

  it("every fc.ipV4() and fc.ipV6() is a valid address literal", () => {
    fc.assert(fc.property(fc.ipV4(), fc.ipV6(), (v4, v6) => {
      expect(validateMailbox(`postmaster@[${v4}]`, strict(false))).toEqual({ valid: true })
      expect(validateMailbox(`postmaster@[IPv6:${v6}]`, strict(false))).toEqual({ valid: true })
    }), { numRuns: 1000 })
  })

  it("IPv6 literals agree with ipaddr.js (which also reads an IPv6 address written as text)", () => {
    const hexDigits = (maxLength: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEF"), minLength: 1, maxLength })
    const group = fc.oneof({ arbitrary: hexDigits(4), weight: 6 }, { arbitrary: fc.constant(""), weight: 1 }, { arbitrary: hexDigits(5), weight: 1 })
    const groups = fc.array(group, { minLength: 2, maxLength: 10 }).map((parts) => parts.join(":"))
    fc.assert(fc.property(groups, (text) => {
      expect(isValid(`a@[IPv6:${text}]`, strict(false))).toBe(ipaddr.IPv6.isValid(text))
    }), { numRuns: 3000 })
  })

  it("an IPv4 literal is a canonical dotted quad ipaddr.js reads", () => {
    const snum = fc.oneof(fc.nat(300).map(String), fc.string({ unit: fc.constantFrom(..."0123456789"), maxLength: 4 }))
    const dotted = fc.array(snum, { minLength: 3, maxLength: 5 }).map((parts) => parts.join("."))
    fc.assert(fc.property(dotted, (text) => {
      const canonical = ipaddr.IPv4.isValidFourPartDecimal(text) && ipaddr.IPv4.parse(text).toString() === text
      expect(isValid(`a@[${text}]`, strict(false))).toBe(canonical)
    }), { numRuns: 3000 })
  })
})

describe("totality", () => {
  const texts = fc.oneof(
    fc.string({ unit: "binary" }),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary", minLength: 1000, maxLength: 20_000 }),
    fc.string({ unit: "grapheme", minLength: 300, maxLength: 2000 }),
    nearlyAddresses
  )

  it("never throws, and every reason is printable ASCII", () => {
    fc.assert(fc.property(texts, fc.constantFrom("strict", "loose"), fc.boolean(), (address, mode, utf8) => {
      const verdict = validateMailbox(address, { mode, utf8 })
      if (!verdict.valid) expect(verdict.reason).toMatch(/^[\x20-\x7e]+$/)
    }), { numRuns: 1000 })
  })
})

describe("without SMTPUTF8", () => {
  const nonAsciiCodeUnit = fc.integer({ min: 0x80, max: 0xffff }).map((code) => String.fromCharCode(code))
  const nonAscii = fc.oneof(nonAsciiCodeUnit, utf8NonAscii)

  it("strict refuses a valid address with any non-ASCII character put anywhere in it", () => {
    fc.assert(fc.property(mailbox(false), nonAscii, fc.nat(), (address, char, at) => {
      const position = at % (address.length + 1)
      expect(isValid(`${address.slice(0, position)}${char}${address.slice(position)}`, strict(false))).toBe(false)
    }), { numRuns: 1000 })
  })

  it("strict refuses any text containing a non-ASCII character", () => {
    fc.assert(fc.property(fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), mailbox(true)), (address) => {
      if (/[^\x00-\x7f]/.test(address)) expect(isValid(address, strict(false))).toBe(false)
    }), { numRuns: 1000 })
  })
})

describe("loose", () => {
  it("accepts exactly the well-formed text with something on both sides of its last @, no controls, at most 1024 octets", () => {
    fc.assert(fc.property(anyText, fc.boolean(), (address, utf8) => {
      const at = address.lastIndexOf("@")
      const expected = at > 0 && at < address.length - 1 && !/[\x00-\x1f\x7f-\x9f]/.test(address) &&
        address.isWellFormed() && octets(address) <= 1024
      expect(isValid(address, loose(utf8))).toBe(expected)
    }), { numRuns: 2000 })
  })
})
