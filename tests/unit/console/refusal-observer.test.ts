import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { makeRefusalTally } from "../../../application/console/refusal-tally.ts"
import { RefusalTally } from "../../../application/ports/refusal-tally.ts"
import { makeJournalRing } from "../../../application/session-journals-keeper.ts"
import { makeSessionObserver } from "../../../application/session/session-observer.ts"
import { makeInMemoryMetrics } from "../../../adapters/metrics/in-memory-metrics.ts"
import { Command } from "../../../domain/session/commands.ts"
import type { SessionCommand } from "../../../domain/session/commands.ts"
import { decide } from "../../../domain/session/decide.ts"
import { evolve } from "../../../domain/session/evolve.ts"
import { initialState } from "../../../domain/session/state.ts"
import type { SessionState } from "../../../domain/session/state.ts"
import type { SessionPolicy } from "../../../domain/session/policy.ts"
import { client, policy } from "../session/session-fixtures.ts"

const AT = Date.UTC(2026, 11, 5, 12)

/** A session's commands through the decider and the observer, with a tally provided; the journal of the steps. */
const observed = (ip: string, commands: ReadonlyArray<SessionCommand>, tally = makeRefusalTally(), rules: SessionPolicy = policy) => {
  const connection = client(ip)
  const observe = makeSessionObserver(connection, makeInMemoryMetrics("none"), AT)
  let state: SessionState = initialState
  const entries = commands.map((command, i) => {
    const events = decide(rules)(state, command)
    for (const event of events) {
      const before = state
      state = evolve(state, event)
      Effect.runSync(observe(event, before, AT + i).pipe(Effect.provideService(RefusalTally, tally)))
    }
    return { at: AT + i, command, events }
  })
  return { tally, journal: { id: ip, client: `${ip}:40000`, local: "198.51.100.1:25", openedAt: AT, entries, omitted: 0 } }
}

const withMessage = (dataEnd: SessionCommand) => [
  Command.ehlo("client.example"), Command.mail("a@example.org"), Command.rcpt("b@example.com"), Command.data, dataEnd
]

describe("refusals, as the console counts them from the session's events", () => {
  it("counts a connection outside smtp-range, a message with a bare LF and one too big, by reason and client", () => {
    const { tally } = observed("203.0.113.5", [Command.connect(client("203.0.113.5"))])
    observed("192.0.2.7", [Command.connect(client("192.0.2.7")), ...withMessage(Command.dataEnd(10, true))], tally)
    observed("192.0.2.7", [Command.connect(client("192.0.2.7")), ...withMessage(Command.dataEnd(5000))], tally)
    const summary = tally.summary(AT + 1000)
    expect(summary.byReason).toMatchObject({ range: 1, "bare-lf": 1, size: 1, auth: 0, broker: 0 })
    expect(summary.topClients).toEqual([
      { client: "192.0.2.7", count: 2, reason: "size" },
      { client: "203.0.113.5", count: 1, reason: "range" }
    ])
  })

  it("counts a message the broker did not take, and nothing for one it did", () => {
    const { tally } = observed("192.0.2.8", [
      Command.connect(client("192.0.2.8")),
      ...withMessage(Command.dataEnd(10)),
      Command.publishFailed("broker not connected"),
      Command.mail("a@example.org"), Command.rcpt("b@example.com"), Command.data, Command.dataEnd(10),
      Command.published(["id-1"])
    ])
    expect(tally.summary(AT + 1000).byReason).toMatchObject({ broker: 1 })
    expect(Object.values(tally.summary(AT + 1000).byReason).reduce((a, b) => a + b)).toBe(1)
  })

  it("counts a refusal the client gets before the end of DATA by its reason too: AUTH required or refused, SIZE= too big, the memory budget spent", () => {
    const auth: SessionPolicy = { ...policy, authRequired: true, tlsOffered: true }
    const at = (ip: string) => [Command.connect(client(ip)), Command.ehlo("client.example")]
    const tally = makeRefusalTally()
    // 530 at RCPT: a relay attempt without AUTH
    const relay = observed("192.0.2.10", [...at("192.0.2.10"), Command.mail("a@example.org"), Command.rcpt("b@example.com")], tally, auth)
    // 538: AUTH before TLS
    observed("192.0.2.11", [...at("192.0.2.11"), Command.auth("PLAIN")], tally, auth)
    // with rabbitmq-refused: 530 after DATA
    observed("192.0.2.12", [
      ...at("192.0.2.12"), Command.mail("a@example.org"), Command.rcpt("b@example.com"), Command.data, Command.dataEnd(10),
      Command.published(["id-1"])
    ], tally, { ...auth, keepRefused: true })
    // 552 at MAIL FROM SIZE=
    observed("192.0.2.13", [...at("192.0.2.13"), Command.mail("a@example.org", { size: 5000 })], tally)
    // 452 at DATA: the memory budget is spent
    observed("192.0.2.14", [...at("192.0.2.14"), Command.mail("a@example.org"), Command.rcpt("b@example.com"), { _tag: "Data", memoryFull: true }], tally)
    // a plain syntax error is no refusal the console counts
    observed("192.0.2.15", [...at("192.0.2.15"), Command.mail("a@example.org"), Command.rcpt("bad address")], tally)
    const summary = tally.summary(AT + 1000)
    expect(summary.byReason).toMatchObject({ auth: 3, size: 1, memory: 1 })
    expect(Object.values(summary.byReason).reduce((a, b) => a + b)).toBe(5)
    expect(summary.topClients.map((c) => [c.client, c.reason])).toEqual([
      ["192.0.2.10", "auth"], ["192.0.2.11", "auth"], ["192.0.2.12", "auth"], ["192.0.2.13", "size"], ["192.0.2.14", "memory"]
    ])
    // and the count's link finds the session
    const ring = makeJournalRing(10)
    Effect.runSync(ring.keep(() => relay.journal))
    expect(Effect.runSync(ring.find({ refusal: "auth" })).map((journal) => journal.id)).toEqual(["192.0.2.10"])
  })

  it("finds the sessions behind a count: by reason, or any refusal", () => {
    const ring = makeJournalRing(10)
    const sessions = [
      observed("192.0.2.7", [Command.connect(client("192.0.2.7")), ...withMessage(Command.dataEnd(10, true))]).journal,
      observed("192.0.2.9", [Command.connect(client("192.0.2.9")), ...withMessage(Command.dataEnd(10)), Command.published(["id"])]).journal,
      observed("203.0.113.5", [Command.connect(client("203.0.113.5"))]).journal
    ]
    for (const journal of sessions) Effect.runSync(ring.keep(() => journal))
    const found = (refusal: string) => Effect.runSync(ring.find({ refusal })).map((journal) => journal.id)
    expect(found("bare-lf")).toEqual(["192.0.2.7"])
    expect(found("range")).toEqual(["203.0.113.5"])
    expect(found("any")).toEqual(["203.0.113.5", "192.0.2.7"])
    expect(found("auth")).toEqual([])
  })
})
