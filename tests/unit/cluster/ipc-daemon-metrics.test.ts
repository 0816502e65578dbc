import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { makeIpcDaemonMetrics } from "../../../adapters/cluster/ipc-daemon-metrics.ts"
import { makeInMemoryMetrics } from "../../../adapters/metrics/in-memory-metrics.ts"
import { makeConnectionBudget } from "../../../application/connection-budget-keeper.ts"
import { Metrics } from "../../../application/ports/metrics.ts"
import { Publisher } from "../../../application/ports/publisher.ts"
import { makeMetricsServer } from "../../../infrastructure/cluster/metrics-server.ts"
import { ipcChannel } from "../../support/ipc-channel.ts"

/** The primary's metrics server and budget, and a way to attach workers, each with its own counters. */
const cluster = Effect.gen(function*() {
  const budget = yield* makeConnectionBudget({ total: undefined, incoming: 10, outgoing: undefined, maxWaiting: 10 }, 60_000)
  const server = yield* makeMetricsServer(budget, "hardcoded")
  const attach = (name: string, options: { readonly publisherReady?: boolean; readonly answers?: boolean } = {}) =>
    Effect.gen(function*() {
      const link = ipcChannel()
      const served = yield* Scope.make()
      yield* server.serve(name, link.primary).pipe(Scope.provide(served))
      const metrics = makeInMemoryMetrics("hardcoded")
      const publisher = Publisher.of({ publish: () => Effect.void, isReady: Effect.succeed(options.publisherReady ?? true) })
      // a worker that never answers the primary (stuck) still gets a client, on a channel of its own
      const client = yield* makeIpcDaemonMetrics(options.answers === false ? ipcChannel().worker : link.worker).pipe(
        Effect.provideService(Metrics, metrics),
        Effect.provideService(Publisher, publisher)
      )
      const accept = (messages: number) =>
        Effect.gen(function*() {
          yield* metrics.connectionAccepted
          for (let n = 0; n < messages; n++) yield* metrics.messageReceived("accepted", 100)
        })
      return { client, link, metrics, accept, gone: Scope.close(served, Exit.void) }
    })
  return { budget, server, attach }
})

describe("the whole daemon's metrics over IPC (smtp-threads > 1)", () => {
  it.live("a scrape at either worker shows the sum of all workers, and the primary's budget", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach, budget } = yield* cluster
      const a = yield* attach("1")
      const b = yield* attach("2")
      yield* a.accept(3)
      yield* b.accept(4)
      yield* budget.admitIncoming("x")
      for (const worker of [a, b]) {
        const reading = yield* worker.client.read
        assert.strictEqual(reading.metrics.messages.accepted, 7)
        assert.strictEqual(reading.metrics.connectionsAccepted, 2)
        assert.strictEqual(reading.metrics.connectionsOpen, 2)
        assert.strictEqual(reading.metrics.bytesReceived, 700)
        assert.strictEqual(reading.metrics.authBackend, "hardcoded")
        assert.deepStrictEqual(reading.workers, { running: 2, reporting: 2 })
        assert.deepStrictEqual(reading.budget, { incoming: 1, outgoing: 0, waiting: 0 })
        assert.isTrue(reading.publisherReady)
      }
    })))

  it.live("the publisher counts as ready only when it is at every worker that answered", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach } = yield* cluster
      const a = yield* attach("1")
      yield* attach("2", { publisherReady: false })
      assert.isFalse((yield* a.client.read).publisherReady)
    })))

  it.live("a worker that does not answer in time counts with its last figures, and the scrape still answers", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach, server } = yield* cluster
      const a = yield* attach("1")
      const b = yield* attach("2")
      yield* a.accept(2)
      yield* b.accept(5)
      assert.strictEqual((yield* a.client.read).metrics.messages.accepted, 7)
      yield* b.accept(1) // not seen: b stops answering before the next scrape
      b.link.cut()
      const cutOff = yield* a.client.read
      assert.strictEqual(cutOff.metrics.messages.accepted, 7)
      assert.deepStrictEqual(cutOff.workers, { running: 2, reporting: 1 })
      // a worker that is stuck rather than cut off: the primary waits a short while, then goes on without it
      const stuck = yield* attach("3", { answers: false })
      const reading = yield* server.read
      assert.deepStrictEqual(reading.workers, { running: 3, reporting: 1 })
      assert.strictEqual(reading.metrics.messages.accepted, 7)
      yield* stuck.gone
    })))

  it.live("the counters never go backwards when a worker dies and its replacement starts from zero", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach } = yield* cluster
      const a = yield* attach("1")
      const b = yield* attach("2")
      yield* a.accept(3)
      yield* b.accept(4)
      const before = yield* b.client.read
      assert.strictEqual(before.metrics.messages.accepted, 7)
      assert.strictEqual(before.metrics.connectionsOpen, 2)
      a.link.cut()
      yield* a.gone
      const replacement = yield* attach("3")
      yield* replacement.accept(1)
      const after = yield* replacement.client.read
      assert.strictEqual(after.metrics.messages.accepted, 8)
      assert.strictEqual(after.metrics.connectionsAccepted, 3)
      // the dead worker's sessions are closed: they no longer count as open
      assert.strictEqual(after.metrics.connectionsOpen, 2)
      assert.deepStrictEqual(after.workers, { running: 2, reporting: 2 })
    })))

  it.live("a worker whose primary is gone cannot answer a scrape", () =>
    Effect.scoped(Effect.gen(function*() {
      const { attach } = yield* cluster
      const a = yield* attach("1")
      a.link.cut()
      const failure = yield* Effect.flip(a.client.read)
      assert.strictEqual(failure._tag, "MetricsUnavailable")
    })))
})
