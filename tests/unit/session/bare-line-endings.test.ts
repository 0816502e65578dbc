import { describe, expect, it } from "vitest"
import { Command } from "../../../domain/session/commands.ts"
import { renderReply } from "../../../domain/session/reply.ts"
import { client, play } from "./session-fixtures.ts"

const inData = [
  Command.connect(client()),
  Command.ehlo("client.example.org"),
  Command.mail("a@example.org"),
  Command.rcpt("b@example.com"),
  Command.data
]

describe("a message with a bare CR or LF (SMTP smuggling, RFC 5321 §2.3.8)", () => {
  it("is refused as a whole with 550 5.6.0 and never published", () => {
    const { events, last, state } = play([...inData, Command.dataEnd(200, true)])
    expect(renderReply(last!)).toBe("550 5.6.0 Bare LF or CR in message data not allowed\r\n")
    expect(events.flat().some((e) => e._tag === "MessageReceived")).toBe(false)
    expect(state.phase).toBe("ready")
  })

  it("leaves the session ready for the next, clean message", () => {
    const { last } = play([
      ...inData,
      Command.dataEnd(200, true),
      Command.mail("a@example.org"),
      Command.rcpt("b@example.com"),
      Command.data,
      Command.dataEnd(200),
      Command.published(["id1"])
    ])
    expect(last?.code).toBe(250)
  })

  it("gets the size refusal first when it is also too large", () => {
    expect(play([...inData, Command.dataEnd(1001, true)]).last?.code).toBe(552)
  })

  it("is received when its line endings are all CRLF", () => {
    expect(play([...inData, Command.dataEnd(200, false)]).state.phase).toBe("publishing")
  })
})
