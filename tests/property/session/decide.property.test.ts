import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { SessionCommand } from "../../../domain/session/commands.ts"
import { Command } from "../../../domain/session/commands.ts"
import { isValidReply } from "../../../domain/session/reply.ts"
import { evolve, EventOutOfPlace, replay } from "../../../domain/session/evolve.ts"
import type { SessionEvent } from "../../../domain/session/events.ts"
import { client, play, policy } from "../../unit/session/session-fixtures.ts"

const address = fc.oneof(
  fc.constantFrom("a@example.org", "b@example.com", "", "x", "a b@c.d", "@example.org", "user@", "Ü@bücher.example"),
  fc.emailAddress(),
  fc.string()
)

const command: fc.Arbitrary<SessionCommand> = fc.oneof(
  fc.tuple(fc.constantFrom("192.0.2.5", "203.0.113.5", "::ffff:192.0.2.9", "2001:db8::1"), fc.boolean())
    .map(([ip, blocked]) => Command.connect(client(ip), blocked)),
  fc.oneof(fc.constant("client.example.org"), fc.string()).map(Command.ehlo),
  fc.tuple(address, fc.option(fc.nat(2000), { nil: undefined }), fc.boolean()).map(([a, size, utf8]) =>
    Command.mail(a, { size, utf8 })
  ),
  fc.tuple(address, fc.boolean()).map(([a, local]) => Command.rcpt(a, local)),
  fc.constantFrom("alice", "bob").map(Command.authenticated),
  fc.tuple(fc.constantFrom("PLAIN", "LOGIN", "CRAM-MD5", "x"), fc.boolean()).map(([m, initial]) => Command.auth(m, initial)),
  fc.constantFrom("rejected", "throttled", "unavailable", "cancelled", "malformed" as const).map(Command.authRefused),
  fc.constant(Command.authChallenge("UGFzc3dvcmQ6")),
  fc.constant(Command.startTls),
  fc.constantFrom(Command.noop, Command.help, Command.vrfy, Command.expn, Command.httpRequest, Command.lineTooLong, Command.shuttingDown),
  fc.constantFrom("command", "data" as const).map(Command.timedOut),
  fc.constantFrom("disconnected", "tls-failed" as const).map(Command.disconnected),
  fc.string({ maxLength: 6 }).map(Command.unknown),
  fc.constantFrom("MAIL", "RCPT", "EHLO").map((verb) => Command.malformed(verb, "bad")),
  fc.tuple(fc.boolean(), fc.boolean()).map(([extended, empty]) => Command.ehlo(empty ? "" : "c.example", extended)),
  fc.constant(Command.data),
  fc.tuple(fc.nat(2000), fc.boolean(), fc.boolean()).map(([size, bare, nul]) => Command.dataEnd(size, bare, nul)),
  fc.array(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 4 }).map(Command.published),
  fc.string().map(Command.publishFailed),
  fc.constant(Command.rset),
  fc.constant(Command.secured({ protocol: "TLSv1.3", cipher: "TLS_AES_128_GCM_SHA256" })),
  fc.constant(Command.quit)
)

/** A whole well-formed transaction, so that random sessions reach DATA and the 250 often. */
const transaction = fc.tuple(fc.array(fc.emailAddress(), { minLength: 1, maxLength: 4 }), fc.nat(1200)).map((
  [rcpts, size]
): ReadonlyArray<SessionCommand> => [
  Command.mail("a@example.org"),
  ...rcpts.map((rcpt) => Command.rcpt(rcpt)),
  Command.data,
  Command.dataEnd(size),
  Command.published(rcpts.map((_, i) => `id${i}`))
])

/** Sessions that mostly start properly, mixing whole transactions with random commands. */
const session = fc.tuple(
  fc.boolean(),
  fc.array(fc.oneof(command.map((c) => [c]), transaction), { maxLength: 20 })
).map(([start, parts]) => [
  ...(start ? [Command.connect(client()), Command.ehlo("c.example")] : []),
  ...parts.flat()
])

describe("the session decider, over any sequence of commands", () => {
  it("replay of the journal's events gives the live state, and evolve accepts every event decide produces", () => {
    for (const p of [policy, { ...policy, authRequired: true, tlsOffered: true }]) {
      fc.assert(fc.property(session, (commands) => {
        const { events, state } = play(commands, p)
        expect(replay(events.flat())).toEqual(state)
      }))
    }
  })

  it("evolve is strict: an event that cannot follow the state is a defect, not ignored", () => {
    const queued: SessionEvent = { _tag: "MessageQueued", messageIds: ["x"], brokerMs: 0, reply: { code: 250, enhanced: undefined, lines: ["ok"] } }
    expect(() => replay([queued])).toThrow(EventOutOfPlace)
    expect(() => evolve(play([Command.connect(client()), Command.ehlo("c.example")]).state, queued)).toThrow(/MessageQueued/)
  })

  it("gives at most one reply per command", () => {
    fc.assert(fc.property(session, (commands) => {
      const { events } = play(commands)
      for (const produced of events) expect(produced.filter((e) => "reply" in e && e.reply !== undefined).length).toBeLessThanOrEqual(1)
    }))
  })

  it("never throws and every reply is a valid SMTP reply", () => {
    fc.assert(fc.property(session, (commands) => {
      for (const reply of play(commands).replies) if (reply !== undefined) expect(isValidReply(reply)).toBe(true)
    }))
  })

  it("answers DATA with 354 only after an accepted MAIL and an accepted RCPT in the same transaction", () => {
    fc.assert(fc.property(session, (commands) => {
      const { events } = play(commands)
      let sender = false
      let recipient = false
      for (const produced of events) {
        for (const event of produced) {
          switch (event._tag) {
            case "SenderAccepted":
              sender = true
              break
            case "RecipientAccepted":
              recipient = true
              break
            case "DataStarted":
              expect(sender && recipient).toBe(true)
              break
            case "Greeted":
            case "ConnectionSecured":
            case "TransactionReset":
            case "MessageQueued":
            case "MessageDeferred":
            case "MessageRefused":
            case "SessionClosed":
            case "ConnectionRefused":
              sender = false
              recipient = false
          }
        }
      }
    }))
  })

  it("answers 250 to the end of DATA only after DATA was started and the message published", () => {
    fc.assert(fc.property(session, (commands) => {
      const { events } = play(commands)
      let started = false
      let received = false
      for (const produced of events) {
        for (const event of produced) {
          if (event._tag === "DataStarted") started = true
          if (event._tag === "MessageReceived") {
            expect(started).toBe(true)
            received = true
          }
          if (event._tag === "MessageQueued") {
            expect(received).toBe(true)
            expect(event.reply.code).toBe(250)
            started = false
            received = false
          }
        }
      }
    }))
  })

  it("RSET always returns to the greeted state, with no transaction left", () => {
    fc.assert(fc.property(session, (commands) => {
      const before = play(commands).state
      const { state, last } = play([...commands, Command.rset])
      if (last?.code === 250) {
        expect(state.phase === "ready" || state.phase === "connected").toBe(true)
        expect("envelope" in state).toBe(false)
        if ("helo" in before) expect("helo" in state && state.helo).toBe(before.helo)
      }
    }))
  })

  it("reaches queued, deferred and refused messages (the generator explores the deep states)", () => {
    const seen = new Set<string>()
    fc.assert(fc.property(session, (commands) => {
      for (const produced of play(commands).events) for (const event of produced) seen.add(event._tag)
    }), { numRuns: 300, seed: 42 })
    expect([...seen]).toEqual(expect.arrayContaining(["MessageQueued", "MessageDeferred", "MessageRefused", "DataStarted"]))
  })

  it("with smtp-auth set, never accepts a non-local recipient from an unauthenticated client", () => {
    fc.assert(fc.property(session, (commands) => {
      const { events } = play(commands, { ...policy, authRequired: true })
      let user: string | undefined
      commands.forEach((command, i) => {
        for (const event of events[i] ?? []) {
          if (event._tag === "UserAuthenticated") user = event.user
          if (event._tag === "ConnectionSecured" || event._tag === "SessionClosed") user = undefined
          if (event._tag === "RecipientAccepted") {
            expect(user !== undefined || (command._tag === "Rcpt" && command.local)).toBe(true)
          }
        }
      })
    }))
  })

  it("with smtp-auth and rabbitmq-refused, a recipient that needed AUTH is only provisional, and its message is never queued", () => {
    fc.assert(fc.property(session, (commands) => {
      const { events } = play(commands, { ...policy, authRequired: true, keepRefused: true })
      let user: string | undefined
      let provisional = false
      commands.forEach((command, i) => {
        for (const event of events[i] ?? []) {
          if (event._tag === "UserAuthenticated") user = event.user
          if (event._tag === "ConnectionSecured" || event._tag === "SessionClosed") user = undefined
          if (event._tag === "RecipientAccepted") {
            expect(event.provisional).toBe(user === undefined && !(command._tag === "Rcpt" && command.local))
            provisional ||= event.provisional
          }
          if (event._tag === "MessageQueued") expect(provisional).toBe(false)
          if (event._tag === "MessageRefused" && event.reason === "authentication") expect([event.reply.code, provisional]).toEqual([530, true])
          if (["MessageQueued", "MessageDeferred", "MessageRefused", "TransactionReset", "SessionClosed", "ConnectionSecured"].includes(event._tag)) {
            provisional = false
          }
        }
      })
    }))
  })

  it("never accepts more recipients than the limit", () => {
    fc.assert(fc.property(session, (commands) => {
      for (let n = 1; n <= commands.length; n++) {
        const { state } = play(commands.slice(0, n))
        if ("envelope" in state) expect(state.envelope.recipients.length).toBeLessThanOrEqual(policy.maxRecipients)
      }
    }), { numRuns: 50 })
  })
})
