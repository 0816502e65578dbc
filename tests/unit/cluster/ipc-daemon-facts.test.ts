import { assert, describe, it } from "@effect/vitest"
import { Effect, Scope } from "effect"
import { makeIpcDaemonFacts } from "../../../adapters/cluster/ipc-daemon-facts.ts"
import { makeRefusalTally } from "../../../application/console/refusal-tally.ts"
import { ProcessConsoleReader } from "../../../application/ports/daemon-facts.ts"
import { makeConsoleServer } from "../../../infrastructure/cluster/console-server.ts"
import { ipcChannel } from "../../support/ipc-channel.ts"

const NOW = Date.now()

/** A worker of the console: its own facts (its smtp-timeout) and tally, over a channel to the primary's console server. */
const worker = (server: Effect.Success<typeof makeConsoleServer>, id: number, timeout: string, options: { readonly answers?: boolean } = {}) =>
  Effect.gen(function*() {
    const link = ipcChannel()
    yield* server.serve(String(id), link.primary).pipe(Scope.provide(yield* Scope.make()))
    const tally = makeRefusalTally()
    const own = ProcessConsoleReader.of({
      read: Effect.sync(() => ({
        facts: {
          pid: 1000 + id, worker: id, version: "1.2.3", startedAt: NOW,
          settings: [{ key: "smtp-timeout", value: timeout, whenUnset: undefined, emptyIsAValue: false }], lastReload: undefined
        },
        refusals: tally.summary(Date.now())
      }))
    })
    const client = yield* makeIpcDaemonFacts(options.answers === false ? ipcChannel().worker : link.worker).pipe(
      Effect.provideService(ProcessConsoleReader, own)
    )
    return { client, tally }
  })

describe("the console's facts over IPC (smtp-threads > 1)", () => {
  it.live("either worker shows every worker's settings, in worker order, and their refusals added up", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* makeConsoleServer
      const b = yield* worker(server, 2, "120")
      const a = yield* worker(server, 1, "300")
      a.tally.record("auth", "192.0.2.1", NOW)
      b.tally.record("auth", "192.0.2.1", NOW)
      b.tally.record("size", "192.0.2.2", NOW)
      for (const { client } of [a, b]) {
        const reading = yield* client.read
        assert.deepStrictEqual(reading.processes.map((p) => [p.worker, p.settings[0]?.value]), [[1, "300"], [2, "120"]])
        assert.strictEqual(reading.refusals.byReason.auth, 2)
        assert.strictEqual(reading.refusals.byReason.size, 1)
        assert.deepStrictEqual(reading.refusals.topClients[0], { client: "192.0.2.1", count: 2, reason: "auth" })
      }
    })))

  it.live("a worker whose primary does not answer shows its own part", () =>
    Effect.scoped(Effect.gen(function*() {
      const server = yield* makeConsoleServer
      yield* worker(server, 1, "300")
      const alone = yield* worker(server, 2, "120", { answers: false })
      // the primary's reply never reaches it; the read times out (5 s) and falls back
      const reading = yield* alone.client.read
      assert.deepStrictEqual(reading.processes.map((p) => p.worker), [2])
    })), 20_000)
})
