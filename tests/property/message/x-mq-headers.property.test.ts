import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { extractMqHeaders } from "../../../domain/message/x-mq-headers.ts"

const LF = 0x0a
const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0))
const concat = (parts: ReadonlyArray<Uint8Array>) => new Uint8Array(parts.flatMap((part) => [...part]))
const latin1 = (bytes: Uint8Array) => Array.from(bytes, (b) => String.fromCharCode(b)).join("")

// An oracle independent of the implementation: the top header block ends at the first empty line.
const splitAtFirstEmptyLine = (mime: Uint8Array): { readonly head: string; readonly rest: string } => {
  const text = latin1(mime)
  const empty = /(^|\n)\r?\n/.exec(text)
  if (empty === null) return { head: text, rest: "" }
  const at = empty.index + (empty[1] ?? "").length
  return { head: text.slice(0, at), rest: text.slice(at) }
}

const eol = fc.constantFrom("\r\n", "\n").map(ascii)
const mqPrefix = fc.constantFrom("x-mq-", "X-MQ-", "X-Mq-", "x-MQ-")
const mqSuffix = fc.constantFrom("ip", "tag", "envelope", "dsn-notify", "smarthost-port", "results-queue", "maxattempts", "inlinecss", "pool", "message-id", "mime", "", "custom", "a.b", "IP")
const otherName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,12}$/).filter((name) => !name.toLowerCase().startsWith("x-mq-"))
const valueBytes = fc.uint8Array({ maxLength: 24 }).map((bytes) => bytes.map((b) => (b === LF ? 0x20 : b)))
const continuation = fc.tuple(fc.constantFrom(" ", "\t", "  "), valueBytes, eol)
  .map(([blank, value, end]) => concat([ascii(blank), value, end]))

interface Field {
  readonly isMq: boolean
  readonly bytes: Uint8Array
}

const field = (isMq: boolean, name: fc.Arbitrary<string>): fc.Arbitrary<Field> =>
  fc.tuple(name, fc.constantFrom(":", ": ", " :"), valueBytes, eol, fc.array(continuation, { maxLength: 2 }))
    .map(([n, colon, value, end, more]) => ({ isMq, bytes: concat([ascii(n + colon), value, end, ...more]) }))

const anyField = fc.oneof(
  field(true, fc.tuple(mqPrefix, mqSuffix).map(([p, s]) => p + s)),
  field(false, otherName)
)

/** A message without body may end without a line break (RFC 5322). */
const withoutFinalLineBreak = (fields: ReadonlyArray<Field>): ReadonlyArray<Field> => {
  const last = fields.at(-1)
  if (last === undefined) return fields
  const cut = last.bytes.at(-2) === 0x0d ? 2 : 1
  return [...fields.slice(0, -1), { ...last, bytes: last.bytes.subarray(0, last.bytes.length - cut) }]
}

/** A message built from known fields, so the expected result is known without parsing. */
const messages = fc.record({
  fields: fc.array(anyField, { maxLength: 8 }),
  blankLine: fc.option(eol, { nil: undefined }),
  body: fc.uint8Array({ maxLength: 200 }),
  lastLineUnterminated: fc.boolean()
}).map(({ fields: given, blankLine, body, lastLineUnterminated }) => {
  const headersOnly = blankLine === undefined
  const fields = headersOnly && lastLineUnterminated ? withoutFinalLineBreak(given) : given
  const rest = headersOnly ? new Uint8Array(0) : concat([blankLine, body])
  return {
    mime: concat([...fields.map((f) => f.bytes), rest]),
    kept: concat(fields.filter((f) => !f.isMq).map((f) => f.bytes)),
    rest
  }
})

/** Arbitrary bytes, often shaped like headers so that the interesting paths are reached. */
const headerishBytes = fc.array(fc.oneof(
  fc.constantFrom("x-mq-", "X-MQ-Tag:", "x-mq-ip: ", ":", "\r\n", "\n", "\r", " ", "\t", "Subject: a").map(ascii),
  fc.uint8Array({ maxLength: 8 })
), { maxLength: 30 }).map(concat)

const anyBytes = fc.oneof(fc.uint8Array({ maxLength: 300 }), headerishBytes)

describe("extracting x-mq-* headers, for any message", () => {
  it("keeps everything from the first empty line on, byte for byte", () => {
    fc.assert(fc.property(messages, ({ mime, rest }) => {
      expect(splitAtFirstEmptyLine(extractMqHeaders(mime).mime).rest).toBe(latin1(rest))
    }))
    fc.assert(fc.property(anyBytes, (mime) => {
      expect(splitAtFirstEmptyLine(extractMqHeaders(mime).mime).rest).toBe(splitAtFirstEmptyLine(mime).rest)
    }))
  })

  it("keeps every other header line, in order and byte for byte", () => {
    fc.assert(fc.property(messages, ({ mime, kept, rest }) => {
      expect([...extractMqHeaders(mime).mime]).toEqual([...kept, ...rest])
    }))
  })

  it("leaves no line starting with x-mq- in the top header block", () => {
    fc.assert(fc.property(fc.oneof(messages.map((m) => m.mime), anyBytes), (mime) => {
      const lines = splitAtFirstEmptyLine(extractMqHeaders(mime).mime).head.split(/(?<=\n)/)
      expect(lines.filter((line) => /^x-mq-/i.test(line))).toEqual([])
    }))
  })

  it("is idempotent: extracting again removes nothing and sets nothing", () => {
    fc.assert(fc.property(fc.oneof(messages.map((m) => m.mime), anyBytes), (mime) => {
      const once = extractMqHeaders(mime)
      const twice = extractMqHeaders(once.mime)
      expect(twice.mime).toBe(once.mime)
      expect(twice.properties).toEqual({})
      expect(twice.ignored).toEqual([])
    }))
  })

  it("never throws, and returns the same bytes when no x-mq header was found", () => {
    fc.assert(fc.property(anyBytes, (mime) => {
      const result = extractMqHeaders(mime)
      const removedSomething = result.mime.length < mime.length
      expect(result.mime === mime).toBe(!removedSomething)
      if (!removedSomething) expect([Object.keys(result.properties), result.ignored]).toEqual([[], []])
    }))
  })
})

describe("x-mq-* values take the JSON types of MailerQ's docs (mime-headers.md, json-messages.md)", () => {
  const utf8 = (text: string) => new TextEncoder().encode(text)
  const one = (header: string) => extractMqHeaders(utf8(`${header}\r\nSubject: s\r\n\r\nbody\r\n`))
  // a value as a client writes it: printable, no line break, no blanks at either end
  const written = fc.string({ minLength: 1, maxLength: 30 })
    .map((text) => text.replace(/[\u0000-\u001f\u007f]/g, "x").trim())
    .filter((text) => text !== "")
  const custom = fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/)
    .filter((name) => !["ip", "tag", "envelope", "pool", "security", "delayed", "maxdelivertime", "maxattempts", "retries",
      "priority", "inlinecss", "keepmime", "force", "ips", "tags", "dsn", "smarthost", "queues", "nextattempt", "headers",
      "dkim", "data", "key", "message-id", "received", "hostname", "recipient", "mime", "connection", "checks", "local",
      "report"].includes(name) && !/^(dsn|smarthost)-|-queue$/.test(name))

  it("a property the docs do not type is the string as written: no digit, zero or letter case lost", () => {
    fc.assert(fc.property(custom, fc.oneof(written, fc.stringMatching(/^0\d{1,25}$/), fc.stringMatching(/^\d{16,30}$/)), (name, value) => {
      expect(one(`x-mq-${name}: ${value}`).properties).toEqual({ [name]: value })
    }))
  })

  it("a documented boolean is a JSON boolean, or the header is reported; never a string or number", () => {
    fc.assert(fc.property(fc.constantFrom("inlinecss", "keepmime", "force"), fc.oneof(written, fc.constantFrom("1", "0", "TRUE", "no")), (name, value) => {
      const result = one(`x-mq-${name}: ${value}`)
      if (name in result.properties) expect(typeof result.properties[name]).toBe("boolean")
      else expect(result.ignored).toEqual([`x-mq-${name}`])
    }))
  })

  it("retries are an array of whole seconds, in the order written", () => {
    fc.assert(fc.property(fc.array(fc.nat({ max: 10 ** 9 }), { minLength: 1, maxLength: 6 }), fc.constantFrom(",", ", ", " "), (seconds, separator) => {
      expect(one(`x-mq-retries: ${seconds.join(separator)}`).properties).toEqual({ retries: seconds })
    }))
  })

  it("a documented whole number is that number exactly, and anything else is reported, not guessed", () => {
    fc.assert(fc.property(fc.constantFrom("maxattempts", "priority"), fc.oneof(fc.integer({ min: 0, max: 10 ** 12 }).map(String), written), (name, value) => {
      const result = one(`x-mq-${name}: ${value}`)
      if (/^-?\d{1,15}$/.test(value)) expect(result.properties).toEqual({ [name]: Number(value) })
      else expect(result.ignored).toEqual([`x-mq-${name}`])
    }))
  })

  it("a tag is kept whole, one per header", () => {
    fc.assert(fc.property(fc.array(written, { minLength: 1, maxLength: 4 }), (tags) => {
      const result = extractMqHeaders(utf8(`${tags.map((tag) => `X-MQ-Tag: ${tag}\r\n`).join("")}\r\nbody`))
      expect(result.properties).toEqual({ tags })
    }))
  })
})
