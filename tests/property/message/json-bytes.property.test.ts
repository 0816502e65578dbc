import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { escapeByteByByte, escapeJsonStringBytes, utf8Joined } from "../../../domain/message/json-bytes.ts"
import { buildMessageDocuments } from "../../../domain/message/message-document.ts"

const quoted = (bytes: Uint8Array) => `"${new TextDecoder().decode(escapeJsonStringBytes(bytes))}"`

describe("escaping message bytes into a JSON string", () => {
  it("gives back exactly the text for any UTF-8 message", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (text) => {
      expect(JSON.parse(quoted(new TextEncoder().encode(text)))).toBe(text)
    }))
  })

  it("matches JSON.stringify for any UTF-8 message", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => {
      const canonical = new TextDecoder().decode(new TextEncoder().encode(text))
      expect(quoted(new TextEncoder().encode(canonical))).toBe(JSON.stringify(canonical))
    }))
  })

  it("escapes UTF-8 text natively exactly as byte by byte, so both paths give the same bytes", () => {
    fc.assert(fc.property(fc.string({ unit: "binary" }), (text) => {
      const bytes = new TextEncoder().encode(text)
      expect([...escapeJsonStringBytes(bytes)]).toEqual([...escapeByteByByte(bytes)])
    }))
  })

  it("gives the same bytes as byte by byte for any bytes, UTF-8 or not", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      expect([...escapeJsonStringBytes(bytes)]).toEqual([...escapeByteByByte(bytes)])
    }))
  })

  it("keeps a byte order mark and a lone 8-bit byte exactly", () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf, 0x41, 0x0d, 0x0a)
    expect([...escapeJsonStringBytes(bom)]).toEqual([0xef, 0xbb, 0xbf, 0x41, 0x5c, 0x72, 0x5c, 0x6e])
    const latin1 = Uint8Array.of(0x63, 0x61, 0x66, 0xe9, 0x22)
    expect([...escapeJsonStringBytes(latin1)]).toEqual([0x63, 0x61, 0x66, 0xe9, 0x5c, 0x22])
  })

  it("never leaves a raw control character, quote or lone backslash, and keeps every other byte", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const escaped = escapeJsonStringBytes(bytes)
      const kept = [...bytes].filter((b) => b >= 0x20 && b !== 0x22 && b !== 0x5c)
      expect([...escaped].filter((b) => b < 0x20)).toEqual([])
      expect([...escaped].filter((b) => b >= 0x80)).toEqual(kept.filter((b) => b >= 0x80))
    }))
  })
})

describe("message documents", () => {
  it("are valid JSON whose mime ends with the message, for every recipient", () => {
    fc.assert(fc.property(
      fc.string({ unit: "grapheme" }),
      fc.array(fc.emailAddress(), { minLength: 1, maxLength: 5 }),
      (mime, recipients) => {
        const docs = buildMessageDocuments({
          hostname: "mx.example.test",
          helo: "c.example",
          connection: { localIp: "127.0.0.1", localPort: 25, remoteIp: "127.0.0.2", remotePort: 1, tls: undefined, user: undefined },
          sender: "",
          recipients,
          messageIds: recipients.map((_, i) => `id${i}`),
          epochMillis: 0,
          ips: ["127.0.0.1"],
          mime: new TextEncoder().encode(mime),
          properties: {}
        })
        expect(docs.map((d) => JSON.parse(new TextDecoder().decode(d.body)).recipient)).toEqual(recipients)
        for (const d of docs) expect(JSON.parse(new TextDecoder().decode(d.body)).mime.endsWith(mime)).toBe(true)
      }
    ))
  })
})

describe("a message document's mime", () => {
  const documentOf = (mime: Uint8Array) =>
    buildMessageDocuments({
      hostname: "mx.example.test",
      helo: "c.example",
      connection: { localIp: "127.0.0.1", localPort: 25, remoteIp: "127.0.0.2", remotePort: 1, tls: undefined, user: undefined },
      sender: "s@example.org",
      recipients: ["r@example.com"],
      messageIds: ["id0"],
      epochMillis: 0,
      ips: ["127.0.0.1"],
      mime,
      properties: {}
    })[0]!.body

  it("holds the message's bytes escaped exactly as byte by byte, right after the trace, UTF-8 or not", () => {
    const trace = Buffer.from(documentOf(new Uint8Array(0)))
    const afterTrace = trace.indexOf("\",\"ips\":")
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 400 }), fc.string({ unit: "binary" }).map((s) => new TextEncoder().encode(s))), (mime) => {
      const expected = Buffer.concat([trace.subarray(0, afterTrace), escapeByteByByte(mime), trace.subarray(afterTrace)])
      expect(Buffer.from(documentOf(mime)).equals(expected)).toBe(true)
    }))
  })
})

describe("UTF-8 of several strings", () => {
  const part = fc.oneof(
    fc.string({ unit: "grapheme-ascii" }),
    fc.string({ unit: "grapheme" }),
    fc.string({ unit: "binary" }),
    fc.constantFrom("\ud800", "\udc00", "\ud83d\ude00", "é", "€")
  )

  it("is exactly the UTF-8 of their join, ASCII or not, lone surrogates and all", () => {
    fc.assert(fc.property(fc.array(part, { maxLength: 8 }), (parts) => {
      expect([...utf8Joined(parts)]).toEqual([...new TextEncoder().encode(parts.join(""))])
    }))
  })
})
