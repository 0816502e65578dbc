import { describe, expect, it } from "vitest"
import { parseCommandLine } from "../../../domain/session/command-line.ts"
import { Command } from "../../../domain/session/commands.ts"
import { renderReply } from "../../../domain/session/reply.ts"
import { client, play, policy } from "./session-fixtures.ts"

const greeted = [Command.connect(client()), Command.ehlo("client.example.org")]
const withRecipient = [...greeted, Command.mail("a@example.org"), Command.rcpt("b@example.com")]

describe("connecting", () => {
  it("greets a client inside smtp-range with 220 and the hostname", () => {
    expect(renderReply(play([Command.connect(client())]).last!)).toBe("220 mx.example.test ESMTP\r\n")
  })

  it("refuses a client outside smtp-range with 554 and closes the session", () => {
    const { last, state } = play([Command.connect(client("203.0.113.9"))])
    expect(last?.code).toBe(554)
    expect(last?.enhanced).toBe("5.7.1")
    expect(state.phase).toBe("closed")
  })

  it("admits an IPv4 client arriving as IPv4-mapped IPv6", () => {
    expect(play([Command.connect(client("::ffff:192.0.2.44"))]).last?.code).toBe(220)
  })

  it("refuses a blocked client with 554 when smtp-protection is on, and only then", () => {
    const { last, state } = play([Command.connect(client(), true)], { ...policy, protection: true })
    expect([last?.code, last?.lines[0]]).toEqual([554, "Access denied: 192.0.2.7 is blocked"])
    expect(state.phase).toBe("closed")
    expect(play([Command.connect(client(), true)]).last?.code).toBe(220)
  })

  it("admits nobody when smtp-range is empty", () => {
    const { last } = play([Command.connect(client())], { ...policy, allowedRanges: [] })
    expect(last?.code).toBe(554)
  })

  it("ignores every command after the session is closed", () => {
    const { events } = play([Command.connect(client("203.0.113.9")), Command.ehlo("x"), Command.mail("a@b.c")])
    expect(events.slice(1)).toEqual([[], []])
  })
})

describe("the mail transaction", () => {
  it("asks for EHLO before MAIL", () => {
    const { last } = play([Command.connect(client()), Command.mail("a@example.org")])
    expect([last?.code, last?.enhanced]).toEqual([503, "5.5.1"])
  })

  it("asks for MAIL before RCPT and RCPT before DATA", () => {
    expect(play([...greeted, Command.rcpt("b@example.com")]).last?.code).toBe(503)
    expect(play([...greeted, Command.mail("a@example.org"), Command.data]).last?.code).toBe(503)
  })

  it("refuses a nested MAIL", () => {
    expect(play([...greeted, Command.mail("a@example.org"), Command.mail("c@example.org")]).last?.code).toBe(503)
  })

  it("accepts the null sender", () => {
    expect(play([...greeted, Command.mail("")]).last?.code).toBe(250)
  })

  it("refuses parameters of extensions it does not offer with 555 5.5.4 (RFC 5321 §4.1.1.11)", () => {
    const mail = play([...greeted, Command.mail("a@example.org", { parameters: ["SIZE", "RET"] })]).last
    expect([mail?.code, mail?.enhanced, mail?.lines[0]]).toEqual([555, "5.5.4", "Unsupported MAIL FROM parameter: RET"])
    expect(play([...greeted, Command.mail("a@example.org", { parameters: ["SIZE", "BODY", "SMTPUTF8"] })]).last?.code)
      .toBe(250)
    expect(play([...greeted, Command.mail("a@example.org"), Command.rcpt("b@example.com", false, ["NOTIFY"])]).last?.code)
      .toBe(555)
  })

  it("accepts the domainless Postmaster as a recipient (RFC 5321 §4.1.1.3)", () => {
    expect(play([...greeted, Command.mail("a@example.org"), Command.rcpt("PostMaster")]).last?.code).toBe(250)
  })

  it("with smtp-validate-address: loose, accepts odd real-world addresses strict refuses", () => {
    const odd = [...greeted, Command.mail("john..doe@example.org"), Command.rcpt("a@b@c")]
    expect(play(odd).replies.slice(-2).map((r) => r?.code)).toEqual([501, 503])
    expect(play(odd, { ...policy, addressValidation: "loose" }).replies.slice(-2).map((r) => r?.code)).toEqual([250, 250])
  })

  it("accepts UTF-8 addresses only when MAIL FROM asked for SMTPUTF8", () => {
    const utf8 = [...greeted, Command.mail("jörg@bücher.example", { utf8: true }), Command.rcpt("ñoño@ejemplo.es")]
    expect(play(utf8).replies.slice(-2).map((r) => r?.code)).toEqual([250, 250])
    const ascii = [...greeted, Command.mail("a@example.org"), Command.rcpt("ñoño@ejemplo.es")]
    expect(play(ascii).last?.code).toBe(553)
    expect(play(ascii).last?.lines[0]).toContain("SMTPUTF8")
  })

  it("does not echo control characters or the raw address in refusals", () => {
    const { last } = play([...greeted, Command.mail("a\u0007b@example.org")])
    expect(last?.code).toBe(501)
    expect(last?.lines.join("")).not.toMatch(/[\x00-\x1f]/)
  })

  it("refuses a malformed sender with 501 5.1.7 and a malformed recipient with 553 5.1.3", () => {
    const sender = play([...greeted, Command.mail("not an address")]).last
    expect([sender?.code, sender?.enhanced]).toEqual([501, "5.1.7"])
    const rcpt = play([...greeted, Command.mail("a@example.org"), Command.rcpt("nobody")]).last
    expect([rcpt?.code, rcpt?.enhanced]).toEqual([553, "5.1.3"])
  })

  it("refuses a declared SIZE above smtp-maxsize with 552 5.3.4", () => {
    const { last } = play([...greeted, Command.mail("a@example.org", { size: 1001 })])
    expect([last?.code, last?.enhanced]).toEqual([552, "5.3.4"])
    expect(play([...greeted, Command.mail("a@example.org", { size: 1000 })]).last?.code).toBe(250)
  })

  it("refuses recipients beyond the limit with 452 4.5.3 and keeps the ones accepted", () => {
    const { replies, state } = play([
      ...greeted,
      Command.mail("a@example.org"),
      ...["1", "2", "3", "4"].map((n) => Command.rcpt(`r${n}@example.com`))
    ])
    expect(replies.slice(-4).map((r) => r?.code)).toEqual([250, 250, 250, 452])
    expect(state.phase === "mail" && state.envelope.recipients.map((r) => r.address)).toEqual([
      "r1@example.com",
      "r2@example.com",
      "r3@example.com"
    ])
  })

  it("keeps one copy of a recipient given twice", () => {
    const { state } = play([...withRecipient, Command.rcpt("B@example.com")])
    expect(state.phase === "mail" && state.envelope.recipients).toEqual([{ address: "b@example.com", local: false, provisional: false }])
  })

  it("answers DATA with 354 once MAIL and RCPT were accepted", () => {
    expect(play([...withRecipient, Command.data]).last?.code).toBe(354)
  })
})

describe("the end of DATA", () => {
  const inData = [...withRecipient, Command.rcpt("c@example.com"), Command.data]

  it("waits for the publisher: a received message has no reply yet", () => {
    const { events, last, state } = play([...inData, Command.dataEnd(200)])
    expect(events.at(-1)).toEqual([{ _tag: "MessageReceived", size: 200 }])
    expect(last).toBeUndefined()
    expect(state.phase).toBe("publishing")
  })

  it("answers MailerQ's multi-line 250 listing one id per recipient once published", () => {
    const { last, state } = play([...inData, Command.dataEnd(200), Command.published(["id1", "id2"])])
    expect(renderReply(last!)).toBe(
      "250-Ok, your message has been queued using the following identifiers:\r\n" +
        "250-id1 for b@example.com\r\n" +
        "250 id2 for c@example.com\r\n"
    )
    expect(state.phase).toBe("ready")
  })

  it("answers 451 4.3.0 when publishing failed, and the client may try again", () => {
    const { last, state } = play([...inData, Command.dataEnd(200), Command.publishFailed("broker down")])
    expect([last?.code, last?.enhanced]).toEqual([451, "4.3.0"])
    expect(state.phase).toBe("ready")
    expect(play([...inData, Command.dataEnd(200), Command.publishFailed("x"), Command.mail("a@b.example")]).last?.code)
      .toBe(250)
  })

  it("never answers 250 when the ids do not cover every recipient", () => {
    expect(play([...inData, Command.dataEnd(200), Command.published(["only-one"])]).last?.code).toBe(451)
  })

  it("refuses a message over smtp-maxsize with 552 5.3.4", () => {
    const { last, state } = play([...inData, Command.dataEnd(1001)])
    expect([last?.code, last?.enhanced]).toEqual([552, "5.3.4"])
    expect(state.phase).toBe("ready")
  })
})

describe("STARTTLS (RFC 3207)", () => {
  const tls = { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" }

  it("answers STARTTLS with 220 and starts the session over on the secured connection: EHLO again, no transaction", () => {
    const tlsPolicy = { ...policy, tlsOffered: true }
    const greetedOnly = [Command.connect(client()), Command.ehlo("client.example.org")]
    const starting = play([...greetedOnly, Command.startTls], tlsPolicy)
    expect([starting.last?.code, starting.last?.enhanced, starting.state.phase]).toEqual([220, "2.0.0", "securing"])
    const { state } = play([...greetedOnly, Command.startTls, Command.secured(tls)], tlsPolicy)
    expect(state.phase).toBe("connected")
    expect(play([...greetedOnly, Command.startTls, Command.secured(tls), Command.mail("a@example.org")], tlsPolicy).last?.code).toBe(503)
  })

  it("takes STARTTLS during a transaction and forgets it; refuses it without a certificate, and once secure", () => {
    const tlsPolicy = { ...policy, tlsOffered: true }
    expect(play([...withRecipient, Command.startTls, Command.secured(tls), Command.ehlo("c.example"), Command.data], tlsPolicy).last?.code)
      .toBe(503)
    expect(play([...greeted, Command.startTls]).last?.code).toBe(502)
    expect(play([...greeted, Command.startTls, Command.secured(tls), Command.ehlo("c.example"), Command.startTls], tlsPolicy).last?.code)
      .toBe(503)
  })

  it("does not secure a connection twice", () => {
    expect(play([...greeted, Command.secured(tls), Command.secured(tls)]).last?.code).toBe(503)
  })
})

describe("SMTP AUTH (smtp-auth set)", () => {
  const tls = { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" }
  const auth = { ...policy, authRequired: true, tlsOffered: true }
  const secured = [Command.connect(client()), Command.startTls, Command.secured(tls), Command.ehlo("client.example.org")]
  const login = [Command.auth("PLAIN", true), Command.authenticated("alice")]

  it("refuses a non-local recipient of an unauthenticated client with 530 5.7.0, and takes a local one", () => {
    const commands = [...secured, Command.mail("a@example.org"), Command.rcpt("far@example.net"), Command.rcpt("me@local.test", true)]
    const { replies } = play(commands, auth)
    expect(replies.slice(-2).map((r) => [r?.code, r?.enhanced])).toEqual([[530, "5.7.0"], [250, "2.1.5"]])
  })

  it("lets an authenticated client send anywhere, and records the user in the connection", () => {
    const { last, state } = play([...secured, ...login, Command.mail("a@example.org"), Command.rcpt("far@example.net")], auth)
    expect(last?.code).toBe(250)
    expect("connection" in state && state.connection.user).toBe("alice")
  })

  it("refuses AUTH on a plain-text connection and during a transaction", () => {
    expect(play([...greeted, Command.auth("PLAIN")], auth).last?.code).toBe(538)
    expect(play([...secured, Command.mail("a@example.org"), Command.auth("PLAIN")], auth).last?.code).toBe(503)
  })

  it("takes AUTH again after a refused recipient and RSET (smtplib's login() after a 530)", () => {
    const { replies } = play([...secured, Command.mail("a@example.org"), Command.rcpt("far@example.net"), Command.rset, ...login], auth)
    expect(replies.slice(-4).map((r) => r?.code)).toEqual([530, 250, undefined, 235])
  })

  it("asks for the response of an AUTH without one with 334, and maps each refusal to its reply", () => {
    expect(play([...secured, Command.auth("LOGIN")], auth).last).toEqual({ code: 334, enhanced: undefined, lines: ["VXNlcm5hbWU6"] })
    expect(play([...secured, Command.auth("CRAM-MD5")], auth).last?.code).toBe(504)
    const refusal = (reason: "rejected" | "throttled" | "cancelled") =>
      play([...secured, Command.auth("PLAIN", true), Command.authRefused(reason)], auth).last?.code
    expect([refusal("rejected"), refusal("throttled"), refusal("cancelled")]).toEqual([535, 454, 501])
  })

  describe("with rabbitmq-refused", () => {
    const keeping = { ...auth, keepRefused: true }
    const unauthenticated = [...secured, Command.mail("a@example.org"), Command.rcpt("far@example.net"), Command.rcpt("me@local.test", true)]
    const toTheEnd = [...unauthenticated, Command.data, Command.dataEnd(100)]

    it("accepts a non-local recipient of an unauthenticated client provisionally, and the local one as ever", () => {
      const { replies, state } = play(unauthenticated, keeping)
      expect(replies.slice(-2).map((r) => r?.code)).toEqual([250, 250])
      expect(state.phase === "mail" && state.envelope.recipients).toEqual([
        { address: "far@example.net", local: false, provisional: true },
        { address: "me@local.test", local: true, provisional: false }
      ])
    })

    it("refuses the message after DATA with the 530 5.7.0 of RCPT, whether keeping it worked or not", () => {
      for (const outcome of [Command.published(["id1", "id2"]), Command.publishFailed("broker down"), Command.publishRefused(10, 5)]) {
        const { last, state, events } = play([...toTheEnd, outcome], keeping)
        expect([last?.code, last?.enhanced, last?.lines]).toEqual([530, "5.7.0", ["Authentication required"]])
        expect(events.at(-1)).toMatchObject([{ _tag: "MessageRefused", reason: "authentication" }])
        expect(state.phase).toBe("ready")
      }
    })

    it("an authenticated client, or one sending only to local addresses, is queued as ever", () => {
      const local = [...secured, Command.mail("a@example.org"), Command.rcpt("me@local.test", true), Command.data, Command.dataEnd(100)]
      expect(play([...local, Command.published(["id1"])], keeping).last?.code).toBe(250)
      const authenticated = [...secured, ...login, Command.mail("a@example.org"), Command.rcpt("far@example.net"), Command.data, Command.dataEnd(100)]
      expect(play([...authenticated, Command.published(["id1"])], keeping).last?.code).toBe(250)
    })
  })

  it("without smtp-auth, anyone in smtp-range may send anywhere", () => {
    expect(play([...greeted, Command.mail("a@example.org"), Command.rcpt("far@example.net")]).last?.code).toBe(250)
  })
})

describe("RSET and QUIT", () => {
  it("RSET drops the transaction and keeps the EHLO name", () => {
    const { last, state } = play([...withRecipient, Command.rset])
    expect(last?.code).toBe(250)
    expect(state).toEqual({ phase: "ready", connection: client(), helo: "client.example.org", unrecognized: 0, errors: 0, junk: 1 })
  })

  it("QUIT says goodbye with 221 and closes", () => {
    const { last, state } = play([...greeted, Command.quit])
    expect(last?.code).toBe(221)
    expect(state.phase).toBe("closed")
  })
})

describe("sessions that only waste the server's time (Postfix's hard error and junk command limits)", () => {
  const strict = { ...policy, maxErrors: 3, maxJunk: 4 }

  it("ends a session with 421 at the refusal past smtp-error-limit, and a delivered message starts the count over", () => {
    const bad = Command.rcpt("not an address")
    const refusals = play([...greeted, Command.mail("a@example.org"), bad, bad, bad, bad], strict)
    expect(refusals.replies.slice(-4).map((r) => r?.code)).toEqual([553, 553, 553, 421])
    expect(refusals.last?.lines[0]).toMatch(/Too many errors/)
    expect(refusals.state.phase).toBe("closed")
    const delivered = [Command.rcpt("b@example.com"), Command.data, Command.dataEnd(10), Command.published(["id"])]
    const again = play([...greeted, Command.mail("a@example.org"), bad, bad, bad, ...delivered, Command.mail("a@example.org"), bad, bad, bad], strict)
    expect(again.state.phase).toBe("mail")
  })

  it("ends a session with 421 at the NOOP, RSET, VRFY or HELP past smtp-junk-limit", () => {
    const { replies, state } = play([...greeted, Command.noop, Command.rset, Command.vrfy, Command.help, Command.noop], strict)
    expect(replies.slice(-5).map((r) => r?.code)).toEqual([250, 250, 252, 214, 421])
    expect(state.phase).toBe("closed")
  })
})

describe("a message the broker can never take", () => {
  it("is refused for good with 552 5.3.4 naming both sizes, and the session goes on", () => {
    const inPublish = [...withRecipient, Command.data, Command.dataEnd(100)]
    const { last, state } = play([...inPublish, Command.publishRefused(20_000_000, 16_777_216)])
    expect([last?.code, last?.enhanced]).toEqual([552, "5.3.4"])
    expect(last?.lines[0]).toContain("20000000 bytes as JSON, the broker takes at most 16777216")
    expect(state.phase).toBe("ready")
  })
})

describe("DSN (RFC 3461) with dsn-advertise", () => {
  const parsed = (line: string) => parseCommandLine(new TextEncoder().encode(line)).command
  const run = (lines: ReadonlyArray<string>, dsnOffered = true) =>
    play([Command.connect(client()), ...lines.map(parsed)], { ...policy, dsnOffered })

  it("is offered in EHLO, and RET, ENVID, NOTIFY and ORCPT are carried in the envelope", () => {
    const { state, replies } = run([
      "EHLO c.example", "MAIL FROM:<a@example.org> RET=hdrs ENVID=x+2By", "RCPT TO:<b@example.com> NOTIFY=failure,delay ORCPT=rfc822;b+40example.com"
    ])
    expect(replies[1]?.lines).toContain("DSN")
    expect(state.phase === "mail" && state.envelope).toEqual({
      sender: "a@example.org",
      utf8: false,
      dsn: { ret: "HDRS", envid: "x+y" },
      recipients: [{ address: "b@example.com", local: false, provisional: false, dsn: { notify: "FAILURE,DELAY", orcpt: "b@example.com" } }]
    })
  })

  it.each([
    ["MAIL FROM:<a@example.org> RET=ALL", "RET must be FULL or HDRS"],
    [`MAIL FROM:<a@example.org> ENVID=${"x".repeat(101)}`, "ENVID must be xtext"],
    ["MAIL FROM:<a@example.org> ENVID=caf+C3+A9", "ENVID must be xtext"],
    ["MAIL FROM:<a@example.org> ENVID", "ENVID must be xtext"]
  ])("refuses %s with 501 5.5.4", (line, reason) => {
    const { last } = run(["EHLO c.example", line])
    expect([last?.code, last?.enhanced]).toEqual([501, "5.5.4"])
    expect(last?.lines[0]).toContain(reason)
  })

  it.each([
    ["RCPT TO:<b@example.com> NOTIFY=NEVER,FAILURE", "NOTIFY must be"],
    ["RCPT TO:<b@example.com> NOTIFY=FAILURE,FAILURE", "NOTIFY must be"],
    ["RCPT TO:<b@example.com> ORCPT=b@example.com", "ORCPT must be"],
    ["RCPT TO:<b@example.com> ORCPT=rfc822;", "ORCPT must be"]
  ])("refuses %s with 501 5.5.4 and keeps the transaction", (line, reason) => {
    const { state, last } = run(["EHLO c.example", "MAIL FROM:<a@example.org>", line])
    expect(last?.code).toBe(501)
    expect(last?.lines[0]).toContain(reason)
    expect(state.phase).toBe("mail")
  })

  it("without dsn-advertise, DSN is not offered and its parameters keep getting 555", () => {
    const { replies } = run(["EHLO c.example", "MAIL FROM:<a@example.org> RET=HDRS"], false)
    expect(replies[1]?.lines).not.toContain("DSN")
    expect(replies[2]?.code).toBe(555)
  })
})
