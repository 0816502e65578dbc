import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { authenticationResultsHeader } from "../../../domain/checks/auth-results-header.ts"
import type { CheckEntry } from "../../../domain/checks/check-entries.ts"

/** Strings a sender can put in d=, s= or a From domain, with the fragments an injection would use. */
const hostile = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.stringMatching(/^[a-z0-9.-]{1,30}$/),
  fc.array(fc.constantFrom("\r\n", "\r", "\n", ";", "\"", "\\", " ", "\t", "dkim=pass", "X-Evil: 1", "(", ")", "=", "\u2028", "\u0085", "é", "a.example"), { maxLength: 8 })
    .map((parts) => parts.join("")),
  fc.string({ maxLength: 400 })
)
const keyword = fc.oneof(fc.constantFrom("pass", "fail", "none", "temperror"), hostile)

const entry: fc.Arbitrary<CheckEntry> = fc.oneof(
  fc.record({ spf: keyword, "smtp.mailfrom": hostile }),
  fc.record({ spf: keyword, "smtp.helo": hostile }),
  fc.record({ dkim: keyword, domain: hostile, selector: hostile, "header.i": hostile, "header.b": hostile }, { requiredKeys: ["dkim"] }),
  fc.record({ dmarc: keyword, "header.from": hostile, policy: hostile }, { requiredKeys: ["dmarc"] }),
  fc.record({ spam: keyword, score: fc.double(), required: fc.double(), symbols: fc.array(hostile, { maxLength: 3 }) })
)

const METHODS = new Set(["spf", "dkim", "dmarc"])
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g
const expectedValue = (value: string) => [...value.replace(CONTROLS, "")].slice(0, 253).join("")

interface Resinfo {
  readonly method: string
  readonly result: string
  readonly properties: ReadonlyArray<readonly [string, string]>
}

/** A reader of the header that knows nothing of how it was written: words, quoted-strings with \-escapes, ";" between results. */
const readHeader = (field: string): { readonly authservId: string; readonly results: ReadonlyArray<Resinfo> | "none" } => {
  const unfolded = field.replace(/\r\n$/, "").replace(/\r\n[\t ]/g, " ")
  if (/[\r\n]/.test(unfolded)) throw new Error("a line break that is no folding")
  const prefix = "Authentication-Results: "
  if (!unfolded.startsWith(prefix)) throw new Error("not the field")
  const statements: Array<Array<string>> = [[]]
  let word = ""
  let quoted = false
  const text = unfolded.slice(prefix.length)
  const endWord = () => {
    if (word !== "") statements[statements.length - 1]!.push(word)
    word = ""
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === "\\") word += text[++i] ?? ""
      else if (c === "\"") quoted = false
      else word += c
    } else if (c === "\"") {
      quoted = true
      word += "\u0000"
    } else if (c === ";") {
      endWord()
      statements.push([])
    } else if (c === " " || c === "\t") endWord()
    else word += c
  }
  if (quoted) throw new Error("unterminated quoted-string")
  endWord()
  const [head, ...rest] = statements
  const authservId = (head ?? []).join(" ").replace(/\u0000/g, "")
  if (rest.length === 1 && rest[0]!.join(" ") === "none") return { authservId, results: "none" }
  return {
    authservId,
    results: rest.map(([first = "", ...properties]) => {
      const [method = "", result = ""] = first.split("=")
      return {
        method,
        result,
        properties: properties.map((p) => {
          const at = p.indexOf("=")
          return [p.slice(0, at), p.slice(at + 1).replace(/\u0000/g, "")] as const
        })
      }
    })
  }
}

describe("the Authentication-Results header, whatever the sender put in the values", () => {
  it("is one header field: every line break is a folding, no line exceeds 998 characters", () => {
    fc.assert(fc.property(hostile, fc.array(entry, { maxLength: 6 }), (authservId, entries) => {
      const field = authenticationResultsHeader(authservId, entries)
      expect(field.endsWith("\r\n")).toBe(true)
      expect(field.slice(0, -2)).not.toMatch(/\r(?!\n[\t ])|(?<!\r)\n|\r\n(?![\t ])/)
      for (const line of field.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998)
      expect(field).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/)
    }))
  })

  it("holds exactly one result per SPF, DKIM and DMARC entry, each with its values as given (controls removed)", () => {
    fc.assert(fc.property(hostile, fc.array(entry, { maxLength: 6 }), (authservId, entries) => {
      const read = readHeader(authenticationResultsHeader(authservId, entries))
      expect(read.authservId).toBe(expectedValue(authservId))
      const methods = entries.filter((e) => METHODS.has(Object.keys(e)[0] ?? ""))
      if (methods.length === 0) {
        expect(read.results).toBe("none")
        return
      }
      expect(read.results).not.toBe("none")
      const results = read.results as ReadonlyArray<Resinfo>
      expect(results.map((r) => r.method)).toEqual(methods.map((e) => Object.keys(e)[0]))
      results.forEach((result, i) => {
        expect(result.result).toMatch(/^[a-z]+$/)
        const source = methods[i]!
        const values: Record<string, unknown> = result.method === "spf"
          ? { "smtp.mailfrom": source["smtp.mailfrom"], "smtp.helo": source["smtp.helo"] }
          : result.method === "dkim"
          ? { "header.d": source.domain, "header.s": source.selector, "header.b": source["header.b"] }
          : { "header.from": source["header.from"], "policy.dmarc": source.policy }
        const expected = Object.entries(values).flatMap(([name, value]) => (typeof value === "string" ? [[name, expectedValue(value)]] : []))
        expect(result.properties).toEqual(expected)
      })
    }))
  })
})
