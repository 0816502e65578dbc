import { describe, expect, it } from "vitest"
import { bindDn, escapeDnValue } from "../../../domain/auth/ldap-dn.ts"

const BASE = "ou=people,dc=intake,dc=test"

describe("escapeDnValue (RFC 4514)", () => {
  it.each<[string, string, string]>([
    ["a plain name", "alice", "alice"],
    ["dots, dashes, @ and digits", "j.doe-2@example.com", "j.doe-2@example.com"],
    ["a filter injection attempt (* ( ) mean nothing in a DN; = does)", "*)(uid=*", "*)(uid\\=*"],
    ["a comma that would add an RDN", "admin,ou=x", "admin\\,ou\\=x"],
    ["a plus that would make a multi-valued RDN", "alice+cn=root", "alice\\+cn\\=root"],
    ["every special character", "a\"b\\c<d>e;f", "a\\\"b\\\\c\\<d\\>e\\;f"],
    ["a leading #, which would start a hex value", "#admin", "\\#admin"],
    ["a # elsewhere", "a#b#", "a#b#"],
    ["a leading space", " alice", "\\ alice"],
    ["a trailing space", "alice ", "alice\\ "],
    ["a single space", " ", "\\ "],
    ["spaces inside", "mary ann  lee", "mary ann  lee"],
    ["NUL", "a\u0000b", "a\\00b"],
    ["a tab and a newline", "a\tb\nc", "a\\09b\\0Ac"],
    ["DEL", "a\u007f", "a\\7F"],
    ["a C1 control, as its UTF-8 bytes", "a\u0085", "a\\C2\\85"],
    ["non-ASCII letters stay as they are", "josé 日本", "josé 日本"]
  ])("%s: %j → %j", (_, value, escaped) => {
    expect(escapeDnValue(value)).toBe(escaped)
  })
})

describe("bindDn", () => {
  it("binds as uid=<user>,<base dn>", () => {
    expect(bindDn("alice", BASE)).toBe("uid=alice,ou=people,dc=intake,dc=test")
  })

  it("keeps a username with DN syntax inside the uid value", () => {
    expect(bindDn("alice,ou=people", "dc=intake,dc=test")).toBe("uid=alice\\,ou\\=people,dc=intake,dc=test")
    expect(bindDn("*)(uid=*", BASE)).toBe("uid=*)(uid\\=*,ou=people,dc=intake,dc=test")
  })

  it("takes a 256-character username", () => {
    expect(bindDn("a".repeat(256), BASE)).toBe(`uid=${"a".repeat(256)},${BASE}`)
  })

  it.each<[string, string]>([
    ["empty", ""],
    ["257 characters", "a".repeat(257)],
    ["containing NUL", "alice\u0000"],
    ["a lone surrogate", "alice\uD800"]
  ])("refuses a username that is %s", (_, username) => {
    expect(bindDn(username, BASE)).toBeUndefined()
  })
})
