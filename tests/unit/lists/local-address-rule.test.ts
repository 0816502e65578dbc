import { describe, expect, it } from "vitest"
import { compileLocalAddresses, ruleProblem } from "../../../domain/lists/local-address-rule.ts"
import type { LocalAddressRule } from "../../../domain/lists/local-address-rule.ts"
import { greetingHostname } from "../../../domain/lists/greeting-hostname.ts"

const local = (rules: ReadonlyArray<LocalAddressRule>, address: string) => compileLocalAddresses(rules).isLocal(address)

describe("local addresses (SPEC §6)", () => {
  it.each([
    [{ pattern: "info@example.com", type: "exact" }, "info@example.com", true],
    [{ pattern: "info@example.com", type: "exact" }, "INFO@Example.COM", true],
    [{ pattern: "info@example.com", type: "exact" }, "sales@example.com", false],
    [{ pattern: "@example.com", type: "exact" }, "anyone@example.com", true],
    [{ pattern: "@example.com", type: "exact" }, "anyone@sub.example.com", false],
    [{ pattern: "*@example.com", type: "fnmatch" }, "x@example.com", true],
    [{ pattern: "*@example.com", type: "fnmatch" }, "x@example.com.evil.net", false],
    [{ pattern: "bounce-?@*.example.org", type: "fnmatch" }, "bounce-7@mx.example.org", true],
    [{ pattern: "postmaster", type: "substr" }, "postmaster@anything.test", true],
    [{ pattern: "^dmarc-[a-z]+@example\\.com$", type: "regex" }, "dmarc-reports@example.com", true],
    [{ pattern: "^dmarc-[a-z]+@example\\.com$", type: "regex" }, "dmarc-1@example.com", false]
  ] as const)("%o matches %s: %s", (rule, address, expected) => {
    expect(local([rule], address)).toBe(expected)
  })

  it("no rule, nothing local", () => {
    expect(local([], "a@example.com")).toBe(false)
  })

  it.each([
    [{ pattern: "", type: "exact" }, "pattern is empty"],
    [{ pattern: "example.com", type: "exact" }, "exact pattern must be user@domain or @domain"],
    [{ pattern: "(", type: "regex" }, "not a valid regular expression"],
    [{ pattern: "a@b", type: "glob" }, "type must be one of exact, fnmatch, substr, regex"],
    [{ pattern: "a\nb@c", type: "substr" }, "pattern contains control characters"]
  ] as const)("refuses %o: %s", (rule, problem) => {
    expect(ruleProblem(rule as LocalAddressRule)).toContain(problem)
  })
})

describe("the greeting hostname", () => {
  const machine = "vm-1"
  it("prefers the MTA hostname, then smtp-hostname, then reverse DNS, then the machine's name", () => {
    expect(greetingHostname({ mtaHostname: "mta.example", configured: "conf.example", reverseDns: "rdns.example", machine })).toBe("mta.example")
    expect(greetingHostname({ mtaHostname: undefined, configured: "conf.example", reverseDns: "rdns.example", machine })).toBe("conf.example")
    expect(greetingHostname({ mtaHostname: undefined, configured: undefined, reverseDns: "rdns.example", machine })).toBe("rdns.example")
    expect(greetingHostname({ mtaHostname: undefined, configured: undefined, reverseDns: undefined, machine })).toBe(machine)
  })
})
