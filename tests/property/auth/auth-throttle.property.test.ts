import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { assessAttempt, emptyThrottle, recordFailure, recordSuccess, THROTTLE } from "../../../domain/auth/auth-throttle.ts"

const event = fc.record({
  ip: fc.constantFrom("a", "b", "c"),
  gap: fc.nat(20_000),
  ok: fc.boolean()
})

describe("the AUTH throttle, over any history", () => {
  it("never delays beyond the cap, blocks only after enough recent failures, and stays bounded", () => {
    fc.assert(fc.property(fc.array(event, { maxLength: 80 }), (events) => {
      let state = emptyThrottle
      let now = 0
      const history: Array<{ ip: string; at: number; ok: boolean }> = []
      for (const { ip, gap, ok } of events) {
        now += gap
        const verdict = assessAttempt(state, ip, now)
        if (verdict._tag === "Allowed") expect(verdict.delayMs).toBeLessThanOrEqual(THROTTLE.MAX_DELAY_MS)
        else {
          // a block needs BLOCK_AFTER failures of this IP within one window, since its last success
          const since = history.findLastIndex((h) => h.ip === ip && h.ok)
          const failures = history.slice(since + 1).filter((h) => h.ip === ip && !h.ok).map((h) => h.at)
          const burst = failures.some((start) =>
            failures.filter((at) => at >= start && at - start < THROTTLE.WINDOW_MS).length >= THROTTLE.BLOCK_AFTER)
          expect(burst).toBe(true)
          expect(verdict.untilMs).toBeGreaterThan(now)
          continue
        }
        state = ok ? recordSuccess(state, ip, now) : recordFailure(state, ip, now)
        history.push({ ip, at: now, ok })
        for (const record of state.values()) expect(record.failures.length).toBeLessThanOrEqual(THROTTLE.BLOCK_AFTER + 80)
        expect(state.size).toBeLessThanOrEqual(3)
      }
    }))
  })

  it("a quiet IP (no failure in the last minute, not blocked) is always answered at once", () => {
    fc.assert(fc.property(fc.array(fc.nat(5_000), { maxLength: 30 }), (gaps) => {
      let state = emptyThrottle
      let now = 0
      for (const gap of gaps) {
        now += gap
        state = recordFailure(state, "x", now)
      }
      const later = now + THROTTLE.BLOCK_MS + THROTTLE.WINDOW_MS
      expect(assessAttempt(state, "x", later)).toEqual({ _tag: "Allowed", delayMs: 0 })
    }))
  })
})
