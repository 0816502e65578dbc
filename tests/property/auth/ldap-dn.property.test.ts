import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { bindDn, escapeDnValue } from "../../../domain/auth/ldap-dn.ts"

const BASE = "ou=people,dc=intake,dc=test"
const MUST_ESCAPE = new Set([",", "+", "\"", "\\", "<", ">", ";", "="])
const ESCAPABLE = new Set([...MUST_ESCAPE, "#", " "])

/** Characters that matter to a DN, mixed with any Unicode character. */
const unit = fc.oneof(
  fc.constantFrom(...ESCAPABLE, "\u0000", "\t", "\n", "\u007f", "\u0085", "*", "(", ")", "é"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 })
)
const value = fc.string({ unit, maxLength: 40 })
/** Any UTF-16 code units, lone surrogates included. */
const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)), maxLength: 300 })

interface Token {
  readonly text: string
  readonly escaped: boolean
}

/** Splits an RFC 4514 value into characters and escapes; undefined for a backslash that escapes nothing valid. */
const tokenize = (escaped: string): Array<Token> | undefined => {
  const chars = Array.from(escaped)
  const tokens: Array<Token> = []
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] ?? ""
    if (char !== "\\") {
      tokens.push({ text: char, escaped: false })
      continue
    }
    const next = chars[i + 1] ?? ""
    const hex = `${next}${chars[i + 2] ?? ""}`
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      tokens.push({ text: `\\${hex}`, escaped: true })
      i += 2
    } else if (ESCAPABLE.has(next)) {
      tokens.push({ text: next, escaped: true })
      i += 1
    } else return undefined
  }
  return tokens
}

/** The inverse of RFC 4514 escaping, written independently of the code under test. */
const unescape = (escaped: string): string => {
  const bytes: Array<number> = []
  for (const token of tokenize(escaped) ?? []) {
    if (token.text.length === 3 && token.text.startsWith("\\")) bytes.push(parseInt(token.text.slice(1), 16))
    else bytes.push(...new TextEncoder().encode(token.text))
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes))
}

describe("escapeDnValue, for any value", () => {
  it("leaves no special character, control character, leading #/space or trailing space unescaped", () => {
    fc.assert(fc.property(value, (text) => {
      const tokens = tokenize(escapeDnValue(text))
      expect(tokens).toBeDefined()
      const plain = (tokens ?? []).filter((token) => !token.escaped).map((token) => token.text)
      for (const char of plain) {
        expect(MUST_ESCAPE.has(char)).toBe(false)
        expect(/\p{Cc}/u.test(char)).toBe(false)
      }
      const first = tokens?.[0]
      const last = tokens?.at(-1)
      if (first !== undefined && !first.escaped) expect(["#", " "]).not.toContain(first.text)
      if (last !== undefined && !last.escaped) expect(last.text).not.toBe(" ")
    }))
  })

  it("unescapes back to the same value", () => {
    fc.assert(fc.property(value, (text) => {
      expect(unescape(escapeDnValue(text))).toBe(text)
    }))
  })
})

describe("bindDn, for any username", () => {
  it("never throws, and either refuses or yields uid=<the escaped username>,<base dn>", () => {
    fc.assert(fc.property(fc.oneof(value, anyText), (username) => {
      const dn = bindDn(username, BASE)
      if (dn === undefined) {
        expect(username === "" || username.length > 256 || username.includes("\u0000") || !username.isWellFormed()).toBe(true)
        return
      }
      expect(dn.startsWith("uid=")).toBe(true)
      expect(dn.endsWith(`,${BASE}`)).toBe(true)
      expect(unescape(dn.slice("uid=".length, -`,${BASE}`.length))).toBe(username)
    }))
  })
})
