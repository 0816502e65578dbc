import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { LOGIN_PASSWORD_PROMPT, saslRespond, saslStart } from "../../../domain/auth/sasl.ts"

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64")
const credential = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes("\u0000") && s.trim() === s)

describe("SASL PLAIN and LOGIN (RFC 4616, RFC 4954)", () => {
  it("PLAIN gives back the user and password the client encoded, whatever the authzid", () => {
    fc.assert(fc.property(fc.string({ maxLength: 8 }).filter((s) => !s.includes("\u0000")), credential, credential, (authzid, user, password) => {
      expect(saslRespond(saslStart("plain")!, b64(`${authzid}\u0000${user}\u0000${password}`))).toEqual({
        _tag: "Credentials",
        username: user,
        password
      })
    }))
  })

  it("LOGIN asks for the password after the user name, then gives both back", () => {
    fc.assert(fc.property(credential, credential, (user, password) => {
      const first = saslRespond(saslStart("LOGIN")!, b64(user))
      expect(first).toMatchObject({ _tag: "Challenge", prompt: LOGIN_PASSWORD_PROMPT })
      if (first._tag !== "Challenge") return
      expect(saslRespond(first.next, b64(password))).toEqual({ _tag: "Credentials", username: user, password })
    }))
  })

  it("a * cancels, and anything that is not base64 of the right shape is malformed", () => {
    fc.assert(fc.property(fc.string({ maxLength: 30 }), (junk) => {
      const step = saslRespond(saslStart("PLAIN")!, junk)
      if (junk === "*") expect(step._tag).toBe("Cancelled")
      else expect(["Malformed", "Credentials"]).toContain(step._tag)
      if (step._tag === "Credentials") expect(Buffer.from(junk.trim(), "base64").toString("base64")).toBe(junk.trim())
    }))
  })
})
