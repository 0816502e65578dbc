import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { matchesUserPatterns } from "../../../domain/auth/user-patterns.ts"

/** Names and pattern text including regex meta characters, which must stay literal. */
const text = fc.string({ unit: fc.constantFrom(..."ab.+$^()[]{}|\\-_0é"), maxLength: 12 })
const literal = text
const patternText = fc.string({ unit: fc.constantFrom(..."ab.+$^()[]|\\-*?"), maxLength: 10 })

describe("users:// name patterns, for any name", () => {
  it("a pattern without * or ? matches exactly itself", () => {
    fc.assert(fc.property(literal, text, (pattern, name) => {
      expect(matchesUserPatterns(name, [pattern])).toBe(name === pattern)
    }))
  })

  it("prefix* matches every name that starts with prefix, and no other", () => {
    fc.assert(fc.property(literal, text, (prefix, name) => {
      expect(matchesUserPatterns(name, [`${prefix}*`])).toBe(name.startsWith(prefix))
      expect(matchesUserPatterns(prefix + name, [`${prefix}*`])).toBe(true)
    }))
  })

  it("each ? stands for exactly one character", () => {
    fc.assert(fc.property(literal, text, fc.nat(4), (prefix, name, marks) => {
      const pattern = prefix + "?".repeat(marks)
      const expected = Array.from(name).length === Array.from(prefix).length + marks && name.startsWith(prefix)
      expect(matchesUserPatterns(name, [pattern])).toBe(expected)
    }))
  })

  it("a list matches when one of its patterns does", () => {
    fc.assert(fc.property(fc.array(patternText, { maxLength: 4 }), text, (patterns, name) => {
      expect(matchesUserPatterns(name, patterns)).toBe(patterns.some((p) => matchesUserPatterns(name, [p])))
    }))
  })

  it("agrees with a reference glob built from escaped regex pieces, and never throws", () => {
    const reference = (pattern: string, name: string) =>
      new RegExp(
        `^${Array.from(pattern, (c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&"))).join("")}$`,
        "su"
      ).test(name)
    fc.assert(fc.property(patternText, text, (pattern, name) => {
      expect(matchesUserPatterns(name, [pattern])).toBe(reference(pattern, name))
    }))
  })
})
