import { Cause, Effect, Logger } from "effect"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { jsonLinesTo } from "../../../adapters/logging/stdout-lines.ts"

/** The same log call written by the daemon's logger and by Effect's `Logger.formatJson`, in one fiber. */
const bothWrite = (log: Effect.Effect<void>) => {
  const ours: Array<string> = []
  const effects: Array<string> = []
  Effect.runSync(log.pipe(Effect.provide(Logger.layer([jsonLinesTo((l) => ours.push(l)), Logger.map(Logger.formatJson, (l) => effects.push(l))]))))
  return { ours, effects }
}

const plainValue = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean())
const annotations = fc.dictionary(fc.string({ minLength: 1 }).filter((k) => k !== "__proto__"), plainValue, { maxKeys: 8 })

describe("the daemon's JSON log lines", () => {
  it("are Effect's formatJson lines, byte for byte, for a message and plain annotations (the fast path)", () => {
    fc.assert(fc.property(fc.string(), annotations, (message, values) => {
      const { ours, effects } = bothWrite(Effect.logInfo(message).pipe(Effect.annotateLogs(values)))
      expect(ours).toEqual(effects)
      expect(JSON.parse(ours[0]!)).toMatchObject({ message, level: "INFO" })
    }))
  })

  it("are Effect's lines too for what it alone renders: a cause, objects, spans, several messages", () => {
    const cases: ReadonlyArray<Effect.Effect<void>> = [
      Effect.logError("failed", new Error("boom")),
      Effect.logWarning("with a cause").pipe(Effect.annotateLogs({ detail: { nested: [1, 2n] } })),
      Effect.logInfo("inside a span").pipe(Effect.withLogSpan("span")),
      Effect.logInfo("a", "b", 3),
      Effect.logDebug("cause").pipe(Effect.andThen(Effect.logFatal(Cause.fail("x"))))
    ]
    for (const log of cases) {
      const { ours, effects } = bothWrite(Effect.logInfo("x").pipe(Effect.andThen(log), Effect.annotateLogs({ n: Number.NaN })))
      expect(ours).toEqual(effects)
    }
  })
})
