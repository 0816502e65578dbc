import { describe, expect, it } from "vitest"
import { parsePathCommand } from "../../../domain/address/smtp-path.ts"

describe("the MAIL FROM / RCPT TO argument", () => {
  it.each([
    ["FROM:<a@example.org>", "FROM", "a@example.org"],
    ["FROM:<>", "FROM", ""],
    ["from: <a@example.org>", "FROM", "a@example.org"],
    ["TO:<\"john doe\"@example.com>", "TO", "\"john doe\"@example.com"],
    ["TO:<\"a>b\"@example.com>", "TO", "\"a>b\"@example.com"],
    ["TO:<@relay1.example,@relay2.example:user@example.com>", "TO", "user@example.com"],
    ["TO:<a@b@c>", "TO", "a@b@c"],
    ["TO:<user@xn--bcher-kva.example>", "TO", "user@xn--bcher-kva.example"],
    ["TO:<Postmaster>", "TO", "Postmaster"]
  ] as const)("%s gives the address %s as written", (argument, keyword, address) => {
    expect(parsePathCommand(argument, keyword)?.address).toBe(address)
  })

  it("reads parameters, upper-casing names and decoding xtext", () => {
    expect(parsePathCommand("FROM:<a@b.example> SIZE=1000 body=8BITMIME SMTPUTF8 ENVID=a+2Bb", "FROM")?.args).toEqual({
      SIZE: "1000",
      BODY: "8BITMIME",
      SMTPUTF8: true,
      ENVID: "a+b"
    })
    expect(parsePathCommand("FROM:<a@b.example>", "FROM")?.args).toBe(false)
  })

  it("reports a parameter given twice", () => {
    expect(parsePathCommand("FROM:<a@b.example> SIZE=1 SIZE=2", "FROM")?.duplicate).toBe("SIZE")
  })

  it.each([
    "FROM:a@example.org",
    "FROM:<a@example.org",
    "FROM:<a@example.org>SIZE=1",
    "TO:<a@example.org>",
    "FROM:<a\u0000b@example.org>",
    "FROM:<a@example.org> ENVID=x+0D+0Ay",
    "FROM <a@example.org>"
  ])("refuses %j", (argument) => {
    expect(parsePathCommand(argument, "FROM")).toBeUndefined()
  })
})
