import { describe, expect, it } from "vitest"
import { extractMqHeaders } from "../../../domain/message/x-mq-headers.ts"

const bytes = (text: string) => new TextEncoder().encode(text)
const latin1Bytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
const text = (mime: Uint8Array) => new TextDecoder().decode(mime)
const extract = (mime: string) => extractMqHeaders(bytes(mime))
const message = (...headers: Array<string>) => `${[...headers, "Subject: hi"].join("\r\n")}\r\n\r\nbody\r\n`

describe("x-mq-* headers become JSON properties (SPEC §2)", () => {
  it.each([
    ["x-mq-ip: 1.2.3.4", { ips: ["1.2.3.4"] }],
    ["x-mq-ip: 1.2.3.4, 5.6.7.8;9.9.9.9  10.0.0.1", { ips: ["1.2.3.4", "5.6.7.8", "9.9.9.9", "10.0.0.1"] }],
    ["x-mq-ip: 2001:db8::1, ::ffff:10.1.2.3", { ips: ["2001:db8::1", "::ffff:10.1.2.3"] }],
    ["x-mq-tag: newsletter", { tags: ["newsletter"] }],
    ["x-mq-tag: Customer Name", { tags: ["Customer Name"] }],
    ["x-mq-tag: Acme, Inc.", { tags: ["Acme, Inc."] }],
    ["x-mq-tag: 2026", { tags: ["2026"] }],
    ["x-mq-envelope: bounce@example.org", { envelope: "bounce@example.org" }],
    ["x-mq-dsn-notify: SUCCESS,FAILURE", { dsn: { notify: "SUCCESS,FAILURE" } }],
    ["x-mq-dsn-ret: HDRS", { dsn: { ret: "HDRS" } }],
    ["x-mq-dsn-orcpt: rfc822;a@example.com", { dsn: { orcpt: "rfc822;a@example.com" } }],
    ["x-mq-dsn-envid: 12345", { dsn: { envid: "12345" } }],
    ["x-mq-smarthost-hostname: relay.example.net", { smarthost: { hostname: "relay.example.net" } }],
    ["x-mq-smarthost-port: 587", { smarthost: { port: 587 } }],
    ["x-mq-smarthost-username: 1000", { smarthost: { username: "1000" } }],
    ["x-mq-smarthost-password: true", { smarthost: { password: "true" } }],
    ["x-mq-results-queue: results", { queues: { results: "results" } }],
    ["x-mq-failure-queue: failures", { queues: { failure: "failures" } }],
    ["x-mq-success-queue: successes", { queues: { success: "successes" } }],
    ["x-mq-retry-queue: retries", { queues: { retry: "retries" } }],
    ["x-mq-maxdelivertime: 3600", { maxdelivertime: 3600 }],
    ["x-mq-maxdelivertime: 2026-03-22 17:23:12", { maxdelivertime: "2026-03-22 17:23:12" }],
    ["x-mq-maxattempts: 3", { maxattempts: 3 }],
    ["x-mq-delayed: 2026-03-22 18:00:00", { nextattempt: { time: "2026-03-22 18:00:00" } }],
    ["x-mq-retries: 600", { retries: [600] }],
    ["x-mq-retries: 300,600,3600", { retries: [300, 600, 3600] }],
    ["x-mq-inlinecss: 1", { inlinecss: true }],
    ["x-mq-keepmime: 0", { keepmime: false }],
    ["x-mq-force: yes", { force: true }],
    ["x-mq-priority: 5", { priority: 5 }],
    ["x-mq-security: required", { security: "required" }],
    ["x-mq-dsn-queue: dsn", { queues: { dsn: "dsn" } }],
    ["x-mq-customer-ref: 00123", { "customer-ref": "00123" }],
    ["x-mq-account: 12345678901234567890", { account: "12345678901234567890" }],
    ["x-mq-flag: true", { flag: "true" }],
    ["x-mq-inlinecss: true", { inlinecss: true }],
    ["x-mq-keepmime: FALSE", { keepmime: false }],
    ["x-mq-pool: 42", { pool: "42" }],
    ["x-mq-meaningless: anything", { meaningless: "anything" }],
    ["x-mq-ratio: -0.25", { ratio: "-0.25" }],
    ["x-mq-version: 1.2.3", { version: "1.2.3" }],
    ["x-mq-leading: .5", { leading: ".5" }],
    ["x-mq-huge: 1" + "0".repeat(400), { huge: "1" + "0".repeat(400) }],
    ["x-mq-empty:", { empty: "" }],
    ["X-MQ-Custom-Name: Value", { "custom-name": "Value" }]
  ])("%s", (header, properties) => {
    const result = extract(message(header))
    expect(result.properties).toEqual(properties)
    expect(result.ignored).toEqual([])
    expect(text(result.mime)).toBe("Subject: hi\r\n\r\nbody\r\n")
  })

  it("groups dsn, smarthost and queue headers into one object each", () => {
    const result = extract(message(
      "x-mq-dsn-notify: NEVER", "x-mq-smarthost-hostname: relay", "x-mq-dsn-ret: FULL",
      "x-mq-smarthost-port: 25", "x-mq-results-queue: r", "x-mq-retry-queue: q"
    ))
    expect(result.properties).toEqual({
      dsn: { notify: "NEVER", ret: "FULL" },
      smarthost: { hostname: "relay", port: 25 },
      queues: { results: "r", retry: "q" }
    })
  })

  it("matches the prefix and the name in any letter case", () => {
    const result = extract(message("X-MQ-Tag: a", "X-Mq-IP: 1.2.3.4", "x-MQ-SmartHost-Port: 2525", "X-Mq-InlineCSS: True"))
    expect(result.properties).toEqual({ tags: ["a"], ips: ["1.2.3.4"], smarthost: { port: 2525 }, inlinecss: true })
  })

  it("concatenates several x-mq-tag and x-mq-ip headers in order", () => {
    const result = extract(message("x-mq-tag: a, b", "x-mq-ip: 1.1.1.1", "Subject: between", "x-mq-tag: c", "x-mq-ip: 2001:db8::2"))
    expect(result.properties).toEqual({ tags: ["a, b", "c"], ips: ["1.1.1.1", "2001:db8::2"] })
  })

  it("lets the last header win for a single value", () => {
    const result = extract(message("x-mq-envelope: first@example.org", "x-mq-maxattempts: 3", "x-mq-envelope: last@example.org", "x-mq-maxattempts: 5"))
    expect(result.properties).toEqual({ envelope: "last@example.org", maxattempts: 5 })
  })

  it("sets no list from an x-mq-ip or x-mq-tag without items", () => {
    const result = extract(message("x-mq-ip:  , ;", "x-mq-tag:  "))
    expect(result.properties).toEqual({})
    expect(text(result.mime)).toBe("Subject: hi\r\n\r\nbody\r\n")
  })

  it("unfolds a folded header and removes all of its lines", () => {
    const mime = "From: a@example.org\r\nX-MQ-Tag: one,\r\n two,\r\n\tthree\r\nTo: b@example.org\r\n   continued\r\n\r\nbody\r\n"
    const result = extract(mime)
    expect(result.properties).toEqual({ tags: ["one, two,\tthree"] })
    expect(text(result.mime)).toBe("From: a@example.org\r\nTo: b@example.org\r\n   continued\r\n\r\nbody\r\n")
  })

  it("unfolds a folded value without losing the blank that starts the continuation", () => {
    expect(extract(message("x-mq-envelope: a\r\n  b")).properties).toEqual({ envelope: "a  b" })
  })

  it("reads a header name with blanks before the colon", () => {
    expect(extract(message("x-mq-maxattempts \t: 7")).properties).toEqual({ maxattempts: 7 })
  })

  it.each([
    "x-mq-message-id", "x-mq-received", "x-mq-hostname", "x-mq-recipient", "x-mq-mime", "x-mq-connection",
    "x-mq-checks", "x-mq-local", "x-mq-report", "X-MQ-Message-ID", "x-mq-", "x-mq-a.b", "x-mq-_x", "x-mq-__proto__",
    "x-mq-ips", "x-mq-tags", "x-mq-dsn", "x-mq-smarthost", "x-mq-queues"
  ])("ignores %s (server-owned or not a property name) but still removes it", (name) => {
    const result = extract(message(`${name}: forged`, "x-mq-tag: kept"))
    expect(result.properties).toEqual({ tags: ["kept"] })
    expect(result.ignored).toEqual([name])
    expect(text(result.mime)).toBe("Subject: hi\r\n\r\nbody\r\n")
  })

  it.each([
    "x-mq-inlinecss: maybe", "x-mq-maxattempts: three", "x-mq-retries: 300,soon", "x-mq-smarthost-port: 25a", "x-mq-priority: 1.5"
  ])("reports %s (not of its documented type) instead of guessing, and still removes it", (header) => {
    const result = extract(message(header))
    expect(result.properties).toEqual({})
    expect(result.ignored).toEqual([header.slice(0, header.indexOf(":"))])
    expect(text(result.mime)).toBe("Subject: hi\r\n\r\nbody\r\n")
  })

  it("removes and ignores a malformed x-mq line without a colon", () => {
    const result = extract(message("X-MQ-Tag oops"))
    expect(result.properties).toEqual({})
    expect(result.ignored).toEqual(["X-MQ-Tag oops"])
    expect(text(result.mime)).toBe("Subject: hi\r\n\r\nbody\r\n")
  })

  it("leaves headers that merely contain x-mq- alone", () => {
    const mime = message("X-Not-MQ: x-mq-ip: 1.2.3.4", "X-MQ: bare", "Xx-mq-ip: 1.1.1.1")
    const result = extractMqHeaders(bytes(mime))
    expect(result.properties).toEqual({})
    expect(text(result.mime)).toBe(mime)
  })
})

describe("only the top-level header block is looked at", () => {
  it("leaves an attached message/rfc822 part's x-mq headers and body lines that look like headers", () => {
    const body = [
      "--b1",
      "Content-Type: text/plain",
      "",
      "x-mq-ip: 1.2.3.4",
      "--b1",
      "Content-Type: message/rfc822",
      "",
      "X-MQ-Tag: inner",
      "Subject: attached",
      "",
      "attached body",
      "--b1--",
      ""
    ].join("\r\n")
    const mime = `X-MQ-Tag: outer\r\nContent-Type: multipart/mixed; boundary=b1\r\n\r\n${body}`
    const result = extract(mime)
    expect(result.properties).toEqual({ tags: ["outer"] })
    expect(text(result.mime)).toBe(`Content-Type: multipart/mixed; boundary=b1\r\n\r\n${body}`)
  })

  it("handles a message with bare LF line ends", () => {
    const result = extract("Subject: hi\nx-mq-ip: 1.2.3.4\n folded\nFrom: a@b\n\nx-mq-tag: body\n")
    expect(result.properties).toEqual({ ips: ["1.2.3.4", "folded"] })
    expect(text(result.mime)).toBe("Subject: hi\nFrom: a@b\n\nx-mq-tag: body\n")
  })

  it("treats a message without an empty line as all headers", () => {
    const result = extract("Subject: hi\r\nx-mq-tag: a\r\nx-mq-maxattempts: 2")
    expect(result.properties).toEqual({ tags: ["a"], maxattempts: 2 })
    expect(text(result.mime)).toBe("Subject: hi\r\n")
  })

  it("treats a message starting with an empty line as all body", () => {
    const mime = bytes("\r\nx-mq-tag: a\r\n")
    const result = extractMqHeaders(mime)
    expect(result).toEqual({ mime, properties: {}, ignored: [] })
  })

  it("handles an empty message", () => {
    expect(extractMqHeaders(new Uint8Array(0)).properties).toEqual({})
  })

  it("returns the very same bytes when there is nothing to remove", () => {
    const mime = bytes(message("X-Mailer: test"))
    expect(extractMqHeaders(mime).mime).toBe(mime)
  })
})

describe("bytes and text", () => {
  it("keeps 8-bit latin1 and binary body bytes exactly", () => {
    const head = latin1Bytes("Subject: caf\u00e9\r\nx-mq-tag: t\r\nX-Other: \u00ff\r\n\r\n")
    const body = Uint8Array.from({ length: 512 }, (_, i) => (i * 37) % 256)
    const mime = new Uint8Array([...head, ...body])
    const result = extractMqHeaders(mime)
    expect(result.properties).toEqual({ tags: ["t"] })
    expect([...result.mime]).toEqual([...latin1Bytes("Subject: caf\u00e9\r\nX-Other: \u00ff\r\n\r\n"), ...body])
  })

  it("decodes a UTF-8 header value (RFC 6532)", () => {
    expect(extract(message("x-mq-tag: caf\u00e9 \u65e5\u672c \u{1f600}")).properties).toEqual({ tags: ["caf\u00e9 \u65e5\u672c \u{1f600}"] })
  })

  it("reads an 8-bit value that is not UTF-8 as latin1 rather than losing characters", () => {
    const result = extractMqHeaders(latin1Bytes("x-mq-tag: caf\u00e9\r\n\r\n"))
    expect(result.properties).toEqual({ tags: ["caf\u00e9"] })
  })
})
