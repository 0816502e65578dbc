import { describe, expect, it } from "vitest"
import { addsAuthResults, authenticationPlan, plansAnything, runsChecks } from "../../../domain/checks/checks-config.ts"

describe("what the configuration asks for", () => {
  it.each([
    [[], { spf: false, dkim: false, dmarc: false }],
    [["spam"], { spf: false, dkim: false, dmarc: false }],
    [["spf"], { spf: true, dkim: false, dmarc: false }],
    [["dkim", "spam"], { spf: false, dkim: true, dmarc: false }],
    [["dmarc"], { spf: true, dkim: true, dmarc: true }]
  ] as const)("smtp-check %j runs %j (DMARC needs SPF and DKIM)", (checks, plan) => {
    expect(authenticationPlan(checks)).toEqual(plan)
    expect(plansAnything(authenticationPlan(checks))).toBe(Object.values(plan).some(Boolean))
  })

  it("runs checks when smtp-check or smtp-auth-results is set", () => {
    expect(runsChecks({ checks: [], authResults: [] })).toBe(false)
    expect(runsChecks({ checks: ["spam"], authResults: [] })).toBe(true)
    expect(runsChecks({ checks: [], authResults: ["local"] })).toBe(true)
  })

  it("adds Authentication-Results to local, non-local, both or neither kind of message", () => {
    expect([addsAuthResults(["local"], true), addsAuthResults(["local"], false)]).toEqual([true, false])
    expect([addsAuthResults(["nonlocal"], true), addsAuthResults(["nonlocal"], false)]).toEqual([false, true])
    expect([addsAuthResults(["local", "nonlocal"], true), addsAuthResults(["local", "nonlocal"], false)]).toEqual([true, true])
    expect([addsAuthResults([], true), addsAuthResults([], false)]).toEqual([false, false])
  })
})
