import { Effect, Logger, References } from "effect"
let n = 0
const sink = (line: string) => { n += line.length }
const fast = Logger.make(({ date, fiber, logLevel, message }) => {
  const annotations = fiber.getRef(References.CurrentLogAnnotations)
  sink(JSON.stringify({ message: Array.isArray(message) && message.length === 1 ? message[0] : message, level: logLevel.toUpperCase(), timestamp: date.toISOString(), annotations, spans: {}, fiberId: `#${fiber.id}` }))
})
for (const [name, logger] of [["formatJson", Logger.map(Logger.formatJson, sink)], ["fast", fast]] as const) {
  const ctx = Effect.runSync(Effect.context<never>().pipe(Effect.provide(Logger.layer([logger]))))
  const run = Effect.runSyncWith(ctx)
  for (let r = 0; r < 3; r++) {
    const t = process.hrtime.bigint()
    for (let i = 0; i < 50000; i++) run(Effect.logInfo("message queued").pipe(Effect.annotateLogs({ ids: "abcdefgh12345678", client: "127.0.0.1", sender: "a@example.org", recipients: 1, size: 10240, ms: 3.2, brokerMs: 3.1 })))
    console.log(name, (Number(process.hrtime.bigint() - t) / 50000 / 1000).toFixed(2), "us per log line")
  }
}
const ctx = Effect.runSync(Effect.context<never>())
const run = Effect.runSyncWith(ctx)
const t = process.hrtime.bigint()
for (let i = 0; i < 50000; i++) run(Effect.void)
console.log("runSync(void)", (Number(process.hrtime.bigint() - t) / 50000 / 1000).toFixed(2))
