import { describe, expect, it } from "vitest"
import { matchesUserPatterns } from "../../../domain/auth/user-patterns.ts"

// users://user1,mailerq,user2,client* as in MailerQ's documentation
const mailerqExample = ["user1", "mailerq", "user2", "client*"]

describe("users:// name patterns", () => {
  it.each([
    ["user1", true],
    ["mailerq", true],
    ["client", true],
    ["client42", true],
    ["client-eu.1", true],
    ["user3", false],
    ["user", false],
    ["user10", false],
    ["Mailerq", false],
    ["CLIENT1", false],
    ["xclient1", false],
    ["root", false],
    ["", false]
  ])("users://user1,mailerq,user2,client* lets in %j: %s", (name, expected) => {
    expect(matchesUserPatterns(name, mailerqExample)).toBe(expected)
  })

  it.each([
    ["mail?", "mail1", true],
    ["mail?", "mail", false],
    ["mail?", "mail12", false],
    ["*-relay", "eu-relay", true],
    ["*-relay", "eu-relay2", false],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXcYYb", false],
    ["*", "anyone", true],
    ["**", "x", true],
    ["smtp*-?", "smtpintake-a", true],
    ["smtp*-?", "smtpintake-", false]
  ])("%j against %j: %s", (pattern, name, expected) => {
    expect(matchesUserPatterns(name, [pattern])).toBe(expected)
  })

  it("treats regex characters in patterns as plain characters", () => {
    expect(matchesUserPatterns("a.b", ["a.b"])).toBe(true)
    expect(matchesUserPatterns("axb", ["a.b"])).toBe(false)
    expect(matchesUserPatterns("aa", ["a+"])).toBe(false)
    expect(matchesUserPatterns("joe$", ["joe$"])).toBe(true)
    expect(matchesUserPatterns("joe", ["joe$"])).toBe(false)
    expect(matchesUserPatterns("a", ["[ab]"])).toBe(false)
    expect(matchesUserPatterns("anything", [".*"])).toBe(false)
  })

  it("no patterns let nobody in", () => {
    expect(matchesUserPatterns("user1", [])).toBe(false)
  })

  it("a pattern with many stars against a long non-matching name still answers quickly", () => {
    const started = performance.now()
    expect(matchesUserPatterns("a".repeat(5000), [`${"*a".repeat(30)}b`])).toBe(false)
    expect(performance.now() - started).toBeLessThan(1000)
  })
})
