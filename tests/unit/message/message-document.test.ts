import { describe, expect, it } from "vitest"
import { buildMessageDocuments } from "../../../domain/message/message-document.ts"
import type { AcceptedMessage } from "../../../domain/message/message-document.ts"
import { receivedTimestamp, rfc5322Date } from "../../../domain/message/timestamps.ts"

const at = Date.UTC(2026, 2, 22, 17, 23, 12)
const message: AcceptedMessage = {
  hostname: "mx1.example.com",
  helo: "client.example.org",
  connection: { localIp: "1.2.3.100", localPort: 25, remoteIp: "5.6.7.8", remotePort: 25324, tls: undefined, user: undefined },
  sender: "sender@example.org",
  recipients: ["info@example.com", "sales@example.com"],
  messageIds: ["gdsfu232", "hx81kk2a"],
  epochMillis: at,
  ips: ["1.2.3.100"],
  mime: new TextEncoder().encode("Subject: hi\r\n\r\nHello \"world\"\r\n"),
  properties: {}
}
const parse = (body: Uint8Array) => JSON.parse(new TextDecoder().decode(body))

describe("the JSON published per recipient (SPEC §2)", () => {
  it("has exactly MailerQ's properties, one document per recipient", () => {
    const docs = buildMessageDocuments(message).map((d) => parse(d.body))
    expect(docs).toHaveLength(2)
    expect(docs[0]).toEqual({
      "message-id": "gdsfu232",
      received: "2026-03-22 17:23:12",
      hostname: "mx1.example.com",
      envelope: "sender@example.org",
      recipient: "info@example.com",
      mime: expect.stringMatching(/Subject: hi\r\n\r\nHello "world"\r\n$/),
      ips: ["1.2.3.100"],
      connection: { "local-ip": "1.2.3.100", "local-port": 25, "remote-ip": "5.6.7.8", "remote-port": 25324, secure: false }
    })
    expect(docs[1]["message-id"]).toBe("hx81kk2a")
    expect(docs[1].recipient).toBe("sales@example.com")
  })

  it("leaves ips out when no IP was chosen, so that delivery may use any (json-messages.md)", () => {
    const doc = parse(buildMessageDocuments({ ...message, ips: undefined })[0]!.body)
    expect("ips" in doc).toBe(false)
    expect(doc.connection["local-ip"]).toBe("1.2.3.100")
  })

  it("prepends a Received header naming the client, us, the id and the recipient", () => {
    const mime: string = parse(buildMessageDocuments(message)[1]!.body).mime
    expect(mime.startsWith(
      "Received: from client.example.org ([5.6.7.8])\r\n" +
        "\tby mx1.example.com with ESMTP id hx81kk2a\r\n" +
        "\tfor <sales@example.com>; Sun, 22 Mar 2026 17:23:12 +0000\r\nSubject: hi"
    )).toBe(true)
  })

  it("records the authenticated user and the secure flag, and ESMTPSA with the TLS version and cipher in the trace", () => {
    const doc = parse(buildMessageDocuments({
      ...message,
      connection: { ...message.connection, tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" }, user: "alice" }
    })[0]!.body)
    expect(doc.connection).toMatchObject({ secure: true, user: "alice" })
    expect(doc.mime).toMatch(/^Received: from client\.example\.org \(\[5\.6\.7\.8\]\)\r\n\t\(using TLSv1\.3 with cipher TLS_AES_256_GCM_SHA384\)\r\n\tby mx1\.example\.com with ESMTPSA id /)
  })

  it("writes IPv6 client addresses as address literals", () => {
    const doc = parse(buildMessageDocuments({
      ...message,
      connection: { ...message.connection, remoteIp: "2001:db8::7" }
    })[0]!.body)
    expect(doc.mime).toContain("([IPv6:2001:db8::7])")
  })

  it("does not let a hostile HELO name add header lines", () => {
    const doc = parse(buildMessageDocuments({ ...message, helo: "evil\r\nX-Injected: yes" })[0]!.body)
    expect(doc.mime).not.toContain("\r\nX-Injected")
  })

  it("keeps 8-bit bytes that are not UTF-8 exactly as they came", () => {
    const latin1 = Uint8Array.from([0x53, 0x3a, 0x20, 0xe9, 0x0d, 0x0a])
    const body = buildMessageDocuments({ ...message, mime: latin1 })[0]!.body
    const text = Buffer.from(body).toString("latin1")
    expect(text).toContain("S: \xe9\\r\\n")
  })
})

describe("properties from x-mq-* headers", () => {
  it("are added after connection, and cannot displace the server's own properties", () => {
    const doc = parse(buildMessageDocuments({
      ...message,
      properties: { tags: ["a", "b"], maxdelivertime: 3600 }
    })[0]!.body)
    expect(Object.keys(doc)).toEqual([
      "message-id", "received", "hostname", "envelope", "recipient", "mime", "ips", "connection",
      "tags", "maxdelivertime"
    ])
    expect(doc).toMatchObject({ tags: ["a", "b"], maxdelivertime: 3600 })
  })

  it("gives each recipient its own dsn object, once", () => {
    const docs = buildMessageDocuments({
      ...message,
      properties: { dsn: { notify: "forged" } },
      dsn: [{ ret: "HDRS", envid: "e1", notify: "FAILURE", orcpt: "info@example.com" }, undefined]
    }).map((d) => parse(d.body))
    expect(docs[0].dsn).toEqual({ ret: "HDRS", envid: "e1", notify: "FAILURE", orcpt: "info@example.com" })
    expect("dsn" in docs[1]).toBe(false)
  })

  it("never repeat a property the server writes", () => {
    const body = new TextDecoder().decode(buildMessageDocuments({
      ...message,
      properties: { recipient: "evil@example.net", "message-id": "forged", mime: "x" }
    })[0]!.body)
    expect(body).not.toContain("evil@example.net")
    expect(body).not.toContain("forged")
    expect(JSON.parse(body).recipient).toBe("info@example.com")
  })
})

describe("timestamps", () => {
  it("formats received as YYYY-MM-DD HH:MM:SS UTC and the trace date per RFC 5322", () => {
    expect(receivedTimestamp(Date.UTC(2026, 0, 5, 3, 4, 5))).toBe("2026-01-05 03:04:05")
    expect(rfc5322Date(Date.UTC(2026, 10, 25, 13, 30, 21))).toBe("Wed, 25 Nov 2026 13:30:21 +0000")
  })
})
