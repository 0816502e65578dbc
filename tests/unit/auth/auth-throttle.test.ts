import { describe, expect, it } from "vitest"
import { assessAttempt, emptyThrottle, recordFailure, recordSuccess, THROTTLE } from "../../../domain/auth/auth-throttle.ts"
import type { ThrottleState } from "../../../domain/auth/auth-throttle.ts"

const failTimes = (state: ThrottleState, ip: string, times: ReadonlyArray<number>) =>
  times.reduce((s, at) => recordFailure(s, ip, at), state)

describe("slowing down password guessing", () => {
  it("answers the first five failures at once", () => {
    const state = failTimes(emptyThrottle, "192.0.2.1", [0, 1, 2, 3, 4])
    expect(assessAttempt(failTimes(emptyThrottle, "192.0.2.1", [0, 1, 2, 3]), "192.0.2.1", 5)).toEqual({ _tag: "Allowed", delayMs: 0 })
    expect(assessAttempt(state, "192.0.2.1", 5)).toEqual({ _tag: "Allowed", delayMs: 1000 })
  })

  it("delays each further attempt a second more, up to five seconds", () => {
    const delays = [5, 6, 7, 8, 9].map((n) =>
      assessAttempt(failTimes(emptyThrottle, "ip", Array.from({ length: n }, (_, i) => i)), "ip", 100))
    expect(delays.map((v) => v._tag === "Allowed" && v.delayMs)).toEqual([1000, 2000, 3000, 4000, 5000])
  })

  it("refuses an IP for ten minutes after ten failures within a minute", () => {
    const state = failTimes(emptyThrottle, "ip", Array.from({ length: 10 }, (_, i) => i * 1000))
    expect(assessAttempt(state, "ip", 10_000)).toEqual({ _tag: "Blocked", untilMs: 9_000 + THROTTLE.BLOCK_MS })
    expect(assessAttempt(state, "ip", 9_000 + THROTTLE.BLOCK_MS)._tag).toBe("Allowed")
  })

  it("forgets failures older than a minute", () => {
    const state = failTimes(emptyThrottle, "ip", [0, 1, 2, 3, 4, 5])
    expect(assessAttempt(state, "ip", 60_010)).toEqual({ _tag: "Allowed", delayMs: 0 })
  })

  it("does not punish other IPs", () => {
    const state = failTimes(emptyThrottle, "attacker", Array.from({ length: 10 }, (_, i) => i))
    expect(assessAttempt(state, "innocent", 20)).toEqual({ _tag: "Allowed", delayMs: 0 })
  })

  it("forgives an IP after a successful login", () => {
    const state = recordSuccess(failTimes(emptyThrottle, "ip", [0, 1, 2, 3, 4, 5, 6]), "ip", 7)
    expect(assessAttempt(state, "ip", 8)).toEqual({ _tag: "Allowed", delayMs: 0 })
  })
})
